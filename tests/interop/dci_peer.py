"""An independent DCI signer and verifier, written from dci-ibr.md §7 alone (not from registrar's
C++), for the IBR conformance test (ibr_conformance.py).

  canonical = json.dumps({"header": H, "message": M}, sort_keys=True, separators=(",", ":"))
  digest    = base64(SHA-256(canonical as UTF-8))
  string    = "(created): C\\n(expires): E\\ndigest: D"
  signature = base64(Ed25519(private key, string))
and the envelope's `signature` member is the parameter list of §7.2.
"""
import base64
import hashlib
import json
import re
import time

import nacl.exceptions
import nacl.signing

# §7.2: the parameters, in that order, comma + space, values double-quoted.
SIGNATURE_FORMAT = ('namespace="dci", kidId="{kid}", algorithm="ed25519", created="{created}", '
                    'expires="{expires}", headers="(created) (expires) digest", '
                    'signature="{signature}"')
# §7.5 step 1: quoted or bare values.
PARAM = re.compile(r'(\w+)="([^"]+)"|(\w+)=([^\s,]+)')
# §7.2: the request header's complete field set, as a signer should emit it (§7.4).
REQUEST_HEADER_FIELDS = ("version", "message_id", "message_ts", "action", "sender_id", "sender_uri",
                         "receiver_id", "total_count", "is_msg_encrypted", "meta")


def canonical(header, message):
    return json.dumps({"header": header, "message": message}, sort_keys=True,
                      separators=(",", ":"))


def digest(header, message):
    return base64.b64encode(hashlib.sha256(canonical(header, message).encode("utf-8")).digest()).decode()


def signing_string(created, expires, header, message):
    return "(created): %s\n(expires): %s\ndigest: %s" % (created, expires,
                                                          digest(header, message))


def parse_params(signature):
    params = {}
    for m in PARAM.finditer(signature):
        if m.group(1):
            params[m.group(1)] = m.group(2)
        else:
            params[m.group(3)] = m.group(4)
    return params


def jwk_public_key(jwk):
    """An Ed25519 JWK (OKP) -> nacl VerifyKey."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("not an Ed25519 JWK: %r" % jwk)
    x = jwk["x"]
    return nacl.signing.VerifyKey(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))


class Peer:
    """A DCI sender: an Ed25519 key, a sender id and a key id."""

    def __init__(self, sender_id, key_id, seed=None):
        self.sender_id = sender_id
        self.key_id = key_id
        self.key = nacl.signing.SigningKey(seed) if seed else nacl.signing.SigningKey.generate()

    @property
    def kid(self):
        return "%s|%s|ed25519" % (self.sender_id, self.key_id)

    def public_key_b64(self):
        """Raw 32-byte public key in standard base64 (what OpenSPP's sender record accepts)."""
        return base64.b64encode(bytes(self.key.verify_key)).decode()

    def jwk(self):
        x = base64.urlsafe_b64encode(bytes(self.key.verify_key)).decode().rstrip("=")
        return {"kty": "OKP", "crv": "Ed25519", "kid": self.kid, "use": "sig", "alg": "EdDSA",
                "x": x}

    def header(self, action, message_id, receiver_id="registrar-ibr", total_count=1, now=None):
        """A complete request header (§7.4: the signer emits every field, nulls explicit)."""
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now if now is not None else time.time()))
        return {"version": "1.0.0", "message_id": message_id, "message_ts": ts, "action": action,
                "sender_id": self.sender_id, "sender_uri": None, "receiver_id": receiver_id,
                "total_count": total_count, "is_msg_encrypted": False, "meta": None}

    def sign(self, header, message, created=None, lifetime=300):
        created = int(time.time()) if created is None else int(created)
        expires = created + lifetime
        raw = self.key.sign(signing_string(created, expires, header, message).encode("utf-8"))
        return SIGNATURE_FORMAT.format(kid=self.kid, created=created, expires=expires,
                                       signature=base64.b64encode(raw.signature).decode())

    def envelope(self, header, message, **kw):
        return {"signature": self.sign(header, message, **kw), "header": header,
                "message": message}


def verify(envelope, verify_key, now=None, skew=60):
    """§7.5: True when the envelope's signature verifies with `verify_key` in its time window.
    The raw header is hashed: a signer that emits its complete header (as §7.4 recommends and
    registrar's answers must) signs exactly what it sends."""
    signature = envelope.get("signature")
    if not isinstance(signature, str):
        return False
    p = parse_params(signature)
    if not all(k in p for k in ("created", "expires", "signature", "algorithm")):
        return False
    if p["algorithm"] != "ed25519":
        return False
    now = int(time.time()) if now is None else now
    created, expires = int(p["created"]), int(p["expires"])
    if now > expires or created > now + skew:
        return False
    text = signing_string(created, expires, envelope["header"], envelope.get("message"))
    try:
        verify_key.verify(text.encode("utf-8"), base64.b64decode(p["signature"]))
        return True
    except (nacl.exceptions.BadSignatureError, ValueError):
        return False


def self_test():
    """The §7.9 vector, reproduced byte for byte."""
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    peer = Peer("ibr.national.gov", "2024-test-key", seed)
    header = {"version": "1.0.0", "message_id": "ibr-callback-001",
              "message_ts": "2024-01-15T10:30:00Z", "action": "on-search",
              "sender_id": "ibr.national.gov", "sender_uri": "https://ibr.national.gov/api/v1",
              "receiver_id": "ibr.client.openspp", "total_count": 1, "is_msg_encrypted": False,
              "meta": None}
    message = {"transaction_id": "t2", "correlation_id": "CORR-9",
               "search_response": [{"status": "succ", "data": {"reg_records": [
                   {"programs": [{"name": "Cash Transfer"}]}]}}]}
    assert digest(header, message) == "UD2cPrpqjBlUN/p+Rg4wUHV79MN1FaUKJIvsK77hugM="
    sig = peer.sign(header, message, created=1705314600)
    assert sig == ('namespace="dci", kidId="ibr.national.gov|2024-test-key|ed25519", '
                   'algorithm="ed25519", created="1705314600", expires="1705314900", '
                   'headers="(created) (expires) digest", signature="lomC+ypSrnmM5JEAw5DgnyMwkjP'
                   'To2g7M/WU1YkoWtBFXXQC5OvGX05v4l5N8wp7ySdyf+mbYMV6yK54d4YaDQ=="'), sig
    assert peer.jwk()["x"] == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    env = {"signature": sig, "header": header, "message": message}
    assert verify(env, peer.key.verify_key, now=1705314700)
    assert not verify(env, peer.key.verify_key, now=1705314901)  # expired
    assert not verify(env, peer.key.verify_key, now=1705314539)  # created too far ahead


if __name__ == "__main__":
    self_test()
    print("dci_peer: §7.9 vector reproduced")
