#!/usr/bin/python3
"""Writes the wrk body for POST /v1/identity/jws/verify: an EdDSA compact JWS made by jwcrypto (an
independent implementation) and its public JWK."""
import json
import sys

from jwcrypto import jwk, jws
from jwcrypto.common import json_encode

key = jwk.JWK.generate(kty="OKP", crv="Ed25519")
token = jws.JWS(json_encode({"nonce": "bench", "sub": "device-42"}))
token.add_signature(key, alg="EdDSA", protected=json_encode({"alg": "EdDSA"}))
body = {"jws": token.serialize(compact=True), "public_key": json.loads(key.export_public())}
sys.stdout.write(json.dumps(body))
