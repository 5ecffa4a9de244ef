# An independent decryption of MOSIP's sync "data" (spec mosip-ids-and-sync.md §6.2), with
# python3-cryptography, to check registrar's encrypt_for_machine against: base64url(RSA-OAEP
# (SHA-256, MGF1-SHA-256) wrapped AES-256 key || 12-byte IV || 32-byte AAD || AES-GCM ciphertext
# and 16-byte tag).
#
# Usage: mosip_decrypt.py IN OUT. Each input line is a JSON object {"key": "<PKCS#8 PEM private
# key>", "data": "<base64url>"}; each output line is the plaintext (UTF-8, one line) or
# "ERROR <reason>".
import base64
import json
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

IV_BYTES = 12
AAD_BYTES = 32


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decrypt(key_pem, data):
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    raw = b64url_decode(data)
    wrapped_len = key.key_size // 8
    wrapped = raw[:wrapped_len]
    iv = raw[wrapped_len:wrapped_len + IV_BYTES]
    aad = raw[wrapped_len + IV_BYTES:wrapped_len + IV_BYTES + AAD_BYTES]
    sealed = raw[wrapped_len + IV_BYTES + AAD_BYTES:]
    aes_key = key.decrypt(
        wrapped,
        padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None),
    )
    if len(aes_key) != 32:
        raise ValueError("the wrapped key is not AES-256")
    return AESGCM(aes_key).decrypt(iv, sealed, aad).decode("utf-8")


def main():
    with open(sys.argv[1]) as src, open(sys.argv[2], "w") as out:
        for line in src:
            if not line.strip():
                continue
            case = json.loads(line)
            try:
                out.write(decrypt(case["key"], case["data"]).replace("\n", " ") + "\n")
            except Exception as e:  # reported to the test, which fails on it
                out.write("ERROR " + type(e).__name__ + " " + str(e).replace("\n", " ") + "\n")


if __name__ == "__main__":
    main()
