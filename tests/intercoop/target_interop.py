#!/usr/bin/python3
"""The intercoop target side checked from the outside: the real registrar binary
(REGISTRAR_TEST_BINARY) on loopback, packages signed by the independent Python peer
(intercoop_peer.py: python3-yaml, python3-cryptography, written from the spec alone), peers and
services set up through `registrar intercoop`. For each backend (SQLite, and PostgreSQL when
REGISTRAR_TEST_PG_URL is set):
  - a signed package is stored durably under a uuid4 token, answered with the original's YAML
    (uuid, continuationUrl), readable at …/activateService/<uuid>, shown once (escaped) on the
    continuation page, audited;
  - every §3 error class over HTTP with its status, the exact §3.3 body and Content-Type exactly
    application/yaml: unknown, disabled and not-allowed peers, bad signatures, missing fields,
    malformed containers and payloads; nothing is stored on any refusal;
  - expired transfers are purged by the background job;
  - descriptors import, export and re-import (CLI and admin API); the admin API needs its
    scope, and its changes apply to the next package;
  - intercoop 2.0 (HardenedBase): a package signed Ed25519 by the Python peer is accepted, on a
    service's route and on the default route (which follows the signed service); a replay, a
    package for another target or service, an expired or not yet valid one, a 1.0 package
    from a peer that declared 2.0 only and a 2.0 one from a 1.0 peer are refused with their
    class, storing nothing (no transfer, no nonce); nonces are purged once expired.
"""
import concurrent.futures
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid as uuidlib

import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
import intercoop_peer as peer  # noqa: E402
from registrar_process import Registrar, backends  # noqa: E402

YAML_CT = "application/yaml"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def http(method, url, body=None, content_type=YAML_CT, token=None, headers=None):
    data = body.encode() if isinstance(body, str) else body
    headers = dict(headers or {})
    if body is not None:
        headers["Content-Type"] = content_type
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, res.headers.get("Content-Type"), res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key, form=serialization.PublicFormat.SubjectPublicKeyInfo):
    return key.public_key().public_bytes(serialization.Encoding.PEM, form).decode()


def new_ed_key():
    return ed25519.Ed25519PrivateKey.generate()


def error_body(name, *arguments):
    """The §3.3 body as the original's Flask target writes it (PyYAML SafeDumper)."""
    return peer.dump({"error": name, "message": peer.TEMPLATES.get(name, "{}").format(*arguments)
                      if name != "NoSuchUuid" else
                      "No personal data available for uuid '{}'".format(*arguments),
                      "arguments": list(arguments)})


def sql(r, query):
    """Rows of a query on the registrar's database (each a tuple of text)."""
    url = r.env["REGISTRAR_DATABASE_URL"]
    if url.startswith("sqlite:"):
        with sqlite3.connect(url[len("sqlite:"):]) as c:
            return [tuple(str(v) for v in row) for row in c.execute(query)]
    out = subprocess.run(["psql", "-tA", "-F", "\t", url, "-c", query], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


class TargetBase:
    backend = "sqlite"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="intercoop-target-")
        cls.member_key = new_key()   # somillusio: imported from a descriptor (SPKI)
        cls.handmade_key = new_key()  # handmade: `peers add` with a PKCS#1 PEM
        cls.stranger_key = new_key()  # never registered
        cls.r = Registrar('[intercoop]\ndefault_service = "contract"\n', backend=cls.backend)
        descriptor = {
            "intercoopVersion": "1.0", "peerVersion": 1, "peerid": "somillusio",
            "name": "Som Il·lusió", "logo": "https://somillusio.coop/logo.png",
            "description": {"es": "Cooperativa de ilusiones", "ca": "Cooperativa d'il·lusions"},
            "url": {"es": "https://somillusio.coop"},
            "privacyPolicyUrl": {"es": "https://somillusio.coop/privacy"},
            "targetUrl": "https://somillusio.coop/intercoop",
            "services": {"ilusion": {"name": {"es": "Ilusión"}, "description": {"es": "Una"}}},
            "publickey": pem(cls.member_key),
        }
        cls.descriptor_file = cls.write("somillusio.yaml", peer.dump(descriptor))
        out = cls.r.cli("intercoop", "peers", "import", cls.descriptor_file)
        assert "added somillusio" in out, out
        for pid, key in (("handmade", cls.handmade_key), ("retired", new_key())):
            key_file = cls.write(pid + ".pem", pem(key, serialization.PublicFormat.PKCS1))
            cls.r.cli("intercoop", "peers", "add", pid, "--name", pid.title(),
                      "--public-key-file", key_file)
        cls.retired_key = None
        cls.r.cli("intercoop", "peers", "disable", "retired")
        cls.r.cli("intercoop", "services", "add", "contract", "--field", "originpeer", "--field",
                  "nif", "--field", "name", "--peer", "somillusio", "--peer", "retired",
                  "--description", "Contrato de luz", "--description", "en=Electricity contract")
        cls.r.cli("intercoop", "services", "add", "open", "--field", "email")
        # `local`: members only, in Spain, in four provinces by postal code; twice per member
        # and three times per peer a day.
        cls.r.cli("intercoop", "services", "add", "local", "--field", "nif", "--role", "member",
                  "--available", "country=ES", "--available-prefix", "postalcode=08,17,25,43",
                  "--limit-per-member", "2", "--limit-per-peer", "3")
        admin_secret = cls.r.client("ops", "intercoop:admin")
        other_secret = cls.r.client("other", "dci:admin")
        cls.r.start()
        cls.admin = cls.r.token("ops", admin_secret)
        cls.other = cls.r.token("other", other_secret)

    @classmethod
    def tearDownClass(cls):
        cls.r.stop()

    @classmethod
    def write(cls, name, text):
        path = os.path.join(cls.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def post(self, package, service="contract"):
        path = ("/intercoop/services/%s/activateService" % service) if service else \
            "/intercoop/activateService"
        return http("POST", self.r.url + path, package)

    def transfers(self):
        return int(sql(self.r, "SELECT COUNT(*) FROM intercoop_transfers")[0][0])

    def assert_refused(self, response, status, name, *arguments):
        self.assertEqual(response[0], status, response)
        self.assertEqual(response[1], YAML_CT)
        self.assertEqual(response[2], error_body(name, *arguments))

    def member_data(self, **extra):
        data = {"originpeer": "somillusio", "lang": "es", "nif": "12345678Z",
                "name": "Bunny, <b>Bugs</b> & co", "peerroles": ["member", "worker"],
                "postalcode": "01022", "email": ["bugs@loonietoons.com"], "proxynif": None}
        data.update(extra)
        return data

    # --- the flow ---------------------------------------------------------------------------

    def test_service_rules_refuse_who_may_not_use_it_and_count_limits(self):
        before = self.transfers()
        def local(**extra):
            data = dict({"country": "ES", "postalcode": "08001", "innerid": "m1"}, **extra)
            return self.post(peer.make_package(self.member_key, self.member_data(**data)),
                             "local")
        self.assert_refused(local(peerroles=["customer"]), 403, "NotAvailable",
                            "local", "peerroles", "customer")
        self.assert_refused(local(postalcode="28001"), 403, "NotAvailable",
                            "local", "postalcode", "28001")
        self.assert_refused(local(country="FR"), 403, "NotAvailable", "local", "country", "FR")
        self.assertEqual(self.transfers(), before, "a refusal stores nothing")
        # Per member: m1 twice, then refused; per peer: one more (m2), then refused for all.
        for _ in range(2):
            self.assertEqual(local()[0], 200)
        self.assert_refused(local(), 429, "LimitReached", "local", "2", "member", "86400")
        self.assertEqual(local(innerid="m2")[0], 200)
        self.assert_refused(local(innerid="m3"), 429, "LimitReached", "local", "3", "peer",
                            "86400")
        self.assertEqual(self.transfers(), before + 3)
        # Another peer has its own count.
        self.assertEqual(self.post(peer.make_package(self.handmade_key, self.member_data(
            originpeer="handmade", country="ES", postalcode="17001", innerid="m1")),
            "local")[0], 200)
        svc = json.loads(http("GET", self.r.url + "/v1/intercoop/services/local",
                              token=self.admin)[2])
        self.assertEqual(svc["rules"], {
            "roles": ["member"],
            "availability": [{"field": "country", "values": ["ES"]},
                             {"field": "postalcode", "prefixes": ["08", "17", "25", "43"]}],
            "limits": {"per_member": 2, "per_peer": 3, "window_s": 86400}})

    def test_protocol_version(self):
        self.assertEqual(http("GET", self.r.url + "/intercoop/protocolVersion"),
                         (200, YAML_CT, "protocolVersion: '1.0'\n"))

    def test_transfer_is_stored_shown_once_and_audited(self):
        data = self.member_data()
        before = self.transfers()
        status, ctype, text = self.post(peer.make_package(self.member_key, data))
        self.assertEqual((status, ctype), (200, YAML_CT), text)
        answer = yaml.safe_load(text)
        self.assertEqual(list(answer), ["uuid", "continuationUrl"])
        token = answer["uuid"]
        self.assertRegex(token, UUID4)
        self.assertEqual(answer["continuationUrl"],
                         self.r.url + "/intercoop/continuation/" + token)
        self.assertEqual(self.transfers(), before + 1)
        # The target's own flow reads the data back, in the payload's order.
        status, ctype, text = http("GET", self.r.url +
                                   "/intercoop/services/contract/activateService/" + token)
        self.assertEqual((status, ctype), (200, YAML_CT), text)
        self.assertEqual(text, peer.dump(data))
        # Another service's URL does not reveal it.
        self.assert_refused(http("GET", self.r.url + "/intercoop/services/open/activateService/"
                                 + token), 404, "NoSuchUuid", token)
        # A HEAD (a link checker) does not use the token up.
        self.assertEqual(http("HEAD", answer["continuationUrl"])[0], 200)
        # The member's page: every value, escaped; lists as lists, null as ---. In the member's
        # language (the payload's lang: es), whatever the browser's.
        status, ctype, html = http("GET", answer["continuationUrl"],
                                   headers={"Accept-Language": "ca,en;q=0.5"})
        self.assertEqual(status, 200, html)
        self.assertEqual(ctype, "text/html; charset=utf-8")
        self.assertIn('<html lang="es">', html)
        self.assertIn("<h1>Datos recibidos</h1>", html)
        self.assertIn("Bunny, &lt;b&gt;Bugs&lt;/b&gt; &amp; co", html)
        self.assertNotIn("<b>Bugs</b>", html)
        self.assertIn("<li>bugs@loonietoons.com</li>", html)
        self.assertIn("01022", html)
        self.assertIn(">---<", html)
        # Once only.
        status, ctype, html = http("GET", answer["continuationUrl"])
        self.assertEqual(status, 410, html)
        self.assertIn("ya se ha utilizado", html)
        self.assertEqual(http("HEAD", answer["continuationUrl"])[0], 410)
        # Audited: received and consumed, by the peer, naming fields but no values.
        rows = sql(self.r, "SELECT actor, action, detail FROM audit_log WHERE subject = '%s' "
                           "ORDER BY id" % token)
        self.assertEqual([(a, b) for a, b, _ in rows],
                         [("intercoop:somillusio", "intercoop.transfer.receive"),
                          ("intercoop:somillusio", "intercoop.transfer.consume")])
        detail = json.loads(rows[0][2])
        self.assertEqual(detail["service"], "contract")
        self.assertEqual(detail["fields"], list(data))
        self.assertNotIn("12345678Z", rows[0][2])

    def test_concurrent_visits_show_the_page_once(self):
        status, _, text = self.post(peer.make_package(self.member_key, self.member_data()))
        self.assertEqual(status, 200, text)
        url = yaml.safe_load(text)["continuationUrl"]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            statuses = sorted(pool.map(lambda _: http("GET", url)[0], range(8)))
        self.assertEqual(statuses, [200] + [410] * 7)

    def test_default_service_and_open_service(self):
        # /intercoop/activateService serves intercoop.default_service (contract).
        status, ctype, text = self.post(peer.make_package(self.member_key, self.member_data()),
                                        service=None)
        self.assertEqual((status, ctype), (200, YAML_CT), text)
        token = yaml.safe_load(text)["uuid"]
        status, _, text = http("GET", self.r.url + "/intercoop/activateService/" + token)
        self.assertEqual(status, 200, text)
        # A service without a peer list takes any active peer, PKCS#1 keys included.
        status, _, text = self.post(peer.make_package(
            self.handmade_key, {"originpeer": "handmade", "email": "h@example.org"}), "open")
        self.assertEqual(status, 200, text)

    def test_unknown_tokens(self):
        for token in (str(uuidlib.uuid4()), "not-a-token", str(uuidlib.uuid4()) + "x"):
            self.assert_refused(http("GET", self.r.url + "/intercoop/activateService/" + token),
                                404, "NoSuchUuid", token)
            status, ctype, html = http("GET", self.r.url + "/intercoop/continuation/" + token)
            self.assertEqual((status, ctype), (404, "text/html; charset=utf-8"))
            self.assertIn("unknown or has expired", html)
            # No transfer, so no member's language: the browser's.
            status, _, html = http("GET", self.r.url + "/intercoop/continuation/" + token,
                                   headers={"Accept-Language": "fr-FR,ca;q=0.8,es;q=0.5"})
            self.assertEqual(status, 404)
            self.assertIn('<html lang="ca">', html)
            self.assertIn("Aquest enllaç no existeix o ha caducat", html)

    # --- refusals: status, exact body, exact Content-Type, nothing stored -------------------

    def test_every_refusal_stores_nothing(self):
        before = self.transfers()
        good = self.member_data()
        b64 = peer.b64
        signature = b64(b"x" * 256)
        cases = [
            # §3.1a 1-4: the container.
            ("intercoopVersion: '1.0'\npayload: [\n", 400, "BadMessage", None),
            ("payload: abc\nsignature: abc\n", 400, "BadMessage", ["missing intercoopVersion"]),
            ("intercoopVersion: 1.0\npayload: a\nsignature: b\n", 400, "WrongVersion",
             ["1.0", "1.0"]),
            ("intercoopVersion: '3.0'\npayload: a\nsignature: b\n", 400, "WrongVersion",
             ["1.0", "3.0"]),
            ("intercoopVersion: '1.0'\nsignature: b\n", 400, "BadMessage", ["missing payload"]),
            ("intercoopVersion: '1.0'\npayload: a\n", 400, "BadMessage", ["missing signature"]),
            ("intercoopVersion: '1.0'\npayload: AA\nsignature: b\n", 400, "BadMessage",
             ["Payload is invalid Base64: Incorrect padding"]),
            ("intercoopVersion: '1.0'\npayload: ABCD\nsignature: b\n", 400, "BadMessage",
             ["Payload is not base64 coded UTF8"]),
            # 5-6: the payload.
            ("intercoopVersion: '1.0'\npayload: %s\nsignature: b\n" % b64(b"a: [\n"), 400,
             "BadFormat", None),
            (peer.make_package(self.member_key, {"nif": "1"}), 400, "MissingField",
             ["originpeer"]),
            # 7: the peer: unknown, disabled.
            (peer.make_package(self.stranger_key, dict(good, originpeer="stranger")), 403,
             "BadPeer", ["stranger"]),
            (peer.make_package(self.stranger_key, dict(good, originpeer="retired")), 403,
             "BadPeer", ["retired"]),
            # 8: the signature: another key, a forged one, one that is not base64.
            (peer.make_package(self.stranger_key, good), 403, "BadSignature", []),
            ("intercoopVersion: '1.0'\npayload: %s\nsignature: %s\n"
             % (b64(peer.dump(good).encode()), signature), 403, "BadSignature", []),
            ("intercoopVersion: '1.0'\npayload: %s\nsignature: '%%%%'\n"
             % b64(peer.dump(good).encode()), 403, "BadSignature", []),
            # 9: the service's rules: a required field, the allowed peers.
            (peer.make_package(self.member_key, {"originpeer": "somillusio", "nif": "1"}), 400,
             "MissingField", ["name"]),
            (peer.make_package(self.handmade_key, dict(good, originpeer="handmade")), 403,
             "BadPeer", ["handmade"]),
        ]
        for package, status, name, arguments in cases:
            with self.subTest(package=package[:60], error=name):
                response = self.post(package)
                if arguments is None:  # the YAML error text is implementation-defined (§7.13)
                    self.assertEqual((response[0], response[1]), (status, YAML_CT), response)
                    body = yaml.safe_load(response[2])
                    self.assertEqual(list(body), ["error", "message", "arguments"])
                    self.assertEqual(body["error"], name)
                    self.assertEqual(len(body["arguments"]), 1)
                else:
                    self.assert_refused(response, status, name, *arguments)
        self.assertEqual(self.transfers(), before)

    def test_platform_refusals_keep_the_yaml_shape(self):
        for response, status in ((self.post("x", "nosuch"), 404),
                                 (self.post("x", "Bad-Name"), 404),
                                 (http("POST", self.r.url + "/intercoop/nowhere", "x"), 404),
                                 (self.post("a" * (65 * 1024)), 413)):
            self.assertEqual((response[0], response[1]), (status, YAML_CT), response)
            body = yaml.safe_load(response[2])
            self.assertEqual(list(body), ["error", "message", "arguments"])
            self.assertEqual(body["error"], "BadMessage")

    # --- the CLI ----------------------------------------------------------------------------

    def test_cli_lists_exports_and_reimports(self):
        peers = self.r.cli("intercoop", "peers", "list")
        self.assertRegex(peers, r"somillusio  active  name=Som Il·lusió  versions=1.0")
        self.assertRegex(peers, r"retired  disabled")
        services = self.r.cli("intercoop", "services", "list")
        self.assertIn("contract  active  fields=originpeer,nif,name  peers=somillusio,retired",
                      services)
        self.assertIn('"en":"Electricity contract"', services)
        self.assertIn("open  active  fields=email  peers=any", services)
        exported = self.r.cli("intercoop", "peers", "export", "somillusio")
        descriptor = yaml.safe_load(exported)
        with open(self.descriptor_file, encoding="utf-8") as f:
            self.assertEqual(descriptor, yaml.safe_load(f))
        again = self.write("again.yaml", exported)
        self.assertIn("updated somillusio", self.r.cli("intercoop", "peers", "import", again))
        # Refused: a descriptor without a usable key, a peer id taken, an unknown service peer.
        bad = self.write("bad.yaml", peer.dump({"intercoopVersion": "1.0", "peerid": "x",
                                                "name": "X", "publickey": "nope"}))
        out = self.r.cli("intercoop", "peers", "import", bad, check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("publickey", out.stdout + out.stderr)
        out = self.r.cli("intercoop", "services", "add", "x", "--peer", "nobody", check=False)
        self.assertNotEqual(out.returncode, 0)


    # --- the admin API under /v1/intercoop: the CLI's operations behind a scope -------------

    def api(self, method, path, body=None, token=None, content_type="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        return http(method, self.r.url + path, body, content_type, token or self.admin)

    def test_admin_api(self):
        key = new_key()
        # Authentication: no token 401, another module's scope 403 (problem+json, not YAML).
        status, ctype, _ = http("GET", self.r.url + "/v1/intercoop/peers")
        self.assertEqual((status, ctype), (401, "application/problem+json"))
        self.assertEqual(self.api("GET", "/v1/intercoop/peers", token=self.other)[0], 403)
        # A peer added by hand is listed and can send at once to the open service.
        status, _, text = self.api("POST", "/v1/intercoop/peers",
                                   {"id": "apipeer", "name": "API peer",
                                    "public_key": pem(key), "target_url": "https://a.coop/ic"})
        self.assertEqual(status, 201, text)
        self.assertEqual(json.loads(text)["versions"], ["1.0"])
        self.assertEqual(self.api("POST", "/v1/intercoop/peers",
                                  {"id": "apipeer", "name": "Again", "public_key": pem(key)})[0],
                         409)
        status, _, text = self.api("POST", "/v1/intercoop/peers",
                                   {"id": "badkey", "name": "B", "public_key": "nope"})
        self.assertEqual(status, 400, text)
        self.assertEqual(json.loads(text)["field"], "public_key")
        ids = [p["id"] for p in json.loads(self.api("GET", "/v1/intercoop/peers")[2])["peers"]]
        self.assertIn("apipeer", ids)
        package = peer.make_package(key, {"originpeer": "apipeer", "email": "a@b.c"})
        self.assertEqual(self.post(package, "open")[0], 200)
        # Disabled through the API: BadPeer; enabled again: accepted.
        status, _, text = self.api("POST", "/v1/intercoop/peers/apipeer/disable")
        self.assertEqual((status, json.loads(text)["active"]), (200, False))
        self.assert_refused(self.post(package, "open"), 403, "BadPeer", "apipeer")
        self.assertEqual(self.api("POST", "/v1/intercoop/peers/apipeer/enable")[0], 200)
        self.assertEqual(self.post(package, "open")[0], 200)
        self.assertEqual(self.api("POST", "/v1/intercoop/peers/nobody/enable")[0], 404)
        # The descriptor out (YAML) and back in; a descriptor for another id is refused.
        status, ctype, text = self.api("GET", "/v1/intercoop/peers/apipeer/descriptor")
        self.assertEqual((status, ctype), (200, YAML_CT))
        descriptor = yaml.safe_load(text)
        self.assertEqual(descriptor["publickey"], pem(key))
        self.assertEqual(descriptor["targetUrl"], "https://a.coop/ic")
        descriptor["name"] = "Renamed"
        status, _, text = self.api("PUT", "/v1/intercoop/peers/apipeer/descriptor",
                                   peer.dump(descriptor), content_type=YAML_CT)
        self.assertEqual(status, 200, text)
        self.assertEqual(json.loads(text)["name"], "Renamed")
        status, _, text = self.api("PUT", "/v1/intercoop/peers/other/descriptor",
                                   peer.dump(descriptor), content_type=YAML_CT)
        self.assertEqual(status, 400, text)
        # A service through the API; its rules apply at once.
        status, _, text = self.api("POST", "/v1/intercoop/services",
                                   {"name": "apisvc", "fields": ["originpeer", "iban"],
                                    "peers": ["apipeer"], "description": {"es": "Cuenta"}})
        self.assertEqual(status, 201, text)
        self.assertEqual(self.api("POST", "/v1/intercoop/services",
                                  {"name": "x", "peers": ["nobody"]})[0], 400)
        self.assertEqual(json.loads(self.api("GET", "/v1/intercoop/services/apisvc")[2])["fields"],
                         ["originpeer", "iban"])
        self.assert_refused(self.post(package, "apisvc"), 400, "MissingField", "iban")
        other = peer.make_package(self.member_key, self.member_data(iban="ES00"))
        self.assert_refused(self.post(other, "apisvc"), 403, "BadPeer", "somillusio")
        ok = peer.make_package(key, {"originpeer": "apipeer", "iban": "ES00"})
        self.assertEqual(self.post(ok, "apisvc")[0], 200)
        # A disabled service refuses packages (404, BadMessage shape) and stores nothing.
        status, _, text = self.api("POST", "/v1/intercoop/services/apisvc/disable")
        self.assertEqual((status, json.loads(text)["active"]), (200, False))
        before = self.transfers()
        self.assert_refused(self.post(ok, "apisvc"), 404, "BadMessage", "unknown service 'apisvc'")
        self.assertEqual(self.transfers(), before)
        self.assertIn("apisvc  inactive", self.r.cli("intercoop", "services", "list"))
        self.assertIn("apisvc  active", self.r.cli("intercoop", "services", "enable", "apisvc"))
        self.assertEqual(self.post(ok, "apisvc")[0], 200)
        # Audited with the API's actor.
        rows = sql(self.r, "SELECT action FROM audit_log WHERE subject = 'apipeer' ORDER BY id")
        self.assertEqual([a for (a,) in rows],
                         ["intercoop.peer.add", "intercoop.peer.disable",
                          "intercoop.peer.enable", "intercoop.peer.import"])


class ExpiryBase:
    backend = "sqlite"

    def test_expired_transfers_are_purged(self):
        key = new_key()
        r = Registrar("[intercoop]\ntoken_ttl_s = 1\npurge_interval_s = 1\n",
                      backend=self.backend)
        try:
            with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as f:
                f.write(pem(key))
            r.cli("intercoop", "peers", "add", "member", "--name", "M", "--public-key-file",
                  f.name)
            r.cli("intercoop", "services", "add", "s")
            r.start()
            status, _, text = http("POST", r.url + "/intercoop/services/s/activateService",
                                   peer.make_package(key, {"originpeer": "member"}))
            self.assertEqual(status, 200, text)
            token = yaml.safe_load(text)["uuid"]
            # Polled, not timed: the purge job deletes the row once it has expired.
            for _ in range(300):
                if not sql(r, "SELECT uuid FROM intercoop_transfers"):
                    break
                time.sleep(0.1)
            self.assertEqual(sql(r, "SELECT uuid FROM intercoop_transfers"), [])
            status, _, html = http("GET", r.url + "/intercoop/continuation/" + token)
            self.assertEqual(status, 404, html)
        finally:
            r.stop()
            os.unlink(f.name)


class HardenedBase:
    """intercoop 2.0 on a target whose peer id is somacme."""
    backend = "sqlite"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="intercoop-hardened-")
        cls.rsa = {"both": new_key(), "only1": new_key()}
        cls.ed = {"both": new_ed_key(), "only2": new_ed_key()}
        cls.r = Registrar('[intercoop]\npeer_id = "somacme"\ndefault_service = "contract"\n'
                          'purge_interval_s = 1\n', backend=cls.backend)
        # `both` declares 1.0 and 2.0 in its descriptor; `only2` is added by hand with an
        # Ed25519 key alone; `only1` is a 1.0 peer.
        descriptor = {"intercoopVersion": "1.0", "peerVersion": 1, "peerid": "both",
                      "name": "Both", "intercoopVersions": ["1.0", "2.0"],
                      "publickey": pem(cls.rsa["both"]),
                      "publickeyEd25519": pem(cls.ed["both"])}
        cls.descriptor_file = cls.write("both.yaml", peer.dump(descriptor))
        assert "added both" in cls.r.cli("intercoop", "peers", "import", cls.descriptor_file)
        cls.r.cli("intercoop", "peers", "add", "only2", "--name", "Only 2",
                  "--ed25519-key-file", cls.write("only2.pem", pem(cls.ed["only2"])))
        cls.r.cli("intercoop", "peers", "add", "only1", "--name", "Only 1",
                  "--public-key-file", cls.write("only1.pem", pem(cls.rsa["only1"])))
        # `rsapss` declares 2.0 with its RSA key alone: its 2.0 packages are RSA-PSS-SHA256.
        cls.rsa["rsapss"] = new_key()
        rsapss = {"intercoopVersion": "1.0", "peerid": "rsapss", "name": "RSA-PSS",
                  "intercoopVersions": ["1.0", "2.0"], "publickey": pem(cls.rsa["rsapss"])}
        assert "added rsapss" in cls.r.cli("intercoop", "peers", "import",
                                           cls.write("rsapss.yaml", peer.dump(rsapss)))
        cls.r.cli("intercoop", "services", "add", "contract", "--field", "nif", "--field",
                  "name")
        cls.r.cli("intercoop", "services", "add", "other", "--field", "nif")
        admin_secret = cls.r.client("ops", "intercoop:admin")
        cls.r.start()
        cls.admin = cls.r.token("ops", admin_secret)

    @classmethod
    def tearDownClass(cls):
        cls.r.stop()

    @classmethod
    def write(cls, name, text):
        path = os.path.join(cls.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    post = TargetBase.post
    transfers = TargetBase.transfers
    assert_refused = TargetBase.assert_refused

    def nonces(self):
        return int(sql(self.r, "SELECT COUNT(*) FROM intercoop_nonces")[0][0])

    def package(self, origin="both", target="somacme", service="contract", key=None, **kw):
        fields = kw.pop("fields", {"nif": "12345678Z", "name": "Bunny, Bugs"})
        payload = peer.payload_v2(origin, target, service, fields, **kw)
        return payload, peer.make_package_v2(key or self.ed[origin], payload)

    def test_a_2_0_package_is_stored_and_audited_with_its_nonce(self):
        before, nonces = self.transfers(), self.nonces()
        payload, package = self.package()
        status, ctype, text = self.post(package)
        self.assertEqual((status, ctype), (200, YAML_CT), text)
        token = yaml.safe_load(text)["uuid"]
        self.assertRegex(token, UUID4)
        # Stored as a 1.0 payload would be: originpeer, then the fields.
        status, _, text = http("GET", self.r.url +
                               "/intercoop/services/contract/activateService/" + token)
        self.assertEqual(status, 200, text)
        self.assertEqual(text, peer.dump({"originpeer": "both", "nif": "12345678Z",
                                          "name": "Bunny, Bugs"}))
        self.assertEqual((self.transfers(), self.nonces()), (before + 1, nonces + 1))
        rows = sql(self.r, "SELECT peer_id, expires_us FROM intercoop_nonces WHERE nonce = '%s'"
                   % payload["nonce"])
        self.assertEqual(rows, [("both", str(payload["expires"] * 1000000))])
        rows = sql(self.r, "SELECT detail FROM audit_log WHERE subject = '%s'" % token)
        self.assertEqual(json.loads(rows[0][0])["version"], "2.0")
        # The same peer's 1.0 packages are still accepted: it declared both.
        status, _, text = self.post(peer.make_package(
            self.rsa["both"], {"originpeer": "both", "nif": "1", "name": "N"}))
        self.assertEqual(status, 200, text)

    def test_a_peer_with_an_rsa_key_alone_signs_2_0_with_rsa_pss(self):
        before = self.transfers()
        _, package = self.package(origin="rsapss", key=self.rsa["rsapss"])
        status, _, text = self.post(package)
        self.assertEqual(status, 200, text)
        # PKCS#1 v1.5 is 1.0's padding, not 2.0's.
        payload = peer.payload_v2("rsapss", "somacme", "contract", {"nif": "1", "name": "N"})
        data = peer.dump(payload).encode("utf-8")
        v15 = peer.dump({"intercoopVersion": "2.0", "payload": peer.b64(data), "signature":
                         peer.b64(self.rsa["rsapss"].sign(data, padding.PKCS1v15(),
                                                          hashes.SHA256()))})
        self.assert_refused(self.post(v15), 403, "BadSignature")
        # A peer with an Ed25519 key is checked with it alone: its RSA key cannot sign 2.0.
        _, package = self.package(origin="both", key=self.rsa["both"])
        self.assert_refused(self.post(package), 403, "BadSignature")
        self.assertEqual(self.transfers(), before + 1)

    def test_the_default_route_follows_the_signed_service(self):
        _, package = self.package(service="other")
        status, _, text = self.post(package, service=None)
        self.assertEqual(status, 200, text)
        token = yaml.safe_load(text)["uuid"]
        self.assertEqual(http("GET", self.r.url + "/intercoop/services/other/activateService/"
                              + token)[0], 200)
        _, package = self.package(service="nosuch")
        before = self.nonces()
        self.assert_refused(self.post(package, service=None), 404, "BadMessage",
                            "unknown service 'nosuch'")
        self.assertEqual(self.nonces(), before)

    def test_a_replay_is_refused_and_stores_nothing(self):
        payload, package = self.package()
        self.assertEqual(self.post(package)[0], 200)
        before, nonces = self.transfers(), self.nonces()
        for service in ("contract", None):
            self.assert_refused(self.post(package, service), 409, "ReplayedMessage",
                                payload["nonce"], "both")
        self.assertEqual((self.transfers(), self.nonces()), (before, nonces))

    def test_copies_sent_at_once_are_accepted_once(self):
        _, package = self.package()
        before = self.transfers()
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            statuses = sorted(pool.map(lambda _: self.post(package)[0], range(16)))
        self.assertEqual(statuses, [200] + [409] * 15)
        self.assertEqual(self.transfers(), before + 1)

    def test_redirected_stale_and_malformed_packages_are_refused(self):
        before, nonces = self.transfers(), self.nonces()
        now = int(time.time())
        cases = [
            # Another target, another service (signed for `other`, posted to `contract`).
            (self.package(target="elsewhere")[1], 403, "WrongTarget", ["elsewhere", "contract"]),
            (self.package(service="other")[1], 403, "WrongTarget", ["somacme", "other"]),
            # Expired, and issued well ahead of our clock (the last argument is our time).
            (self.package(issued=now - 400)[1], 403, "ExpiredMessage",
             [str(now - 400), str(now - 100)]),
            (self.package(issued=now + 600)[1], 403, "ExpiredMessage",
             [str(now + 600), str(now + 900)]),
            # Valid for longer than a target keeps nonces.
            (self.package(lifetime=7200)[1], 400, "BadMessage", None),
            # Signed by another key; by a peer that did not declare the version.
            (self.package(key=new_ed_key())[1], 403, "BadSignature", []),
            (self.package(origin="only1", key=new_ed_key())[1], 400, "WrongVersion",
             ["1.0", "2.0"]),
            (peer.make_package(new_key(), {"originpeer": "only2", "nif": "1", "name": "N"}),
             400, "WrongVersion", ["2.0", "1.0"]),
            (self.package(origin="stranger", key=new_ed_key())[1], 403, "BadPeer",
             ["stranger"]),
            # The envelope: every key required, typed, fields apart from originpeer.
            (peer.make_package_v2(self.ed["both"], {
                k: v for k, v in self.package()[0].items() if k != "nonce"}), 400,
             "MissingField", ["nonce"]),
            (self.package(nonce="short")[1], 400, "BadMessage", None),
            (self.package(fields={"originpeer": "x", "nif": "1", "name": "N"})[1], 400,
             "BadMessage", None),
            (peer.make_package_v2(self.ed["both"], dict(self.package()[0], issued="today")),
             400, "BadMessage", None),
            (peer.make_package_v2(self.ed["both"], dict(self.package()[0],
                                                        intercoopVersion="1.0")),
             400, "BadMessage", None),
            # The service's own rules, after the binding.
            (self.package(fields={"nif": "1"})[1], 400, "MissingField", ["name"]),
        ]
        for package, status, name, arguments in cases:
            with self.subTest(error=name, arguments=arguments):
                response = self.post(package)
                self.assertEqual((response[0], response[1]), (status, YAML_CT), response)
                body = yaml.safe_load(response[2])
                self.assertEqual(list(body), ["error", "message", "arguments"])
                self.assertEqual(body["error"], name, body)
                if name == "ExpiredMessage":  # our clock's reading: an integer near `now`
                    self.assertEqual(body["arguments"][:2], arguments)
                    self.assertLessEqual(abs(int(body["arguments"][2]) - now), 60)
                elif arguments is not None:
                    self.assert_refused(response, status, name, *arguments)
        self.assertEqual((self.transfers(), self.nonces()), (before, nonces))

    def test_descriptors_cli_and_admin_api_carry_versions_and_keys(self):
        peers = self.r.cli("intercoop", "peers", "list")
        self.assertIn("both  active  name=Both  versions=1.0,2.0", peers)
        self.assertIn("only2  active  name=Only 2  versions=2.0", peers)
        exported = yaml.safe_load(self.r.cli("intercoop", "peers", "export", "both"))
        with open(self.descriptor_file, encoding="utf-8") as f:
            self.assertEqual(exported, yaml.safe_load(f))
        only2 = yaml.safe_load(self.r.cli("intercoop", "peers", "export", "only2"))
        self.assertEqual(only2["intercoopVersions"], ["2.0"])
        self.assertEqual(only2["publickeyEd25519"], pem(self.ed["only2"]))
        self.assertNotIn("publickey", only2)
        # A 2.0 descriptor with no key for it, or with an unknown version: refused.
        for bad in ({"intercoopVersions": ["2.0"]},
                    {"intercoopVersions": ["1.0", "9"], "publickey": pem(new_key())}):
            d = dict({"intercoopVersion": "1.0", "peerid": "bad", "name": "B"}, **bad)
            out = self.r.cli("intercoop", "peers", "import",
                             self.write("bad.yaml", peer.dump(d)), check=False)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("intercoopVersions" if "9" in bad["intercoopVersions"]
                          else "publickeyEd25519", out.stdout + out.stderr)
        # The admin API: a 2.0-only peer by hand, at once able to send.
        key = new_ed_key()
        status, _, text = http("POST", self.r.url + "/v1/intercoop/peers", json.dumps(
            {"id": "apihard", "name": "API", "ed25519_key": pem(key), "versions": ["2.0"]}),
            "application/json", self.admin)
        self.assertEqual(status, 201, text)
        self.assertEqual(json.loads(text)["versions"], ["2.0"])
        self.assertEqual(json.loads(text)["ed25519_key"], pem(key))
        status, _, text = http("POST", self.r.url + "/v1/intercoop/peers", json.dumps(
            {"id": "apibad", "name": "B", "ed25519_key": pem(key), "versions": ["3.0"]}),
            "application/json", self.admin)
        self.assertEqual((status, json.loads(text)["field"]), (400, "versions"), text)
        self.assertEqual(self.post(self.package(origin="apihard", key=key)[1])[0], 200)

    def test_expired_nonces_are_purged(self):
        # Valid for 15 more seconds (room for a slow machine to deliver it in time): the purge
        # job (every second) deletes its nonce afterwards.
        payload, package = self.package(issued=int(time.time()) - 285)
        self.assertEqual(self.post(package)[0], 200)
        query = "SELECT nonce FROM intercoop_nonces WHERE nonce = '%s'" % payload["nonce"]
        self.assertEqual(len(sql(self.r, query)), 1)
        for _ in range(600):  # polled, not timed
            if not sql(self.r, query):
                break
            time.sleep(0.1)
        self.assertEqual(sql(self.r, query), [])


for backend in backends():
    for base in (TargetBase, ExpiryBase, HardenedBase):
        name = base.__name__.replace("Base", "") + backend.title()
        globals()[name] = type(name, (base, unittest.TestCase), {"backend": backend})

if __name__ == "__main__":
    unittest.main(verbosity=2)
