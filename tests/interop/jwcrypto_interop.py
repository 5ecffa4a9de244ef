#!/usr/bin/python3
"""Interoperability of registrar's JOSE with an independent implementation (python3-jwcrypto).

Starts the real registrar binary (path in REGISTRAR_TEST_BINARY) on loopback ports with SQLite
files in a temporary directory, and checks, for every algorithm (EdDSA, ES256, RS256, PS256):
  - tokens and JWKS that registrar issues verify with jwcrypto;
  - challenges that jwcrypto signs (compact, flattened, general) verify in registrar;
  - tokens that jwcrypto signs as a trusted external issuer are accepted by registrar's
    authentication middleware, and expired / alg=none / wrongly signed ones are refused.
"""
import base64
import http.server
import json
import os
import sys
import threading
import time
import unittest

from jwcrypto import jwk, jws, jwt
from jwcrypto.common import json_encode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registrar_process import BINARY, Registrar, request  # noqa: E402

ALGS = {
    "EdDSA": lambda: jwk.JWK.generate(kty="OKP", crv="Ed25519"),
    "ES256": lambda: jwk.JWK.generate(kty="EC", crv="P-256"),
    "RS256": lambda: jwk.JWK.generate(kty="RSA", size=2048),
    "PS256": lambda: jwk.JWK.generate(kty="RSA", size=2048),
}


class RegistrarIssuesJwcryptoVerifies(unittest.TestCase):
    def test_tokens_and_jwks_for_every_algorithm(self):
        for alg in ALGS:
            with self.subTest(alg=alg):
                r = Registrar('[identity]\nsigning_alg = "%s"\nissuer = "https://registrar.interop"\n' % alg)
                try:
                    secret = r.client("app", "read")
                    r.start()
                    token = r.token("app", secret, "read")
                    status, body = request("GET", r.url + "/.well-known/jwks.json")
                    self.assertEqual(status, 200)
                    keyset = jwk.JWKSet.from_json(body)
                    checked = jwt.JWT(jwt=token, key=keyset, algs=[alg],
                                      check_claims={"iss": "https://registrar.interop", "exp": None})
                    claims = json.loads(checked.claims)
                    self.assertEqual(claims["client_id"], "app")
                    self.assertEqual(claims["scope"], "read")
                    header = json.loads(checked.header)
                    self.assertEqual(header["alg"], alg)
                    # A token with one flipped signature byte does not verify in jwcrypto either.
                    head, payload, sig = token.split(".")
                    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
                    raw[0] ^= 1
                    bad = ".".join([head, payload, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")])
                    with self.assertRaises(Exception):
                        jwt.JWT(jwt=bad, key=keyset, algs=[alg])
                finally:
                    r.stop()


class JwcryptoSignsRegistrarVerifies(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = Registrar()
        secret = cls.r.client("app", "gen_id_challenge", "verify_identity")
        cls.r.start()
        cls.auth = {"Authorization": "Bearer " + cls.r.token("app", secret),
                    "Content-Type": "application/json"}

    @classmethod
    def tearDownClass(cls):
        cls.r.stop()

    def challenge(self, public_key_pem):
        status, body = request("POST", self.r.url + "/v1/identity/challenges",
                               json.dumps({"public_key": public_key_pem}), self.auth)
        self.assertEqual(status, 201, body)
        return json.loads(body)["nonce"]

    def verify(self, signature, public_key=None):
        payload = {"signature": signature}
        if public_key:
            payload["public_key"] = public_key
        return request("POST", self.r.url + "/v1/identity/challenges/verify", json.dumps(payload),
                       self.auth)

    def test_challenges_in_every_serialisation(self):
        for alg, make in ALGS.items():
            key = make()
            pem = key.export_to_pem().decode()
            for form in ("compact", "flattened", "general"):
                with self.subTest(alg=alg, form=form):
                    nonce = self.challenge(pem)
                    token = jws.JWS(json_encode({"nonce": nonce}))
                    token.add_signature(key, alg=alg, protected=json_encode({"alg": alg}))
                    if form == "compact":
                        signature = token.serialize(compact=True)
                    else:
                        signature = json.loads(token.serialize(compact=False))
                        if form == "general":
                            signature = {"payload": signature["payload"],
                                         "signatures": [{"protected": signature["protected"],
                                                         "signature": signature["signature"]}]}
                    status, body = self.verify(signature)
                    self.assertEqual(status, 200, body)
                    self.assertEqual(json.loads(body)["key_thumbprint"], key.thumbprint())
                    status, _ = self.verify(signature)
                    self.assertEqual(status, 410)  # single use

    def test_jwk_public_key_and_dhp_route(self):
        key = ALGS["RS256"]()
        public_jwk = key.export_public()
        status, body = request("POST", self.r.url + "/dhp/generate", "{}", self.auth)
        self.assertEqual(status, 200, body)
        nonce = json.loads(body)["challenge"]["nonce"]
        token = jws.JWS(json_encode({"challenge": {"nonce": nonce}}))
        token.add_signature(key, alg="RS256", protected=json_encode({"alg": "RS256"}))
        status, body = request("POST", self.r.url + "/dhp/verify",
                               json.dumps({"public_key": public_jwk,
                                           "signature": token.serialize(compact=True)}), self.auth)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {"verified": True})


class JwksHandler(http.server.BaseHTTPRequestHandler):
    body = b"{}"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


class JwcryptoIssuerTrustedByRegistrar(unittest.TestCase):
    def test_external_tokens_for_every_algorithm(self):
        keys = {alg: make() for alg, make in ALGS.items()}
        keyset = jwk.JWKSet()
        for alg, key in keys.items():
            key.update(kid="ext-" + alg, alg=alg, use="sig")  # noqa: jwcrypto sets members this way
            keyset.add(key)
        JwksHandler.body = keyset.export(private_keys=False).encode()
        server = http.server.HTTPServer(("127.0.0.1", 0), JwksHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        jwks_url = "http://127.0.0.1:%d/jwks" % server.server_port
        r = Registrar('[identity]\ntrusted_issuers = [{issuer = "https://idp.interop", jwks_url = "%s", '
                      'audience = "registrar"}]\n' % jwks_url)
        try:
            r.start()
            now = int(time.time())
            for alg, key in keys.items():
                with self.subTest(alg=alg):
                    claims = {"iss": "https://idp.interop", "sub": "org:1", "aud": "registrar",
                              "iat": now, "exp": now + 120, "scope": "read", "client_id": "ext"}
                    t = jwt.JWT(header={"alg": alg, "kid": "ext-" + alg}, claims=claims)
                    t.make_signed_token(key)
                    status, body = request("GET", r.url + "/v1/identity/whoami",
                                           headers={"Authorization": "Bearer " + t.serialize()})
                    self.assertEqual(status, 200, body)
                    self.assertEqual(json.loads(body)["issuer"], "https://idp.interop")
                    expired = dict(claims, exp=now - 3600, iat=now - 7200)
                    t = jwt.JWT(header={"alg": alg, "kid": "ext-" + alg}, claims=expired)
                    t.make_signed_token(key)
                    status, _ = request("GET", r.url + "/v1/identity/whoami",
                                        headers={"Authorization": "Bearer " + t.serialize()})
                    self.assertEqual(status, 401)
            unsigned = (base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=") + "." +
                        base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=") + ".")
            status, _ = request("GET", r.url + "/v1/identity/whoami",
                                headers={"Authorization": "Bearer " + unsigned})
            self.assertEqual(status, 401)
        finally:
            r.stop()
            server.shutdown()


if __name__ == "__main__":
    if not BINARY:
        sys.exit("REGISTRAR_TEST_BINARY must name the registrar binary")
    unittest.main(verbosity=2)
