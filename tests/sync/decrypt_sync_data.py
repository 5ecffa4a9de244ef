# Decrypts MOSIP clientsettings "data" with a machine's RSA private key, independently of the
# C++ code (python3-cryptography): base64url(wrapped AES key | 12-byte IV | 32-byte AAD |
# AES-256-GCM ciphertext with its 16-byte tag), the key wrapped with RSA-OAEP (SHA-256, MGF1
# SHA-256), as MOSIP's ClientCryptoFacade for LOCAL keys (spec mosip-ids-and-sync.md section 6.2).
#
# argv[1]: input, one case per line: "<private key PEM file>\t<base64url data>".
# argv[2]: output, one line per case: the plaintext (UTF-8), or "ERROR <reason>".
import base64
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def decrypt(key_file, data):
    with open(key_file, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    n = key.key_size // 8
    wrapped, iv, aad, sealed = raw[:n], raw[n:n + 12], raw[n + 12:n + 44], raw[n + 44:]
    aes_key = key.decrypt(
        wrapped,
        padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(),
                     label=None))
    return AESGCM(aes_key).decrypt(iv, sealed, aad).decode("utf-8")


with open(sys.argv[1]) as src, open(sys.argv[2], "w") as out:
    for line in src:
        line = line.rstrip("\n")
        if not line:
            continue
        key_file, data = line.split("\t", 1)
        try:
            out.write(decrypt(key_file, data) + "\n")
        except Exception as e:  # reported to the test, which fails on it
            out.write("ERROR " + type(e).__name__ + "\n")
