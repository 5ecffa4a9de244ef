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
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from jwcrypto import jwk, jws, jwt
from jwcrypto.common import json_encode

BINARY = os.environ.get("REGISTRAR_TEST_BINARY")
ALGS = {
    "EdDSA": lambda: jwk.JWK.generate(kty="OKP", crv="Ed25519"),
    "ES256": lambda: jwk.JWK.generate(kty="EC", crv="P-256"),
    "RS256": lambda: jwk.JWK.generate(kty="RSA", size=2048),
    "PS256": lambda: jwk.JWK.generate(kty="RSA", size=2048),
}


def request(method, url, body=None, headers=None):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Registrar:
    """One registrar process with its own directory, database and master key."""

    def __init__(self, extra_config=""):
        self.dir = tempfile.mkdtemp(prefix="registrar-interop-")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRAR_")}
        self.env.update({
            "REGISTRAR_DATABASE_URL": "sqlite:" + os.path.join(self.dir, "r.db"),
            "REGISTRAR_IDENTITY_MASTER_KEY_FILE": os.path.join(self.dir, "master.key"),
            "REGISTRAR_IDENTITY_PASSWORD_HASH_COST": "minimal",
            "REGISTRAR_LOG_FILE": os.path.join(self.dir, "log.txt"),
        })
        self.config = os.path.join(self.dir, "r.toml")
        with open(self.config, "w") as f:
            f.write('[server]\nlisten = "127.0.0.1:0"\nport_file = "%s"\n%s\n'
                    % (os.path.join(self.dir, "port"), extra_config))
        self.proc = None

    def cli(self, *args):
        out = subprocess.run([BINARY, "--config", self.config, *args], env=self.env,
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError("registrar %s failed: %s %s" % (args, out.stdout, out.stderr))
        return out.stdout

    def start(self):
        self.proc = subprocess.Popen([BINARY, "--config", self.config, "serve"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.dir, "port")
        for _ in range(1500):
            if os.path.exists(port_file):
                with open(port_file) as f:
                    text = f.read()
                if text.endswith("\n"):
                    self.url = "http://127.0.0.1:%d" % int(text)
                    return self
            if self.proc.poll() is not None:
                raise RuntimeError("registrar exited during start")
            time.sleep(0.01)
        raise RuntimeError("registrar did not start")

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, name, *scopes):
        secret_file = os.path.join(self.dir, name + ".secret")
        args = ["clients", "add", name, "--secret-file", secret_file]
        for s in scopes:
            args += ["--scope", s]
        self.cli(*args)
        with open(secret_file) as f:
            return f.readline().strip()

    def token(self, client, secret, scope=None):
        form = {"grant_type": "client_credentials"}
        if scope:
            form["scope"] = scope
        basic = base64.b64encode(("%s:%s" % (client, secret)).encode()).decode()
        status, body = request("POST", self.url + "/oauth2/token", urllib.parse.urlencode(form),
                               {"Authorization": "Basic " + basic,
                                "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, body
        return json.loads(body)["access_token"]


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
