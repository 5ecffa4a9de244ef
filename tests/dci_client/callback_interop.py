#!/usr/bin/python3
"""The DCI client's callback routes and trusted IBR senders, checked from the outside: the real
registrar binary (REGISTRAR_TEST_BINARY) on loopback, IBR callbacks built by an independent
signer (tests/interop/dci_peer.py, python3-nacl, written from dci-ibr.md §7 alone), senders
managed through `registrar dci senders` and /v1/dci/senders, their JWKS served by a loopback
server. For each backend (SQLite, and PostgreSQL when REGISTRAR_TEST_PG_URL is set):
  - a signed on-search / on-subscribe callback is acknowledged with OpenSPP's ack body, on the
    /dci_api/v1/ibr/... paths and their /dci_api/ibr/... aliases;
  - tampered, expired, future-created, unsigned, unknown-sender, disabled-sender and wrong-key
    callbacks are refused with the §7.8 status and a DCI ERR ack, and never reach the checks (the
    handler logs every callback it hands over; a refused one's correlation id is never logged);
  - a key rotation at the IBR (its JWKS changes key and kid) is picked up without an operator;
  - a JWKS whose only key carries another sender's prefix is not used.
"""
import json
import os
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.join(os.path.dirname(HERE), "interop")
sys.path.insert(0, INTEROP)
from dci_peer import Peer  # noqa: E402
from ibr_conformance import JwksServer  # noqa: E402
from registrar_process import Registrar, backends, request  # noqa: E402

JSON = {"Content-Type": "application/json"}
ON_SEARCH = "/dci_api/v1/ibr/on-search"


def search_message(correlation_id):
    return {"transaction_id": "t-" + correlation_id, "correlation_id": correlation_id,
            "search_response": [{"status": "succ", "data": {"reg_records": [
                {"programs": [{"name": "Cash Transfer"}]}]}}]}


class CallbacksBase:
    backend = "sqlite"

    @classmethod
    def setUpClass(cls):
        cls.jwks = JwksServer()
        cls.ibr = Peer("ibr.national.gov", "2026-k1")
        cls.retired = Peer("ibr.retired", "k1")
        # Refetches are not rate-limited here, so each test's rotation is seen at once.
        cls.r = Registrar("[dci_client]\njwks.min_refetch_ms = 0\n", backend=cls.backend)
        for p in (cls.ibr, cls.retired):
            cls.r.cli("dci", "senders", "add", p.sender_id, "--name", "Python IBR",
                      "--public-key", p.public_key_b64())
        cls.r.cli("dci", "senders", "disable", cls.retired.sender_id)
        secret = cls.r.client("ops", "dci:admin")
        cls.r.start()
        cls.admin = {"Authorization": "Bearer " + cls.r.token("ops", secret),
                     "Content-Type": "application/json"}

    @classmethod
    def tearDownClass(cls):
        cls.r.stop()
        cls.jwks.stop()

    def callback(self, peer, message, path=ON_SEARCH, action="on-search", **sign):
        header = peer.header(action, str(uuid.uuid4()), receiver_id="registrar-client")
        return self.post(path, peer.envelope(header, message, **sign))

    def post(self, path, envelope, raw=None):
        status, text = request("POST", self.r.url + path,
                               raw if raw is not None else json.dumps(envelope), JSON)
        return status, json.loads(text)

    def handed_over(self, correlation_id):
        """Whether the on-search handler handed a callback with this id to the checks."""
        time.sleep(0.05)  # the log is written by the server's threads
        return ('"correlation_id":"%s"' % correlation_id) in self.r.log()

    def add_sender(self, sender_id, url):
        status, body = request("POST", self.r.url + "/v1/dci/senders",
                               json.dumps({"sender_id": sender_id, "jwks_url": url}), self.admin)
        self.assertEqual(status, 201, body)

    def test_signed_callbacks_are_acknowledged(self):
        for path in (ON_SEARCH, "/dci_api/ibr/on-search"):
            cid = "OK-" + uuid.uuid4().hex
            status, ack = self.callback(self.ibr, search_message(cid), path)
            self.assertEqual(status, 200, ack)
            self.assertEqual(set(ack["message"]), {"ack_status", "timestamp", "error",
                                                   "correlation_id"})
            self.assertEqual(ack["message"]["ack_status"], "rcvd")
            self.assertEqual(ack["message"]["correlation_id"], cid)
            # No check waits for it (this binary's checks know none): said in the ack.
            self.assertEqual(ack["message"]["error"]["code"], "rjct.correlation_id.unknown")
            self.assertTrue(self.handed_over(cid))
        for path in ("/dci_api/v1/ibr/on-subscribe", "/dci_api/ibr/on-subscribe"):
            status, ack = self.callback(self.ibr, {"correlation_id": "SUB-1"}, path,
                                        action="on-subscribe")
            self.assertEqual(status, 200, ack)
            self.assertEqual(ack["message"], {"ack_status": "rcvd",
                                              "timestamp": ack["message"]["timestamp"],
                                              "error": None, "correlation_id": "SUB-1"})

    def test_refused_callbacks_never_reach_the_checks(self):
        now = int(time.time())
        stranger = Peer("ibr.stranger", "k1")
        impostor = Peer(self.ibr.sender_id, self.ibr.key_id)  # right names, wrong key

        def tampered(cid):
            header = self.ibr.header("on-search", str(uuid.uuid4()))
            env = self.ibr.envelope(header, search_message(cid))
            env["message"]["search_response"][0]["data"]["reg_records"] = []
            return env

        def unsigned(value):
            def make(cid):
                env = {"header": self.ibr.header("on-search", str(uuid.uuid4())),
                       "message": search_message(cid)}
                if value is not None:
                    env["signature"] = value
                return env
            return make

        def signed(peer, **sign):
            return lambda cid: peer.envelope(peer.header("on-search", str(uuid.uuid4())),
                                             search_message(cid), **sign)

        def no_sender_id(cid):
            header = self.ibr.header("on-search", str(uuid.uuid4()))
            header["sender_id"] = ""
            return self.ibr.envelope(header, search_message(cid))

        cases = [
            ("tampered", tampered, 401, "err.signature.invalid", "Invalid signature"),
            ("expired", signed(self.ibr, created=now - 1000), 401, "err.signature.invalid", ""),
            ("created in the future", signed(self.ibr, created=now + 3600), 401,
             "err.signature.invalid", ""),
            ("signature absent", unsigned(None), 401, "err.signature.missing",
             "Missing signature in envelope"),
            ("signature unsigned-stub", unsigned("unsigned-stub"), 401, "err.signature.missing",
             ""),
            ("unknown sender", signed(stranger), 401, "err.sender_id.invalid",
             "Unknown IBR sender_id: ibr.stranger"),
            ("disabled sender", signed(self.retired), 401, "err.sender_id.invalid", ""),
            ("wrong key", signed(impostor), 401, "err.signature.invalid", ""),
            ("sender_id empty", no_sender_id, 400, "err.sender_id.invalid",
             "Missing sender_id in message header"),
        ]
        for name, make, want_status, want_code, want_text in cases:
            with self.subTest(case=name):
                cid = "NO-" + uuid.uuid4().hex
                status, body = self.post(ON_SEARCH, make(cid))
                self.assertEqual(status, want_status, body)
                self.assertEqual(body["message"]["ack_status"], "ERR", body)
                self.assertEqual(body["message"]["error"]["code"], want_code, body)
                self.assertIn(want_text, body["message"]["error"]["message"])
                self.assertFalse(self.handed_over(cid), name)
        status, body = self.post(ON_SEARCH, None, raw="{not json")
        self.assertEqual(status, 400, body)
        self.assertEqual(body["message"]["ack_status"], "ERR")

    def test_key_rotation_at_the_ibr_needs_no_operator(self):
        old = Peer("ibr.rotating", "2026-a")
        new = Peer("ibr.rotating", "2026-b")
        path = "/rot-%s/jwks.json" % self.backend
        self.jwks.publish(path, old)
        self.add_sender(old.sender_id, self.jwks.base + path)
        status, ack = self.callback(old, search_message("ROT-1"))
        self.assertEqual(status, 200, ack)
        self.assertEqual(self.jwks.count(path), 1)
        self.jwks.publish(path, new)  # the IBR replaces its key
        status, ack = self.callback(new, search_message("ROT-2"))
        self.assertEqual(status, 200, ack)
        self.assertEqual(self.jwks.count(path), 2)
        status, ack = self.callback(old, search_message("ROT-3"))
        self.assertEqual(status, 401, ack)
        # The record shows the last fetch, through the admin API and the CLI.
        status, body = request("GET", self.r.url + "/v1/dci/senders/" + old.sender_id, None,
                               self.admin)
        self.assertEqual(status, 200, body)
        self.assertTrue(json.loads(body)["last_key_fetch_result"].startswith("ok: "))
        self.assertIn(new.kid, self.r.cli("dci", "senders", "list"))

    def test_a_key_under_another_senders_prefix_is_refused(self):
        peer = Peer("ibr.prefix", "k1")
        path = "/prefix-%s/jwks.json" % self.backend
        jwk = peer.jwk()
        jwk["kid"] = "ibr.someone-else|k1|ed25519"
        with self.jwks.lock:
            self.jwks.sets[path] = [jwk]
        self.add_sender(peer.sender_id, self.jwks.base + path)
        status, ack = self.callback(peer, search_message("PFX-1"))
        self.assertEqual(status, 401, ack)
        self.assertEqual(ack["message"]["error"]["code"], "err.signature.invalid")
        self.assertFalse(self.handed_over("PFX-1"))

    def test_admin_api_and_cli(self):
        peer = Peer("ibr.ops", "2026-a")
        path = "/ops-%s/jwks.json" % self.backend
        self.jwks.publish(path, peer)
        self.add_sender(peer.sender_id, self.jwks.base + path)
        out = self.r.cli("dci", "senders", "fetch-key", peer.sender_id)
        self.assertIn(peer.kid, out)
        status, body = request("POST", self.r.url + "/v1/dci/senders/%s/fetch-key"
                               % peer.sender_id, "", self.admin)
        self.assertEqual(status, 200, body)
        self.assertEqual([k["kid"] for k in json.loads(body)["keys"]], [peer.kid])
        status, body = request("GET", self.r.url + "/v1/dci/senders", None, self.admin)
        self.assertEqual(status, 200, body)
        self.assertIn(peer.sender_id, [s["sender_id"] for s in json.loads(body)["senders"]])
        status, body = request("POST", self.r.url + "/v1/dci/senders/%s/disable"
                               % peer.sender_id, "", self.admin)
        self.assertEqual(status, 204, body)
        status, ack = self.callback(peer, search_message("OPS-1"))
        self.assertEqual(status, 401, ack)
        status, body = request("GET", self.r.url + "/v1/dci/senders/nobody", None, self.admin)
        self.assertEqual(status, 404, body)
        # Without the dci:admin scope: refused.
        status, _ = request("GET", self.r.url + "/v1/dci/senders")
        self.assertEqual(status, 401)


for _backend in backends():
    _name = "Callbacks_%s" % _backend
    globals()[_name] = type(_name, (CallbacksBase, unittest.TestCase), {"backend": _backend})

if __name__ == "__main__":
    unittest.main()
