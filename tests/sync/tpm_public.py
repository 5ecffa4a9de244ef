# An independent TPM 2.0 public area (TPMT_PUBLIC, TPM 2.0 Library Part 2 §12.2.4) for an RSA
# key, as MOSIP's registration client sends a TPM machine's encryption key (TSS.Java
# TPMT_PUBLIC.toTpm() of the primary key TPMClientCryptoServiceImpl.createRSAKey makes): nameAlg,
# attributes fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | decrypt, the standard
# EK policy, no symmetric algorithm, scheme OAEP with the name hash, 2048 bits, exponent 65537,
# the modulus. With python3-cryptography (for the modulus) and struct (for the layout).
#
# Usage: tpm_public.py IN OUT. Each input line is a JSON object {"key": "<PEM private key>",
# "name_alg": "sha256" | "sha1", "exponent": 65537 or 0}; each output line is a JSON object
# {"public": "<the structure, standard base64>", "keyIndex": "<MOSIP's key index of it: SHA-256
# of the structure's bytes, lower-case hex pairs joined by ':'>"}.
import base64
import hashlib
import json
import struct
import sys

from cryptography.hazmat.primitives import serialization

TPM_ALG_RSA = 0x0001
TPM_ALG_SHA1 = 0x0004
TPM_ALG_SHA256 = 0x000B
TPM_ALG_NULL = 0x0010
TPM_ALG_OAEP = 0x0017
# TPMA_OBJECT bits: fixedTPM 1, fixedParent 4, sensitiveDataOrigin 5, userWithAuth 6, decrypt 17.
ATTRIBUTES = (1 << 1) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 17)
EK_POLICY = bytes.fromhex("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa")
NAME_ALGS = {"sha1": TPM_ALG_SHA1, "sha256": TPM_ALG_SHA256}


def sized(data):  # a TPM2B: 16-bit big-endian size, then the bytes
    return struct.pack(">H", len(data)) + data


def tpmt_public(key_pem, name_alg, exponent):
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    numbers = key.public_key().public_numbers()
    modulus = numbers.n.to_bytes(key.key_size // 8, "big")
    alg = NAME_ALGS[name_alg]
    return (struct.pack(">HHI", TPM_ALG_RSA, alg, ATTRIBUTES) + sized(EK_POLICY) +
            struct.pack(">H", TPM_ALG_NULL) +                 # symmetric: none
            struct.pack(">HH", TPM_ALG_OAEP, alg) +            # scheme OAEP(name hash)
            struct.pack(">HI", key.key_size, exponent) +       # keyBits, exponent
            sized(modulus))                                    # unique: the modulus


def main():
    with open(sys.argv[1]) as src, open(sys.argv[2], "w") as out:
        for line in src:
            if line.strip():
                case = json.loads(line)
                data = tpmt_public(case["key"], case.get("name_alg", "sha256"), case.get("exponent", 65537))
                index = ":".join("%02x" % b for b in hashlib.sha256(data).digest())
                out.write(json.dumps({"public": base64.b64encode(data).decode(), "keyIndex": index}) + "\n")


if __name__ == "__main__":
    main()
