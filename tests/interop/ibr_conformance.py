#!/usr/bin/python3
"""Conformance of registrar's IBR (the ibr module) with the SPDCI DCI protocol, checked from the
outside by an independent implementation: dci_peer.py (written from dci-ibr.md §7 alone,
python3-nacl) signs the requests and verifies the answers; python3-jsonschema validates every
answer against the SPDCI IBR OpenAPI description (spdci/ibr_api_v1.0.0.yaml).

Starts the real registrar binary (REGISTRAR_TEST_BINARY) on loopback for each database backend
(SQLite, and PostgreSQL when REGISTRAR_TEST_PG_URL is set), and checks that
  - the spec's example requests (tests/dci/examples), signed in Python, are accepted, and each
    answer verifies with the key registrar publishes in /.well-known/jwks.json;
  - a changed byte in any header or message value, an expired or future signature window, an
    unknown or disabled sender, a wrong key and a missing signature are each refused with the
    status and DCI error dci-ibr.md §7.8 / docs/ibr.md give, and nothing is stored;
  - a sender whose keys are at a JWKS URL (a loopback server here) is verified with them: fetched
    on first use, refetched once on rotation, not refetched again within ibr.jwks.min_refetch_ms
    for an unknown key id, and an unreachable JWKS server gives a 401 and a log line.
"""
import http.server
import json
import os
import socket
import sys
import threading
import time
import unittest
import uuid

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from dci_peer import Peer, jwk_public_key, parse_params, verify  # noqa: E402
from registrar_process import BINARY, Registrar, backends, request  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(HERE), "dci", "examples")
SPEC_FILE = os.path.join(HERE, "spdci", "ibr_api_v1.0.0.yaml")
OUR_KID = "registrar-ibr|ibr-1|ed25519"  # the defaults of ibr.sender_id and ibr.key_id
JSON = {"Content-Type": "application/json"}
# Header members our answers carry as explicit nulls where the schema types them string/object
# without `nullable`: OpenSPP's verifier hashes its pydantic-normalised header, which has them as
# null (dci-ibr.md §7.4), so a header without them would not verify there (docs/compatibility.md).
NULL_BY_DESIGN = {"status_reason_code", "status_reason_message", "sender_uri", "meta"}


def example(name):
    with open(os.path.join(EXAMPLES, name)) as f:
        return json.load(f)


class Spec:
    """The OpenAPI file's response schemas, with the workarounds spdci/README.md lists."""

    def __init__(self):
        with open(SPEC_FILE) as f:
            doc = yaml.safe_load(f)
        self.paths = doc["paths"]
        self.components = doc["components"]
        encrypted = self.components["schemas"]["EncryptedMessage"]
        if isinstance(encrypted.get("properties"), list):
            encrypted["required"] = encrypted.pop("properties")

    def _check(self, schema, instance):
        # $refs are "#/components/...": resolve them against a root that carries the components.
        root = {"allOf": [schema], "components": self.components}
        jsonschema.Draft7Validator(root).validate(instance)

    def _ref(self, ref):
        node = {"components": self.components}
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node

    def validate(self, path, status, body):
        responses = self.paths[path]["post"]["responses"]
        if status >= 400:
            # The DCI ack with ack_status ERR (dci-ibr.md §2.5), whatever the status.
            ack = self.components["responses"]["Response"]["content"]["application/json"]["schema"]
            self._check(ack, body)
            self.check_err(body)
            if str(status) in responses:
                self._check(self._ref(responses[str(status)]["$ref"])["content"]
                            ["application/json"]["schema"], body)
            return
        response = responses.get(str(status), responses["default"])
        if "$ref" in response and response["$ref"].startswith("#/components/schemas/"):
            # A message schema where a response belongs: the envelope around it is ours to check.
            self._check(self._ref(response["$ref"]), body["message"])
            self._check({"$ref": "#/components/schemas/MsgCallbackHeader_V1.0.0"},
                        self.header_for_schema(body["header"]))
            self._check({"$ref": "#/components/schemas/MsgSignature"}, body["signature"])
            return
        if "$ref" in response:
            response = self._ref(response["$ref"])
        body = dict(body, header=self.header_for_schema(body["header"]))
        self._check(response["content"]["application/json"]["schema"], body)

    @staticmethod
    def header_for_schema(header):
        return {k: v for k, v in header.items() if not (v is None and k in NULL_BY_DESIGN)}

    @staticmethod
    def check_err(body):
        message = body["message"]
        if message.get("ack_status") != "ERR" or "error" not in message:
            raise jsonschema.ValidationError("an error answer is an ERR ack with an error: %r"
                                             % body)


SPEC = Spec()


def enrollment_update(peer, nid, full_header=False):
    """processflow1req (the spec's enrollment sample), as `peer` with a person identified by
    NID `nid`; its header as the sample has it (total_count "1", meta "") unless full_header."""
    env = example("processflow1req.json")
    beneficiary = env["message"]["receipt_information"]["beneficiaries"][0]
    beneficiary["member"]["member_identifier"][0]["identifier_value"] = nid
    beneficiary["member"]["demographic_info"]["person"]["identifier"][0]["identifier_value"] = nid
    env["message"]["transaction_id"] = "t-" + nid
    header = env["header"]
    if full_header:
        header = peer.header("register", str(uuid.uuid4()))
    header.update(sender_id=peer.sender_id, message_id=str(uuid.uuid4()),
                  message_ts=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    return header, env["message"]


def search_message(id_type, value):
    """processflow3areq's SearchRequest (idtype-value), for (id_type, value)."""
    message = example("processflow3areq.json")["message"]
    message["transaction_id"] = "t-" + str(uuid.uuid4())
    query = message["search_request"][0]["search_criteria"]["query"]
    query.update(type=id_type, value=value)
    return message


def nids_in(message):
    """Every identifier value a (possibly changed) enrollment message names."""
    out = set()
    for b in message.get("receipt_information", {}).get("beneficiaries", []):
        member = b.get("member", {})
        for i in member.get("member_identifier", []):
            out.add(i.get("identifier_value"))
        for i in member.get("demographic_info", {}).get("person", {}).get("identifier", []):
            out.add(i.get("identifier_value"))
    return {v for v in out if isinstance(v, str)}


def one_byte_changes(value, path=()):
    """(path, changed copy) for every non-empty string or integer inside `value`: one character
    of it changed (the last digit when there is one, so that a timestamp stays a timestamp)."""
    if isinstance(value, dict):
        for k in sorted(value):
            for p, changed in one_byte_changes(value[k], path + (k,)):
                copy_ = dict(value)
                copy_[k] = changed
                yield p, copy_
    elif isinstance(value, list):
        for i, item in enumerate(value):
            for p, changed in one_byte_changes(item, path + (i,)):
                copy_ = list(value)
                copy_[i] = changed
                yield p, copy_
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        yield path, value + 1
    elif isinstance(value, str) and value:
        digits = [i for i, c in enumerate(value) if c.isdigit()]
        i = digits[-1] if digits else len(value) - 1
        c = value[i]
        if c.isdigit():
            repl = str((int(c) + 1) % 10)
        elif c.isalpha():
            repl = "b" if c.lower() == "a" else "a"
        else:
            repl = "x"
        yield path, value[:i] + repl + value[i + 1:]


class IbrServer:
    """A registrar with the ibr module, and how the peers talk to it."""

    def __init__(self, backend, extra_config=""):
        self.r = Registrar(extra_config, backend=backend)

    def start(self):
        self.r.start()
        status, body = request("GET", self.r.url + "/.well-known/jwks.json")
        assert status == 200, body
        keys = [k for k in json.loads(body)["keys"] if k.get("kid") == OUR_KID]
        assert len(keys) == 1, body
        self.our_key = jwk_public_key(keys[0])
        return self

    def stop(self):
        self.r.stop()

    def post(self, test, path, envelope, raw=None):
        """POSTs `envelope` (or the bytes `raw`), validates the answer against the spec and, when
        it is not an error, verifies its signature with our published key. (status, body)."""
        data = raw if raw is not None else json.dumps(envelope)
        status, text = request("POST", self.r.url + path, data, JSON)
        body = json.loads(text)
        SPEC.validate(path.replace("/ibr/", "/registry/", 1), status, body)
        if status < 400:
            test.assertTrue(verify(body, self.our_key), "answer does not verify: %s" % text)
            test.assertEqual(parse_params(body["signature"])["kidId"], OUR_KID)
            test.assertEqual(body["header"]["sender_id"], "registrar-ibr")
            if envelope is not None:
                test.assertEqual(body["header"]["receiver_id"], envelope["header"]["sender_id"])
        return status, body

    def records(self, test, peer, nid):
        """The records a sync search finds for NID `nid`."""
        message = search_message("NID", nid)
        env = peer.envelope(peer.header("search", str(uuid.uuid4())), message)
        status, body = self.post(test, "/registry/sync/search", env)
        test.assertEqual(status, 200, body)
        item = body["message"]["search_response"][0]
        test.assertEqual(item["status"], "succ", item)
        return item["data"]["reg_records"]


class ConformanceBase:
    backend = "sqlite"

    @classmethod
    def setUpClass(cls):
        cls.peer = Peer("py-sp-mis", "2026-k1")
        cls.disabled = Peer("py-retired", "k1")
        cls.server = IbrServer(cls.backend)
        for p in (cls.peer, cls.disabled):
            cls.server.r.cli("ibr", "senders", "add", p.sender_id, "--name", "Python peer",
                             "--public-key", p.public_key_b64())
        cls.server.r.cli("ibr", "senders", "disable", cls.disabled.sender_id)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def post(self, path, envelope, raw=None):
        return self.server.post(self, path, envelope, raw)

    def update(self, nid, peer=None, **sign):
        peer = peer or self.peer
        header, message = enrollment_update(peer, nid)
        return peer.envelope(header, message, **sign)

    def assert_refused(self, status, body, want_status, want_code):
        self.assertEqual(status, want_status, body)
        self.assertEqual(body["message"]["ack_status"], "ERR")
        self.assertEqual(body["message"]["error"]["code"], want_code, body)

    def test_spec_examples_signed_in_python_are_accepted(self):
        # processflow1: the enrollment sample, header as the sample has it (strings for
        # total_count, meta "", sender_uri ""), signed over exactly what is sent.
        status, body = self.post("/registry/sync/enrollment/updates", self.update("0205202401"))
        self.assertEqual(status, 200, body)
        self.assertEqual(body["header"]["action"], "on-register")
        self.assertEqual(body["header"]["status"], "succ")
        [item] = body["message"]["enrolled_response"]
        self.assertEqual(item["status"], "succ", item)

        # processflow2: the enrolled sample, for the person just reported.
        env = example("processflow2req.json")
        env["header"].update(sender_id=self.peer.sender_id, message_id=str(uuid.uuid4()),
                             message_ts=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        env["message"]["enrolled_criteria"]["query"]["attribute_value"] = "0205202401"
        status, body = self.post("/registry/sync/enrolled",
                                 self.peer.envelope(env["header"], env["message"]))
        self.assertEqual(status, 200, body)
        [item] = body["message"]["search_response"]
        self.assertEqual(item["status"], "succ", item)
        self.assertEqual(len(item["data"]["reg_records"]), 1, item)
        self.assertIn("Test Programme", json.dumps(item["data"]))

        # processflow3a: the sync search sample as published (its UIN is nobody here) ...
        env = example("processflow3areq.json")
        env["header"].update(sender_id=self.peer.sender_id, message_id=str(uuid.uuid4()),
                             message_ts=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        env["message"]["transaction_id"] = "t-3a"
        status, body = self.post("/registry/sync/search",
                                 self.peer.envelope(env["header"], env["message"]))
        self.assertEqual(status, 200, body)
        [item] = body["message"]["search_response"]
        self.assertEqual(item["status"], "succ", item)
        self.assertEqual(item["data"]["reg_records"], [])
        # ... and for the person reported, with a complete header, also under the /ibr alias.
        for path in ("/registry/sync/search", "/ibr/sync/search"):
            env = self.peer.envelope(self.peer.header("search", str(uuid.uuid4())),
                                     search_message("NID", "0205202401"))
            status, body = self.post(path, env)
            self.assertEqual(status, 200, body)
            [item] = body["message"]["search_response"]
            self.assertEqual(len(item["data"]["reg_records"]), 1, item)

    def test_a_changed_byte_anywhere_is_refused_and_nothing_stored(self):
        nid = "BYTE-0001"
        header, message = enrollment_update(self.peer, nid)
        signature = self.peer.sign(header, message)
        changes = 0
        for part in ("header", "message"):
            original = header if part == "header" else message
            for path, changed in one_byte_changes(original):
                with self.subTest(part=part, path=path):
                    env = {"signature": signature, "header": header, "message": message}
                    env[part] = changed
                    status, body = self.post("/registry/sync/enrollment/updates", env)
                    if part == "header" and path == ("sender_id",):
                        self.assert_refused(status, body, 401, "err.sender_id.invalid")
                    else:
                        self.assert_refused(status, body, 401, "err.signature.invalid")
                    for n in nids_in(env["message"]) | {nid}:
                        self.assertEqual(self.server.records(self, self.peer, n), [], n)
                    changes += 1
        self.assertGreater(changes, 30)
        # The unchanged request is accepted: the refusals were the changes' doing.
        env = {"signature": signature, "header": header, "message": message}
        status, body = self.post("/registry/sync/enrollment/updates", env)
        self.assertEqual(status, 200, body)
        self.assertEqual(len(self.server.records(self, self.peer, nid)), 1)

    def test_refusals_store_nothing(self):
        now = int(time.time())
        stranger = Peer("py-stranger", "k1")
        impostor = Peer(self.peer.sender_id, self.peer.key_id)  # right names, wrong key

        def unsigned(value):
            def make(nid):
                header, message = enrollment_update(self.peer, nid)
                env = {"header": header, "message": message}
                if value is not None:
                    env["signature"] = value
                return env
            return make

        def no_sender_id(nid):
            header, message = enrollment_update(self.peer, nid)
            header["sender_id"] = ""
            return self.peer.envelope(header, message)

        cases = [
            ("expired", lambda n: self.update(n, created=now - 1000), 401, "err.signature.invalid"),
            ("created in the future", lambda n: self.update(n, created=now + 3600), 401,
             "err.signature.invalid"),
            ("unknown sender", lambda n: self.update(n, peer=stranger), 401,
             "err.sender_id.invalid"),
            ("disabled sender", lambda n: self.update(n, peer=self.disabled), 401,
             "err.sender_id.invalid"),
            ("wrong key", lambda n: self.update(n, peer=impostor), 401, "err.signature.invalid"),
            ("signature absent", unsigned(None), 401, "err.signature.missing"),
            ("signature empty", unsigned(""), 401, "err.signature.missing"),
            ("signature unsigned-stub", unsigned("unsigned-stub"), 401, "err.signature.missing"),
            ("sender_id empty", no_sender_id, 400, "err.sender_id.invalid"),
        ]
        for i, (name, make, want_status, want_code) in enumerate(cases):
            with self.subTest(case=name):
                nid = "REFUSED-%02d" % i
                status, body = self.post("/registry/sync/enrollment/updates", make(nid))
                self.assert_refused(status, body, want_status, want_code)
                self.assertEqual(self.server.records(self, self.peer, nid), [])
        # A signature whose window is open is accepted; so is one just made.
        status, body = self.post("/registry/sync/enrollment/updates",
                                 self.update("REFUSED-OK", created=now - 100))
        self.assertEqual(status, 200, body)
        self.assertEqual(len(self.server.records(self, self.peer, "REFUSED-OK")), 1)


class JwksServer:
    """Loopback JWK Sets by path, counting the fetches of each."""

    def __init__(self):
        self.sets = {}
        self.hits = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with outer.lock:
                    outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                    keys = outer.sets.get(self.path)
                body = json.dumps({"keys": keys}).encode() if keys is not None else b"{}"
                self.send_response(200 if keys is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def publish(self, path, *peers):
        with self.lock:
            self.sets[path] = [p.jwk() for p in peers]

    def count(self, path):
        with self.lock:
            return self.hits.get(path, 0)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class JwksSendersBase:
    """Senders registered with a JWKS URL (through the admin API) instead of a pinned key."""
    backend = "sqlite"

    @classmethod
    def setUpClass(cls):
        cls.jwks = JwksServer()
        # Long enough that no test sees the rate limit lapse.
        cls.server = IbrServer(cls.backend, "[ibr]\njwks.min_refetch_ms = 600000\n")
        secret = cls.server.r.client("ops", "ibr:admin")
        cls.server.start()
        token = cls.server.r.token("ops", secret)
        cls.admin = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        cls.reader = Peer("py-reader", "k1")  # a pinned-key sender for the "nothing stored" checks
        status, body = request("POST", cls.server.r.url + "/v1/ibr/senders",
                               json.dumps({"sender_id": cls.reader.sender_id,
                                           "public_key": cls.reader.public_key_b64()}), cls.admin)
        assert status == 201, body

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.jwks.stop()

    def add_sender(self, sender_id, url):
        status, body = request("POST", self.server.r.url + "/v1/ibr/senders",
                               json.dumps({"sender_id": sender_id, "jwks_url": url}), self.admin)
        self.assertEqual(status, 201, body)

    def sender_record(self, sender_id):
        status, body = request("GET", self.server.r.url + "/v1/ibr/senders", None, self.admin)
        self.assertEqual(status, 200, body)
        return next(s for s in json.loads(body)["senders"] if s["sender_id"] == sender_id)

    def send_update(self, peer, nid):
        header, message = enrollment_update(peer, nid, full_header=True)
        return self.server.post(self, "/registry/sync/enrollment/updates",
                                peer.envelope(header, message))

    def stored(self, nid):
        return len(self.server.records(self, self.reader, nid))

    def test_fetch_key_from_the_cli_and_the_admin_api(self):
        key = Peer("py-jw-ops", "2026-a")
        self.jwks.publish("/ops/jwks.json", key)
        self.add_sender(key.sender_id, self.jwks.base + "/ops/jwks.json")
        out = self.server.r.cli("ibr", "senders", "fetch-key", key.sender_id)
        self.assertIn(key.kid, out)
        self.assertEqual(self.jwks.count("/ops/jwks.json"), 1)
        status, body = request("POST", self.server.r.url + "/v1/ibr/senders/%s/fetch-key"
                               % key.sender_id, "", self.admin)
        self.assertEqual(status, 200, body)
        answer = json.loads(body)
        self.assertTrue(answer["ok"])
        self.assertEqual([k["kid"] for k in answer["keys"]], [key.kid])
        self.assertEqual(self.jwks.count("/ops/jwks.json"), 2)
        record = self.sender_record(key.sender_id)
        self.assertIsNotNone(record["last_key_fetch"])
        self.assertEqual(record["last_key_fetch_result"], "ok: " + key.kid)
        # The instance's cache holds the key now: a request needs no fetch.
        status, body = self.send_update(key, "OPS-1")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.jwks.count("/ops/jwks.json"), 2)
        # fetch-key of a sender without a JWKS URL, or of nobody.
        status, _ = request("POST", self.server.r.url + "/v1/ibr/senders/%s/fetch-key"
                            % self.reader.sender_id, "", self.admin)
        self.assertEqual(status, 400)
        status, _ = request("POST", self.server.r.url + "/v1/ibr/senders/nobody/fetch-key", "",
                            self.admin)
        self.assertEqual(status, 404)

    def test_rotation_refetches_once(self):
        old = Peer("py-jw-rot", "2026-a")
        new = Peer("py-jw-rot", "2026-b")
        path = "/rot/jwks.json"
        self.jwks.publish(path, old)
        self.add_sender(old.sender_id, self.jwks.base + path)
        # The operator fetches the key (which does not count against the rate limit: a request's
        # fetch would, and this instance's limit outlasts the test).
        status, body = request("POST", self.server.r.url + "/v1/ibr/senders/%s/fetch-key"
                               % old.sender_id, "", self.admin)
        self.assertEqual(status, 200, body)
        status, body = self.send_update(old, "ROT-1")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.jwks.count(path), 1)
        self.jwks.publish(path, old, new)  # the sender rotates
        status, body = self.send_update(new, "ROT-2")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.jwks.count(path), 2)
        for peer, nid in ((new, "ROT-3"), (old, "ROT-4")):  # both keys cached now
            status, body = self.send_update(peer, nid)
            self.assertEqual(status, 200, body)
        self.assertEqual(self.jwks.count(path), 2)

    def test_unknown_key_id_is_fetched_for_once_within_the_rate_limit(self):
        known = Peer("py-jw-rl", "2026-a")
        unknown = Peer("py-jw-rl", "2026-z")  # never published
        path = "/rl/jwks.json"
        self.jwks.publish(path, known)
        self.add_sender(known.sender_id, self.jwks.base + path)
        # The first request fetches the set (first use), which lacks the kid; the second finds
        # the set fetched within ibr.jwks.min_refetch_ms and does not fetch again.
        for nid in ("RL-1", "RL-2"):
            status, body = self.send_update(unknown, nid)
            self.assertEqual(status, 401, body)
            self.assertEqual(body["message"]["error"]["code"], "err.signature.invalid")
            self.assertEqual(self.stored(nid), 0)
        self.assertEqual(self.jwks.count(path), 1)
        status, body = self.send_update(known, "RL-3")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.jwks.count(path), 1)

    def test_jwks_server_down(self):
        peer = Peer("py-jw-down", "2026-a")
        self.add_sender(peer.sender_id, "http://127.0.0.1:%d/jwks.json" % closed_port())
        status, body = self.send_update(peer, "DOWN-1")
        self.assertEqual(status, 401, body)
        error = body["message"]["error"]
        self.assertEqual(error["code"], "err.signature.invalid")
        self.assertIn("could not be fetched", error["message"])
        self.assertEqual(self.stored("DOWN-1"), 0)
        for _ in range(500):  # the log is written by another thread of the server
            if "ibr_jwks_fetch_failed" in self.server.r.log():
                break
            time.sleep(0.01)
        self.assertIn("ibr_jwks_fetch_failed", self.server.r.log())
        self.assertTrue(self.sender_record(peer.sender_id)["last_key_fetch_result"]
                        .startswith("failed: "))
        status, body = request("POST", self.server.r.url + "/v1/ibr/senders/%s/fetch-key"
                               % peer.sender_id, "", self.admin)
        self.assertEqual(status, 502, body)
        self.assertFalse(json.loads(body)["ok"])


for _backend in backends():
    for _base in (ConformanceBase, JwksSendersBase):
        _name = "%s_%s" % (_base.__name__.replace("Base", ""), _backend)
        globals()[_name] = type(_name, (_base, unittest.TestCase), {"backend": _backend})


if __name__ == "__main__":
    if not BINARY:
        sys.exit("REGISTRAR_TEST_BINARY must name the registrar binary")
    unittest.main(verbosity=2)
