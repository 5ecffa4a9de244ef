// intercoop 2.0, the hardened profile (issue 15, docs/intercoop.md "Protocol 2.0"): the same
// container as 1.0 (`intercoopVersion: '2.0'`, `payload`, `signature`), but the payload binds
// who sends it, to whom, for which service, when and once, and the signature is over the exact
// decoded payload bytes: Ed25519 when the peer registered an Ed25519 key, else RSA-PSS-SHA256
// with its RSA key (so a 1.0 peer moves to 2.0 without a new key). The receiver's registry
// decides the algorithm, never the package. A captured package can then be neither replayed (nonce,
// expiry) nor redirected (targetpeer, service). Pure: the receiver keeps the nonces and the clock.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.h"
#include "intercoop/package.h"

namespace registrar::intercoop {

inline constexpr std::string_view kHardenedVersion = "2.0";
// The versions this implementation speaks, best first.
inline constexpr std::string_view kSupportedVersions[] = {kHardenedVersion, kProtocolVersion};

// What a source gives its packages, and the most a target accepts (a longer-lived package would
// make the nonce table grow with it). A package may be issued up to kMaxClockSkewS in the future.
inline constexpr int64_t kPackageLifetimeS = 300;
inline constexpr int64_t kMaxPackageLifetimeS = 3600;
inline constexpr int64_t kMaxClockSkewS = 60;

// The payload's binding, in the order it is written.
struct Envelope {
  std::string origin_peer;  // `originpeer`: the sender, selects the key
  std::string target_peer;  // `targetpeer`: the receiver's own peer id
  std::string service;      // `service`: the service it is for
  int64_t issued = 0;       // `issued`: Unix seconds
  int64_t expires = 0;      // `expires`: Unix seconds, after `issued`
  std::string nonce;        // `nonce`: 16-64 of [A-Za-z0-9_-], once per sender until `expires`
};

// A nonce as the payload must carry it.
bool valid_nonce(std::string_view nonce);
// 24 characters: URL-safe base64 of 18 random bytes.
std::string new_nonce();

// The 2.0 payload mapping: intercoopVersion '2.0', originpeer, targetpeer, service, issued,
// expires, nonce, then `fields` (a mapping of the member's data, never `originpeer`).
yaml::Value hardened_payload(const Envelope& envelope, const yaml::Value& fields);
// The package (container YAML) for that payload, signed with `key` (sign_hardened).
std::string make_hardened_package(const Envelope& envelope, const yaml::Value& fields,
                                  const crypto::PrivateKey& key);

// A 2.0 payload read back: its binding and its fields.
struct HardenedPayload {
  Envelope envelope;
  yaml::Value fields = yaml::Value::object();
};
// From the payload's parsed values (read_package's `values`). Throws ProtocolError:
// MissingField for a key the payload lacks, BadMessage for one of the wrong type or shape.
HardenedPayload read_hardened_payload(const yaml::Value& values);
// The data a target keeps: `originpeer` first, then the fields (the 1.0 payload's shape).
yaml::Value stored_values(const HardenedPayload& payload);

// Over the exact payload bytes: Ed25519 for an Ed25519 key, RSA-PSS-SHA256 (MGF1-SHA256, salt
// of 32 bytes, as JWS PS256) for an RSA key of 2048 bits or more. The check never throws.
std::string sign_hardened(std::string_view payload, const crypto::PrivateKey& key);
bool verify_hardened(std::string_view payload, std::string_view signature,
                     const crypto::PublicKey& key) noexcept;
// A peer's Ed25519 public key (SPKI PEM); nullopt for anything else.
std::optional<crypto::PublicKey> parse_hardened_key(std::string_view pem);

// After the signature: the package is for `our_peer_id` and `service` (WrongTarget, 403), valid
// at `now_s` (ExpiredMessage, 403), and not longer-lived than kMaxPackageLifetimeS (BadMessage).
void check_binding(const Envelope& envelope, std::string_view our_peer_id, std::string_view service,
                   int64_t now_s);

// What a peer may send us and what it accepts from us, with its keys.
struct PeerKeys {
  std::vector<std::string> versions;
  std::optional<crypto::PublicKey> rsa;      // 1.0; 2.0 (RSA-PSS) when there is no ed25519
  std::optional<crypto::PublicKey> ed25519;  // 2.0
  // The key 2.0 packages are checked with: Ed25519 when registered, else the RSA key.
  const std::optional<crypto::PublicKey>& hardened() const { return ed25519 ? ed25519 : rsa; }
};
// null for an unknown or disabled peer.
using PeerKeysLookup = std::function<const PeerKeys*(std::string_view peer)>;

// A received package of either version, signature checked.
struct Received {
  ReceivedPackage package;                  // version, payload bytes, values, originpeer
  std::optional<HardenedPayload> hardened;  // set for 2.0
  yaml::Value stored;  // what the target keeps: the payload's values (1.0), stored_values (2.0)
};

// §3.1a for both versions: steps 1-6 (read_package; for 2.0 also read_hardened_payload), 7 the
// peer (BadPeer; WrongVersion naming the peer's versions when it did not declare this one;
// BadPeer when it has no key for it), 8 the signature (BadSignature). The binding is the
// caller's (check_binding), since it needs the route's service and the clock.
Received receive_versioned(std::string_view text, const PeerKeysLookup& keys_of);

// The version a source uses towards a peer that declared `peer_versions`: the best both speak;
// nullopt when there is none (the transfer is refused, never sent in another version).
std::optional<std::string> choose_version(const std::vector<std::string>& peer_versions);

}  // namespace registrar::intercoop
