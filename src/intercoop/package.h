// The intercoop 1.0 package (spec §1–2): a YAML mapping `intercoopVersion: '1.0'`, `payload`
// (URL-safe base64 with padding of the payload's exact UTF-8 YAML bytes) and `signature`
// (RSASSA-PKCS1-v1_5 with SHA-1 over those bytes, URL-safe base64 with padding). Pure: keys come
// in as crypto:: objects, failures leave as ProtocolError in the spec's check order (§3.1a).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/keys.h"
#include "intercoop/errors.h"
#include "intercoop/yaml_scalar.h"

namespace registrar::intercoop {

inline constexpr std::string_view kProtocolVersion = "1.0";

// URL-safe base64 with `=` padding (Python's urlsafe_b64encode).
std::string b64encode(std::string_view bytes);

// Python's urlsafe_b64decode: `-_` and `+/` both accepted, other characters skipped, padding
// required. On failure, nullopt and `error` holds binascii's message ("Incorrect padding").
std::optional<std::string> b64decode(std::string_view text, std::string* error = nullptr);

// The signature over `payload` (raw bytes) and its check. verify never throws.
std::string sign_payload(std::string_view payload, const crypto::PrivateKey& key);
bool verify_payload(std::string_view payload, std::string_view signature,
                    const crypto::PublicKey& key) noexcept;

// A peer's `publickey` PEM: SubjectPublicKeyInfo ("PUBLIC KEY") or PKCS#1 ("RSA PUBLIC KEY"), RSA
// of 2048–4096 bits. nullopt for anything else (the target then answers BadPeer).
std::optional<crypto::PublicKey> parse_peer_key(std::string_view pem);

// The package text for these payload bytes (which must be UTF-8, as the original's text is).
std::string make_package_for_payload(std::string_view payload_yaml, const crypto::PrivateKey& key);
// The package for these fields: the payload is yaml::dump(fields), in the fields' order.
std::string make_package(const yaml::Value& fields, const crypto::PrivateKey& key);

// A package read as far as it can be without keys (§3.1a steps 1–6).
struct ReceivedPackage {
  std::string version;  // the container's intercoopVersion: "1.0", or "2.0" (hardened.h)
  std::string payload;  // the exact decoded bytes: what the signature covers
  yaml::Value values;   // the payload read as YAML: a mapping with `originpeer`
  std::string origin_peer;
  yaml::Value signature;  // the container's `signature` value, unchecked
};

// Steps 1–6: container YAML (BadMessage), intercoopVersion (BadMessage / WrongVersion), payload
// and signature present (BadMessage), payload base64 and UTF-8 (BadMessage), payload YAML
// (BadFormat), originpeer (MissingField). `accept_hardened`: '2.0' passes step 2 too (its own
// payload checks are hardened.h's); otherwise it is WrongVersion, as for a 1.0 peer.
ReceivedPackage read_package(std::string_view text, bool accept_hardened = false);

// Step 8: BadSignature unless `signature` is base64 of a valid signature over the payload. (The
// Python original answers 500 for a signature that is not base64; this is the intended 403.)
void check_signature(const ReceivedPackage& package, const crypto::PublicKey& key);

// Steps 1–8: `key_of(peer)` gives the peer's key, nullopt for an unknown peer or one without a
// usable key (BadPeer).
using PeerKeyLookup = std::function<std::optional<crypto::PublicKey>(std::string_view peer)>;
ReceivedPackage receive_package(std::string_view text, const PeerKeyLookup& key_of);

}  // namespace registrar::intercoop
