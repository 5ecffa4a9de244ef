# An independent decryption of MOSIP's sync "data" (spec mosip-ids-and-sync.md §6.2), with
# python3-cryptography, to check registrar's encrypt_for_machine against: base64url(RSA-OAEP
# wrapped AES-256 key || 12-byte IV || 32-byte AAD || AES-GCM ciphertext and 16-byte tag). The
# OAEP parameters are those of the machine's kind of key, as MOSIP's keymanager wraps them
# (ClientCryptoFacade.encrypt):
#   "local"   (LocalClientCryptoServiceImpl, CryptoCore): SHA-256, MGF1 SHA-256, no label;
#   "android" (AndroidClientCryptoServiceImpl): SHA-256, MGF1 SHA-1, no label;
#   "tpm"     (TPMClientCryptoServiceImpl -> TSS.Java TPMT_PUBLIC.encrypt(data, "")): the key's
#             nameAlg ("tpm_hash", default sha256) for OAEP and MGF1, label b"\0" (a TPM label is
#             the zero-terminated string; the TPM decrypts with the same label).
#
# Usage: mosip_decrypt.py IN OUT. Each input line is a JSON object {"key": "<PKCS#8 PEM private
# key>", "data": "<base64url>", "scheme": "local" | "android" | "tpm" (default local),
# "tpm_hash": "sha1" | "sha256" | ...}; each output line is the plaintext (UTF-8, one line) or
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


HASHES = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
          "sha512": hashes.SHA512}


def oaep(scheme, tpm_hash):
    if scheme == "local":
        return padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    if scheme == "android":
        return padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA256(), label=None)
    if scheme == "tpm":
        h = HASHES[tpm_hash]
        return padding.OAEP(mgf=padding.MGF1(algorithm=h()), algorithm=h(), label=b"\0")
    raise ValueError("unknown scheme " + scheme)


def decrypt(key_pem, data, scheme="local", tpm_hash="sha256"):
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    raw = b64url_decode(data)
    wrapped_len = key.key_size // 8
    wrapped = raw[:wrapped_len]
    iv = raw[wrapped_len:wrapped_len + IV_BYTES]
    aad = raw[wrapped_len + IV_BYTES:wrapped_len + IV_BYTES + AAD_BYTES]
    sealed = raw[wrapped_len + IV_BYTES + AAD_BYTES:]
    aes_key = key.decrypt(wrapped, oaep(scheme, tpm_hash))
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
                plain = decrypt(case["key"], case["data"], case.get("scheme", "local"),
                                case.get("tpm_hash", "sha256"))
                out.write(plain.replace("\n", " ") + "\n")
            except Exception as e:  # reported to the test, which fails on it
                out.write("ERROR " + type(e).__name__ + " " + str(e).replace("\n", " ") + "\n")


if __name__ == "__main__":
    main()
