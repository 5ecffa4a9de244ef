# An independent check of the `file-signature` header of MOSIP entity files and scripts
# (docs/sync.md, "Entity files"): a detached compact JWS (RFC 7515 appendix F), BASE64URL(header)
# ".." BASE64URL(signature), RS256, whose payload is what MOSIP's registration client rebuilds
# from the file it decrypted: {"hash":"<upper-case hex SHA-256 of the file>"}; signing input
# BASE64URL(header) "." BASE64URL(payload). With python3-cryptography.
#
# Usage: mosip_file_signature.py IN OUT. Each input line is a JSON object {"key": "<public key
# PEM>", "jws": "<header>", "file_b64": "<the file in clear, standard base64>"}; each output line
# is "OK <kid>" or "BAD <reason>".
import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check(case):
    parts = case["jws"].split(".")
    if len(parts) != 3 or parts[1] != "":
        return "BAD not a detached compact JWS"
    header = json.loads(b64url_decode(parts[0]))
    if header.get("alg") != "RS256":
        return "BAD alg " + str(header.get("alg"))
    content = base64.b64decode(case["file_b64"])
    payload = '{"hash":"%s"}' % hashlib.sha256(content).hexdigest().upper()
    signing_input = (parts[0] + "." + b64url(payload.encode())).encode()
    key = serialization.load_pem_public_key(case["key"].encode())
    try:
        key.verify(b64url_decode(parts[2]), signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return "BAD signature"
    return "OK " + header.get("kid", "")


def main():
    with open(sys.argv[1]) as src, open(sys.argv[2], "w") as out:
        for line in src:
            if line.strip():
                out.write(check(json.loads(line)) + "\n")


if __name__ == "__main__":
    main()
