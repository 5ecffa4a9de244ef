#!/usr/bin/python3
"""An independent intercoop 1.0 and 2.0 peer, written from ../shared/spec/intercoop.md §1-3 alone with
Debian's python3-yaml and python3-cryptography: it makes packages as the original's Python
portal does (PyYAML SafeDumper, default_flow_style=False, allow_unicode=True, yamlns' literal
style for multi-line strings; RSA PKCS#1 v1.5 SHA-1; URL-safe base64 with padding) and checks
them in the spec's order (§3.1a), raising the spec's error classes with the intended statuses
(BadPeer for an unknown peer, BadSignature for a signature that is not base64).

intercoop 2.0 (the hardened profile, registrar's docs/intercoop.md "Protocol 2.0"), from that
text alone: the same container with intercoopVersion '2.0'; the payload binds originpeer,
targetpeer, service, issued, expires (Unix seconds) and a nonce, the member's data under
`fields`; Ed25519 over the exact decoded payload bytes (make_package_v2, parse_v2).

  /usr/bin/python3 intercoop_peer.py            self-test (the spec's example payload)
  /usr/bin/python3 intercoop_peer.py IN OUT     batch mode for registrar's tests: one JSON
                                                request a line in IN, one JSON answer a line in OUT
"""
import base64
import binascii
import json
import sys

import os
import re
import time

import yaml
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

PROTOCOL_VERSION = '1.0'
HARDENED_VERSION = '2.0'
MAX_LIFETIME = 3600  # seconds a 2.0 package may be valid for
MAX_SKEW = 60        # seconds a 2.0 package may be issued ahead of our clock

TEMPLATES = {
    'BadPeer': "The entity '{}' is not a recognized one",
    'BadSignature': 'Signature verification failed, untrusted content',
    'MissingField': "Required field '{}' missing on the payload",
    'BadFormat': 'Error while parsing message as YAML:\n{}',
    'BadMessage': 'Malformed message: {}',
    'WrongVersion': 'Wrong protocol version, expected {}, received {}',
    # 2.0 only
    'WrongTarget': "Message addressed to peer '{}' for service '{}', not to this one",
    'ExpiredMessage': 'Message valid from {} to {}, not at {}',
    'ReplayedMessage': "Message '{}' from '{}' was already received",
    # a target service's rules (registrar's docs/intercoop.md "Service rules")
    'NotAvailable': "Service '{}' is not available for {} '{}'",
    'LimitReached': "Service '{}' accepts at most {} transfers per {} every {} s",
}
STATUS = {'BadPeer': 403, 'BadSignature': 403, 'MissingField': 400, 'BadFormat': 400,
          'BadMessage': 400, 'WrongVersion': 400, 'WrongTarget': 403, 'ExpiredMessage': 403,
          'ReplayedMessage': 409, 'NotAvailable': 403, 'LimitReached': 429}


class MessageError(Exception):
    def __init__(self, name, *arguments):
        super().__init__(TEMPLATES[name].format(*arguments))
        self.name = name
        self.arguments = [str(a) for a in arguments]


class Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper, text):
    style = '|' if '\n' in text else None
    return dumper.represent_scalar('tag:yaml.org,2002:str', text, style=style)


Dumper.add_representer(str, _represent_str)


def dump(data):
    return yaml.dump(data, Dumper=Dumper, default_flow_style=False, allow_unicode=True,
                     sort_keys=False)


def b64(data):
    return base64.urlsafe_b64encode(data).decode('ascii')


def make_package(private_key, fields):
    payload = dump(fields).encode('utf-8')
    signature = private_key.sign(payload, padding.PKCS1v15(), hashes.SHA1())
    return dump({'intercoopVersion': PROTOCOL_VERSION, 'payload': b64(payload),
                 'signature': b64(signature)})


def parse(keyring, text):
    """The payload's values; `keyring` maps a peer id to its public key."""
    try:
        package = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise MessageError('BadMessage', 'Bad message YAML format\n{}'.format(e))
    if not isinstance(package, dict) or 'intercoopVersion' not in package:
        raise MessageError('BadMessage', 'missing intercoopVersion')
    if package['intercoopVersion'] != PROTOCOL_VERSION:
        raise MessageError('WrongVersion', PROTOCOL_VERSION, package['intercoopVersion'])
    for key in ('payload', 'signature'):
        if key not in package:
            raise MessageError('BadMessage', 'missing ' + key)
    try:
        payload = base64.urlsafe_b64decode(package['payload'])
        payload_text = payload.decode('utf-8')
    except UnicodeDecodeError:
        raise MessageError('BadMessage', 'Payload is not base64 coded UTF8')
    except Exception as e:
        raise MessageError('BadMessage', 'Payload is invalid Base64: {}'.format(e))
    try:
        values = yaml.safe_load(payload_text)
    except yaml.YAMLError as e:
        raise MessageError('BadFormat', e)
    if not isinstance(values, dict) or 'originpeer' not in values:
        raise MessageError('MissingField', 'originpeer')
    peer = str(values['originpeer'])
    key = keyring.get(peer)
    if key is None:
        raise MessageError('BadPeer', peer)
    try:
        signature = base64.urlsafe_b64decode(package['signature'])
        key.verify(signature, payload, padding.PKCS1v15(), hashes.SHA1())
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        raise MessageError('BadSignature')
    return values


def payload_v2(origin, target, service, fields, issued=None, lifetime=300, nonce=None):
    """The 2.0 payload mapping, in the documented key order."""
    issued = int(time.time()) if issued is None else issued
    return {'intercoopVersion': HARDENED_VERSION, 'originpeer': origin, 'targetpeer': target,
            'service': service, 'issued': issued, 'expires': issued + lifetime,
            'nonce': nonce or b64(os.urandom(18)), 'fields': fields}


# 2.0 with an RSA key: RSA-PSS, MGF1 with SHA-256, a salt as long as the hash (as JWS PS256).
PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


def make_package_v2(private_key, payload):
    """`payload` from payload_v2 (or any mapping, to test refusals); Ed25519 over its bytes, or
    RSA-PSS-SHA256 when the key is RSA."""
    data = dump(payload).encode('utf-8')
    if isinstance(private_key, rsa.RSAPrivateKey):
        signature = private_key.sign(data, PSS, hashes.SHA256())
    else:
        signature = private_key.sign(data)
    return dump({'intercoopVersion': HARDENED_VERSION, 'payload': b64(data),
                 'signature': b64(signature)})


def parse_v2(keyring, text, our_id, service, seen, now=None):
    """A 2.0 package checked as a target does: the values to store (originpeer, then the
    fields). `keyring` maps a peer id to its 2.0 key (Ed25519, or RSA for RSA-PSS); `seen` is the set of (peer, nonce)
    received so far (a real target forgets them once they expire)."""
    try:
        package = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise MessageError('BadMessage', 'Bad message YAML format\n{}'.format(e))
    if not isinstance(package, dict) or 'intercoopVersion' not in package:
        raise MessageError('BadMessage', 'missing intercoopVersion')
    if package['intercoopVersion'] != HARDENED_VERSION:
        raise MessageError('WrongVersion', HARDENED_VERSION, package['intercoopVersion'])
    for key in ('payload', 'signature'):
        if key not in package:
            raise MessageError('BadMessage', 'missing ' + key)
    try:
        payload = base64.urlsafe_b64decode(package['payload'])
        values = yaml.safe_load(payload.decode('utf-8'))
    except Exception as e:
        raise MessageError('BadMessage', 'Payload: {}'.format(e))
    if not isinstance(values, dict):
        raise MessageError('MissingField', 'originpeer')
    for key in ('intercoopVersion', 'originpeer', 'targetpeer', 'service', 'issued', 'expires',
                'nonce', 'fields'):
        if key not in values:
            raise MessageError('MissingField', key)
    if values['intercoopVersion'] != HARDENED_VERSION:
        raise MessageError('BadMessage', "the payload's intercoopVersion is not '2.0'")
    for key in ('issued', 'expires'):
        if type(values[key]) is not int:
            raise MessageError('BadMessage', key + ' must be an integer (Unix seconds)')
    if not re.fullmatch(r'[A-Za-z0-9_-]{16,64}', str(values['nonce'])):
        raise MessageError('BadMessage', 'nonce must be 16-64 of [A-Za-z0-9_-]')
    if not isinstance(values['fields'], dict) or 'originpeer' in values['fields']:
        raise MessageError('BadMessage', 'fields must be a mapping without originpeer')
    peer = str(values['originpeer'])
    key = keyring.get(peer)
    if key is None:
        raise MessageError('BadPeer', peer)
    try:
        signature = base64.urlsafe_b64decode(package['signature'])
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, payload, PSS, hashes.SHA256())
        else:
            key.verify(signature, payload)
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        raise MessageError('BadSignature')
    if values['targetpeer'] != our_id or values['service'] != service:
        raise MessageError('WrongTarget', values['targetpeer'], values['service'])
    issued, expires = values['issued'], values['expires']
    if expires <= issued or expires - issued > MAX_LIFETIME:
        raise MessageError('BadMessage', 'bad validity period')
    now = int(time.time()) if now is None else now
    if now >= expires or issued > now + MAX_SKEW:
        raise MessageError('ExpiredMessage', issued, expires, now)
    if (peer, values['nonce']) in seen:
        raise MessageError('ReplayedMessage', values['nonce'], peer)
    seen.add((peer, values['nonce']))
    return dict([('originpeer', peer)] + list(values['fields'].items()))


def load_public_key(pem):
    return serialization.load_pem_public_key(pem.encode('ascii'))


def batch(in_path, out_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    forms = {
        'spki': serialization.PublicFormat.SubjectPublicKeyInfo,
        'pkcs1': serialization.PublicFormat.PKCS1,
    }
    with open(out_path, 'w', encoding='ascii') as out:
        out.write(json.dumps({form: public.public_bytes(serialization.Encoding.PEM, f).decode()
                              for form, f in forms.items()}) + '\n')
        for line in open(in_path, encoding='ascii'):
            request = json.loads(line)
            if request['op'] == 'sign':
                answer = {'package': make_package(key, request['fields'])}
            else:
                keyring = {peer: load_public_key(pem) for peer, pem in request['keys'].items()}
                try:
                    answer = {'values': parse(keyring, request['package'])}
                except MessageError as e:
                    answer = {'error': e.name, 'arguments': e.arguments, 'message': str(e)}
            out.write(json.dumps(answer, default=str) + '\n')


def self_test():
    fields = {'originpeer': 'somillusio', 'nif': '12345678Z'}
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    package = make_package(key, fields)
    # §1.1's example payload, byte for byte.
    assert 'payload: b3JpZ2lucGVlcjogc29taWxsdXNpbwpuaWY6IDEyMzQ1Njc4Wgo=\n' in package, package
    assert package.startswith("intercoopVersion: '1.0'\n"), package
    assert parse({'somillusio': key.public_key()}, package) == fields
    try:
        parse({}, package)
        raise AssertionError('an unknown peer was accepted')
    except MessageError as e:
        assert e.name == 'BadPeer' and e.arguments == ['somillusio'], e
    # 2.0: made and checked here; the binding and the nonce refuse what they should.
    key2 = ed25519.Ed25519PrivateKey.generate()
    seen = set()
    values = payload_v2('somillusio', 'somacme', 'contract', {'nif': '12345678Z'})
    package = make_package_v2(key2, values)
    assert package.startswith("intercoopVersion: '2.0'\n"), package
    ring = {'somillusio': key2.public_key()}
    assert parse_v2(ring, package, 'somacme', 'contract', seen) == fields
    for args, name in (((ring, package, 'somacme', 'contract', seen), 'ReplayedMessage'),
                       ((ring, package, 'other', 'contract', set()), 'WrongTarget'),
                       ((ring, package, 'somacme', 'other', set()), 'WrongTarget'),
                       ((ring, package, 'somacme', 'contract', set(), values['expires']),
                        'ExpiredMessage'),
                       (({'somillusio': ed25519.Ed25519PrivateKey.generate().public_key()},
                         package, 'somacme', 'contract', set()), 'BadSignature')):
        try:
            parse_v2(*args)
            raise AssertionError('accepted: ' + name)
        except MessageError as e:
            assert e.name == name, (e.name, name)
    print('intercoop_peer: self-test passed')


if __name__ == '__main__':
    if len(sys.argv) == 3:
        batch(sys.argv[1], sys.argv[2])
    else:
        self_test()
