// Trusted senders and the choice of the key that checks a sender's signature (dci-ibr.md §6.3),
// pure logic: the store keeps the records, the service fetches JWKS documents.
//
// OpenSPP keeps one PEM per sender and ignores the kidId. We accept that configuration (a single
// pinned key is used whatever the kidId says) and do better when a sender publishes several
// keys: the kidId's key id picks the key, and an unknown key id asks the caller to refetch the
// sender's JWKS (rate-limited by the caller), which is how a rotation reaches us.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "crypto/jwks.h"
#include "crypto/keys.h"
#include "dci/signature.h"

namespace registrar::dci {

struct TrustedSender {
  std::string sender_id;
  std::string name;
  std::string public_key;  // pinned key: raw base64 Ed25519 (32 bytes), PEM, base64 SPKI or JWK
  std::string jwks_url;    // where the sender publishes its keys; "" when none
  // Where our callbacks to it may go: header.sender_uri must start with this (URL prefix) when
  // set, and is used when a request names no sender_uri. "" when unregistered.
  std::string callback_url;
  std::optional<SignatureAlgorithm> algorithm;  // nullopt: follow the key's type
  bool active = true;
  std::string notes;
  std::optional<core::SystemTime> last_key_fetch;
  std::string last_key_fetch_result;  // "ok: kid1, kid2" or "failed: why"; "" when never fetched
};

// The three parts of a kidId "{sender_id}|{key_id}|{alg}". The key id may itself contain '|':
// the sender id is up to the first bar and the algorithm after the last.
struct KidId {
  std::string sender_id;
  std::string key_id;
  std::string algorithm;
};
std::optional<KidId> parse_kid_id(std::string_view kid);
// Our own keys' kid, as OpenSPP publishes its keys in the JWKS (§6.2).
std::string format_kid(std::string_view sender_id, std::string_view key_id, SignatureAlgorithm alg);

// A pinned key in any of the forms an operator pastes: raw 32-byte Ed25519 in base64 (what
// OpenSPP also accepts), PEM, bare base64 SPKI, or a JWK. Throws core::Error(kInvalidArgument).
crypto::PublicKey parse_pinned_key(std::string_view text);

enum class KeyChoiceStatus {
  kOk,
  kUnknownSender,  // no record with that sender id
  kDisabled,       // the record is not active
  kNoKey,          // neither a usable pinned key nor a JWKS URL
  kUnknownKid,     // a JWKS URL is set but the cached set has no key for this kid: refetch
  kBadKey,         // the pinned key does not parse, or fits no supported algorithm
};
std::string_view key_choice_status_name(KeyChoiceStatus status);

struct KeyChoice {
  KeyChoiceStatus status = KeyChoiceStatus::kNoKey;
  std::optional<crypto::PublicKey> key;
  SignatureAlgorithm algorithm = SignatureAlgorithm::kEd25519;
  std::string detail;
  // Set with kOk too when the key came from a fallback (the pinned key) although the kidId named
  // a key the cached JWKS lacks: if verification then fails, a refetch may help.
  bool refetch_may_help = false;
  bool ok() const { return status == KeyChoiceStatus::kOk; }
};

// The key for a signature whose kidId is `kid_id` ("" when absent) from `sender` (nullptr when
// unknown), given the sender's cached JWKS (nullptr when never fetched). Order: a JWKS key whose
// kid equals the kidId or whose key-id part equals the kidId's; else the pinned key; else the
// only usable JWKS key (OpenSPP's single-key configuration, whatever the kidId says: with a
// kidId it names another key, refetch_may_help is set); else kUnknownKid (JWKS URL set) /
// kNoKey.
//
// `fallback` says which JWKS key stands in when none matches the kidId and no key is pinned:
// kOnlyKey, the only usable one (the IBR server's rule); kSenderPrefix, the first whose kid
// starts with "{sender_id}|" (OpenSPP's "fetch public key" rule, §6.3, which the DCI client
// keeps: a key published without that prefix is never used).
enum class KeyFallback { kOnlyKey, kSenderPrefix };
KeyChoice select_sender_key(const TrustedSender* sender, std::string_view kid_id,
                            const crypto::Jwks* cached_jwks,
                            KeyFallback fallback = KeyFallback::kOnlyKey);

}  // namespace registrar::dci
