# An independent client of the cursor API, written from docs/sync.md ("Machine signatures",
# "Pull", "Push") with Debian's python3-cryptography and python3-requests: it computes the key
# index, signs each request as a compact JWS, pulls in small pages until caught up, pushes a
# change twice (idempotent) and checks that a tampered request is refused. Prints one JSON
# object with what it saw; the C++ test (cursor_http_test.cpp) asserts on it.
#
# usage: cursor_client.py BASE_URL SIGNING_KEY_PEM OUTPUT_JSON
import base64
import hashlib
import json
import sys
import time
import uuid

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def key_index(public_key):
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return ":".join("%02x" % b for b in hashlib.sha256(der).digest())


def sign(key, signing_input):
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256", key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return "ES256", r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "EdDSA", key.sign(signing_input)
    raise ValueError("unsupported key")


def authorization(key, method, target, body, iat=None):
    alg, _ = sign(key, b"probe")
    header = {"alg": alg, "kid": key_index(key.public_key())}
    payload = {"method": method, "path": target,
               "iat": int(time.time()) if iat is None else iat,
               "bodySha256": b64url(hashlib.sha256(body).digest())}
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(payload).encode())).encode("ascii")
    _, signature = sign(key, signing_input)
    return "Machine " + signing_input.decode("ascii") + "." + b64url(signature)


def call(base, key, method, target, body=b""):
    headers = {"Authorization": authorization(key, method, target, body)}
    if body:
        headers["Content-Type"] = "application/json"
    return requests.request(method, base + target, data=body, headers=headers, timeout=30)


def main():
    base, key_file, out_file = sys.argv[1:4]
    with open(key_file, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    out = {}

    # Pull in pages of 2 until caught up; keep the rows as the doc says.
    rows, seqs, cursor, pages = {}, [], "0", 0
    while True:
        r = call(base, key, "GET", "/v1/sync/pull?cursor=%s&limit=2" % cursor)
        r.raise_for_status()
        page = r.json()
        pages += 1
        for c in page["changes"]:
            seqs.append(c["seq"])
            k = "%s|%s|%s" % (c["entity"], c["id"], c["langCode"] or "")
            if c["op"] == "depart":
                rows.pop(k, None)
            else:
                rows[k] = c["version"]
        cursor = page["cursor"]
        if not page["more"]:
            break
    out["pages"] = pages
    out["seqs"] = seqs
    out["rows"] = sorted(rows)
    out["cursor"] = cursor
    out["scopes"] = page["scopes"]

    # Push a holiday of the machine's location, then the same change id again.
    change_id = str(uuid.uuid4())
    body = json.dumps({"changes": [{
        "changeId": change_id, "entity": "holidays", "op": "upsert", "baseVersion": 0,
        "row": {"holidayId": "py1", "holidayDate": "2027-05-01", "holidayName": "From Python",
                "locationCode": "LA", "langCode": "eng"}}]}).encode()
    first = call(base, key, "POST", "/v1/sync/push", body)
    again = call(base, key, "POST", "/v1/sync/push", body)
    out["push_status"] = [first.status_code, again.status_code]
    out["push"] = [first.json()["results"][0], again.json()["results"][0]]

    # The pushed row comes back through pull.
    r = call(base, key, "GET", "/v1/sync/pull?cursor=%s" % cursor)
    out["after_push"] = [(c["op"], c["id"], c["seq"]) for c in r.json()["changes"]]

    # Tampering: the signature covers the target, so changing the query is refused.
    headers = {"Authorization": authorization(key, "GET", "/v1/sync/pull?cursor=5", b"")}
    r = requests.get(base + "/v1/sync/pull?cursor=0", headers=headers, timeout=30)
    out["tampered"] = [r.status_code, r.json().get("detail")]
    # A stale signature.
    headers = {"Authorization": authorization(key, "GET", "/v1/sync/pull?cursor=0", b"",
                                              iat=int(time.time()) - 3600)}
    r = requests.get(base + "/v1/sync/pull?cursor=0", headers=headers, timeout=30)
    out["stale"] = [r.status_code, r.json().get("detail")]
    # A bad cursor: 400 naming it.
    r = call(base, key, "GET", "/v1/sync/pull?cursor=abc")
    out["bad_cursor"] = [r.status_code, r.json().get("field")]

    with open(out_file, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
