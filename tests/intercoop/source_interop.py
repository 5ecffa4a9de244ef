#!/usr/bin/python3
"""The intercoop source side checked from the outside: the real registrar binary
(REGISTRAR_TEST_BINARY) sends a member's data to a 1.0 target written in Python from the spec
alone (intercoop_peer.py: python3-yaml, python3-cryptography), which verifies the package with
the public key of registrar's own `registrar intercoop descriptor`. The member signs in with the
OAuth2 password grant (an identity user named as the member). For each backend:
  - the POST goes to targetUrl + /activateService with Content-Type application/yaml, and
    carries originpeer and exactly the service's fields, in the member record's order, typed as
    the original reads them ('01022' stays text, non-ASCII as UTF-8);
  - the answer's continuationUrl reaches the member and the consent log;
  - a §3.3 refusal (BadPeer) and an answer the original's client refuses (a charset on the
    Content-Type) are logged with their error and told to the member as a 502;
  - to a peer that declared intercoop 2.0 (pyhard), registrar sends 2.0: the Python target
    checks the Ed25519 signature with our descriptor's publickeyEd25519 and the binding (its
    own id, the service, the validity, a fresh nonce each time); the log records 2.0, and a
    refused 2.0 package is not sent again in 1.0.
"""
import base64
import http.server
import json
import os
import socket
import sys
import tempfile
import threading
import unittest
import urllib.parse
import uuid as uuidlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
import intercoop_peer as peer  # noqa: E402
from registrar_process import Registrar, backends, request  # noqa: E402

STATUS = peer.STATUS


class Target:
    """A 1.0 target as the original's Flask API answers (§4.5), on a loopback port."""

    def __init__(self):
        self.keyring = {}
        self.keyring2 = {}  # 2.0: peer id -> Ed25519 key
        self.seen = set()   # 2.0: (peer, nonce) received
        self.received = []  # (path, content type, values or error name)
        self.payloads = []  # 2.0: each package's decoded payload, as read
        self.content_type = "application/yaml"
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                try:
                    if self.path.startswith("/hard/"):  # pyhard: 2.0 only, service contract
                        container = peer.yaml.safe_load(body)
                        target.payloads.append(peer.yaml.safe_load(
                            base64.urlsafe_b64decode(container["payload"])))
                        values = peer.parse_v2(target.keyring2, body, "pyhard", "contract",
                                               target.seen)
                    else:
                        values = peer.parse(target.keyring, body)
                    token = str(uuidlib.uuid4())
                    status, answer = 200, peer.dump(
                        {"uuid": token,
                         "continuationUrl": "https://target.example/contract?token=" + token})
                    target.received.append((self.path, self.headers.get("Content-Type"), values))
                except peer.MessageError as e:
                    status = STATUS[e.name]
                    answer = peer.dump({"error": e.name, "message": str(e),
                                        "arguments": e.arguments})
                    target.received.append((self.path, self.headers.get("Content-Type"), e.name))
                data = answer.encode()
                self.send_response(status)
                self.send_header("Content-Type", target.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


class SourceBase:
    backend = "sqlite"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="intercoop-source-")
        cls.target = Target()
        cls.r = Registrar('[intercoop]\npeer_id = "sourcecoop"\nname = "Source Coop"\n',
                          backend=cls.backend)
        # The target trusts the key our descriptor publishes.
        ours = cls.r.cli("intercoop", "descriptor")
        ours = ours[ours.index("intercoopVersion:"):]
        descriptor = peer.yaml.safe_load(ours)
        assert descriptor["peerid"] == "sourcecoop", ours
        cls.our_key = serialization.load_pem_public_key(descriptor["publickey"].encode())
        cls.target.keyring["sourcecoop"] = cls.our_key
        assert descriptor["intercoopVersions"] == ["1.0", "2.0"], ours
        cls.our_key2 = serialization.load_pem_public_key(
            descriptor["publickeyEd25519"].encode())
        assert isinstance(cls.our_key2, ed25519.Ed25519PublicKey), ours
        # We import the target's descriptor: its targetUrl and its service's fields.
        target_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        theirs = {
            "intercoopVersion": "1.0", "peerVersion": 1, "peerid": "pytarget",
            "name": "Py Target", "logo": "https://target.example/logo.png",
            "description": {"es": "Objetivo"}, "url": {"es": "https://target.example"},
            "privacyPolicyUrl": {"es": "https://target.example/privacy"},
            "targetUrl": cls.target.url + "/intercoop",
            "fields": ["originpeer", "nif"],
            "services": {
                "contract": {"name": {"es": "Contrato"}, "description": {"es": "Luz"},
                             "fields": ["postalcode", "name", "nif", "originpeer"]},
                "basic": {"name": {"es": "Básico"}, "description": {"es": "Sin campos propios"}},
            },
            "publickey": target_key.public_key().public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
        }
        cls.r.cli("intercoop", "peers", "import", cls.write("pytarget.yaml", peer.dump(theirs)))
        # A peer nobody answers for: a port held bound but not listening for the whole class, so
        # that connecting is refused and no server of a test running beside this one can take
        # the port meanwhile (a port that was merely free once was, and answered).
        cls.closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        cls.closed.bind(("127.0.0.1", 0))
        closed_url = "http://127.0.0.1:%d/intercoop" % cls.closed.getsockname()[1]
        gone = dict(theirs, peerid="gone", name="Gone Coop", targetUrl=closed_url)
        cls.r.cli("intercoop", "peers", "import", cls.write("gone.yaml", peer.dump(gone)))
        # A 2.0-only target (another path of the same Python server).
        hard = dict(theirs, peerid="pyhard", name="Py Hard", targetUrl=cls.target.url + "/hard",
                    intercoopVersions=["2.0"],
                    publickeyEd25519=ed25519.Ed25519PrivateKey.generate().public_key()
                    .public_bytes(serialization.Encoding.PEM,
                                  serialization.PublicFormat.SubjectPublicKeyInfo).decode())
        del hard["publickey"]
        cls.r.cli("intercoop", "peers", "import", cls.write("pyhard.yaml", peer.dump(hard)))
        cls.r.cli("intercoop", "members", "import", cls.write(
            "members.csv",
            "member,name,nif,email,postalcode,lang\n"
            "nuria,\"Pla i Font, Núria\",12345678Z,nuria@example.org,01022,ca\n"))
        # The member signs in as themself: an identity user named as the member.
        password_file = cls.write("nuria.password", "correct horse battery\n")
        cls.r.cli("users", "add", "nuria", "--scope", "intercoop:member",
                  "--password-file", password_file)
        portal_secret = cls.r.client("portal")
        cls.r.start()
        status, body = request(
            "POST", cls.r.url + "/oauth2/token",
            urllib.parse.urlencode({"grant_type": "password", "username": "nuria",
                                    "password": "correct horse battery",
                                    "scope": "intercoop:member"}),
            {"Authorization": "Basic " + base64.b64encode(
                ("portal:" + portal_secret).encode()).decode(),
             "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, body
        cls.token = json.loads(body)["access_token"]

    @classmethod
    def tearDownClass(cls):
        cls.r.stop()
        cls.target.stop()
        cls.closed.close()

    @classmethod
    def write(cls, name, text):
        path = os.path.join(cls.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def send(self, service="contract", to="pytarget"):
        status, body = request(
            "POST", self.r.url + "/v1/intercoop/transfers",
            json.dumps({"member": "nuria", "peer": to, "service": service}),
            {"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        return status, json.loads(body)

    def log(self):
        status, body = request("GET", self.r.url + "/v1/intercoop/transfers?member=nuria",
                               headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(status, 200, body)
        return json.loads(body)["transfers"]

    def setUp(self):
        self.target.received.clear()
        self.target.payloads.clear()
        self.target.content_type = "application/yaml"
        self.target.keyring["sourcecoop"] = self.our_key
        self.target.keyring2["sourcecoop"] = self.our_key2

    def test_the_target_verifies_what_we_send(self):
        # The consent preview: the descriptor's texts in the member's language (ca, else es).
        status, body = request(
            "GET", self.r.url + "/v1/intercoop/transfers/preview?member=nuria&peer=pytarget"
            "&service=contract", headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(status, 200, body)
        shown = json.loads(body)
        self.assertEqual((shown["title"], shown["description"]), ("Contrato", "Luz"))
        self.assertEqual(shown["privacy_policy_url"], "https://target.example/privacy")
        self.assertEqual(self.target.received, [])
        status, answer = self.send()
        self.assertEqual(status, 200, answer)
        self.assertEqual(len(self.target.received), 1)
        path, content_type, values = self.target.received[0]
        self.assertEqual(path, "/intercoop/activateService")
        self.assertEqual(content_type, "application/yaml")
        # Exactly the service's fields, in the member record's order; YAML 1.1 typing kept
        # '01022' text.
        self.assertEqual(list(values.items()),
                         [("originpeer", "sourcecoop"), ("name", "Pla i Font, Núria"),
                          ("nif", "12345678Z"), ("postalcode", "01022")])
        self.assertEqual(values, shown["fields"])
        self.assertTrue(answer["continuation_url"].startswith(
            "https://target.example/contract?token="), answer)
        entry = self.log()[0]
        self.assertEqual(entry["outcome"], "accepted")
        self.assertEqual(entry["answer"]["continuation_url"], answer["continuation_url"])
        self.assertEqual(entry["url"], self.target.url + "/intercoop/activateService")

    def test_a_2_0_target_verifies_what_we_send(self):
        status, body = request(
            "GET", self.r.url + "/v1/intercoop/transfers/preview?member=nuria&peer=pyhard"
            "&service=contract", headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["version"], "2.0")
        for _ in range(2):  # a fresh nonce each time: the second is no replay
            status, answer = self.send(to="pyhard")
            self.assertEqual(status, 200, answer)
        self.assertEqual(len(self.target.received), 2)
        path, content_type, values = self.target.received[0]
        self.assertEqual((path, content_type), ("/hard/activateService", "application/yaml"))
        self.assertEqual(list(values.items()),
                         [("originpeer", "sourcecoop"), ("name", "Pla i Font, Núria"),
                          ("nif", "12345678Z"), ("postalcode", "01022")])
        first, second = self.target.payloads
        self.assertEqual(list(first), ["intercoopVersion", "originpeer", "targetpeer", "service",
                                       "issued", "expires", "nonce", "fields"])
        self.assertEqual((first["intercoopVersion"], first["targetpeer"], first["service"]),
                         ("2.0", "pyhard", "contract"))
        self.assertEqual(first["expires"] - first["issued"], 300)
        self.assertNotEqual(first["nonce"], second["nonce"])
        entries = self.log()
        self.assertEqual([(e["version"], e["outcome"]) for e in entries],
                         [("2.0", "accepted")] * 2)
        self.assertEqual(entries[0]["url"], self.target.url + "/hard/activateService")
        # The 1.0 target is still sent 1.0.
        self.assertEqual(self.send()[0], 200)
        self.assertEqual(self.log()[0]["version"], "1.0")

    def test_a_refused_2_0_package_is_not_sent_again_in_1_0(self):
        del self.target.keyring2["sourcecoop"]
        status, answer = self.send(to="pyhard")
        self.assertEqual(status, 502, answer)
        self.assertEqual(answer["error"], "BadPeer")
        self.assertEqual(len(self.target.received), 1)
        entry = self.log()[0]
        self.assertEqual((entry["version"], entry["outcome"]), ("2.0", "refused"))

    def test_a_service_without_its_own_fields_sends_the_descriptors_fields(self):
        status, answer = self.send("basic")
        self.assertEqual(status, 200, answer)
        self.assertEqual(self.target.received[0][2], {"originpeer": "sourcecoop",
                                                      "nif": "12345678Z"})

    def test_a_refusal_is_logged_with_its_class(self):
        del self.target.keyring["sourcecoop"]  # the target no longer knows us
        status, answer = self.send()
        self.assertEqual(status, 502, answer)
        self.assertEqual(answer["error"], "BadPeer")
        self.assertEqual(answer["message"], "The entity 'sourcecoop' is not a recognized one")
        self.assertIn("Py Target", answer["detail"])
        entry = self.log()[0]
        self.assertEqual(entry["id"], answer["consent"])
        self.assertEqual(entry["outcome"], "refused")
        self.assertEqual(entry["answer"], {"status": 403, "error": "BadPeer",
                                           "message": answer["message"],
                                           "arguments": ["sourcecoop"]})

    def test_an_answer_the_original_client_refuses_is_a_backend_error(self):
        self.target.content_type = "application/yaml; charset=utf-8"  # §4.6, §7.9
        status, answer = self.send()
        self.assertEqual(status, 502, answer)
        self.assertEqual(answer["error"], "BackendError")
        self.assertEqual(answer["message"], "Error comunicating with the other entity\n"
                         "Wrong mime type received: application/yaml; charset=utf-8")
        self.assertEqual(len(self.target.received), 1)  # it was sent; the answer was not read
        # The target may well have kept it: not a refusal.
        self.assertEqual(self.log()[0]["outcome"], "unanswered")

    def test_an_unreachable_target_is_logged_as_a_backend_error(self):
        status, answer = self.send(to="gone")
        self.assertEqual(status, 502, answer)
        self.assertEqual(answer["error"], "BackendError")
        self.assertIn("Gone Coop", answer["detail"])
        entry = self.log()[0]
        self.assertEqual((entry["peer"], entry["outcome"]), ("gone", "unanswered"))
        self.assertEqual(entry["answer"]["status"], 0)
        self.assertEqual(entry["fields"]["nif"], "12345678Z")  # what was meant to go is on record


for _backend in backends():
    globals()["Source_" + _backend] = type("Source_" + _backend, (SourceBase, unittest.TestCase),
                                           {"backend": _backend})

if __name__ == "__main__":
    unittest.main(verbosity=2)
