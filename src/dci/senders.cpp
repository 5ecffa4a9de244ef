// Trusted-sender key selection (senders.h).
#include "dci/senders.h"

#include "core/base64.h"
#include "core/error.h"

namespace registrar::dci {

namespace {

// The algorithm a key verifies for this sender, or nullopt when they do not fit together.
std::optional<SignatureAlgorithm> algorithm_for(const TrustedSender& sender,
                                                const crypto::PublicKey& key) {
  std::optional<SignatureAlgorithm> by_type;
  if (key.type() == crypto::KeyType::kEd25519) by_type = SignatureAlgorithm::kEd25519;
  if (key.type() == crypto::KeyType::kRsa) by_type = SignatureAlgorithm::kRs256;
  if (sender.algorithm && by_type != sender.algorithm) return std::nullopt;
  return by_type;
}

bool kid_matches(std::string_view jwks_kid, std::string_view kid_id,
                 const std::optional<KidId>& parsed) {
  if (jwks_kid.empty()) return false;
  if (jwks_kid == kid_id) return true;
  if (!parsed) return false;
  if (jwks_kid == parsed->key_id) return true;
  auto other = parse_kid_id(jwks_kid);
  return other && other->key_id == parsed->key_id && other->sender_id == parsed->sender_id;
}

KeyChoice chosen(const TrustedSender& sender, const crypto::PublicKey& key, std::string detail) {
  auto alg = algorithm_for(sender, key);
  if (!alg) {
    return {KeyChoiceStatus::kBadKey, std::nullopt, SignatureAlgorithm::kEd25519,
            std::string(crypto::key_type_name(key.type())) + " key does not fit the algorithm"};
  }
  return {KeyChoiceStatus::kOk, key, *alg, std::move(detail)};
}

}  // namespace

std::optional<KidId> parse_kid_id(std::string_view kid) {
  size_t first = kid.find('|');
  size_t last = kid.rfind('|');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  return KidId{std::string(kid.substr(0, first)),
               std::string(kid.substr(first + 1, last - first - 1)),
               std::string(kid.substr(last + 1))};
}

std::string format_kid(std::string_view sender_id, std::string_view key_id,
                       SignatureAlgorithm alg) {
  return std::string(sender_id) + "|" + std::string(key_id) + "|" +
         std::string(algorithm_name(alg));
}

crypto::PublicKey parse_pinned_key(std::string_view text) {
  size_t b = text.find_first_not_of(" \t\r\n");
  size_t e = text.find_last_not_of(" \t\r\n");
  if (b == std::string_view::npos) throw core::invalid_argument("the public key is empty");
  std::string_view trimmed = text.substr(b, e - b + 1);
  if (trimmed.front() != '{' && trimmed.find("-----") == std::string_view::npos) {
    auto raw = core::base64_decode_lenient(trimmed);
    if (raw && raw->size() == 32) return crypto::PublicKey::from_ed25519_raw(*raw);
  }
  return crypto::parse_public_key_any(trimmed);
}

std::string_view key_choice_status_name(KeyChoiceStatus status) {
  switch (status) {
    case KeyChoiceStatus::kOk:
      return "ok";
    case KeyChoiceStatus::kUnknownSender:
      return "unknown-sender";
    case KeyChoiceStatus::kDisabled:
      return "disabled";
    case KeyChoiceStatus::kNoKey:
      return "no-key";
    case KeyChoiceStatus::kUnknownKid:
      return "unknown-kid";
    case KeyChoiceStatus::kBadKey:
      return "bad-key";
  }
  return "unknown";
}

KeyChoice select_sender_key(const TrustedSender* sender, std::string_view kid_id,
                            const crypto::Jwks* jwks, KeyFallback fallback) {
  if (!sender) return {KeyChoiceStatus::kUnknownSender, std::nullopt, {}, "unknown sender"};
  if (!sender->active) return {KeyChoiceStatus::kDisabled, std::nullopt, {}, "sender disabled"};
  auto parsed = parse_kid_id(kid_id);

  // Usable JWKS keys: Ed25519 or RSA fitting the sender's algorithm, and not named as another
  // sender's ("{other}|key|alg"): a JWKS may publish keys of several systems (§6.3 picks the
  // first kid starting with "{sender_id}|").
  std::vector<const crypto::JwksKey*> usable;
  if (jwks) {
    for (const auto& k : jwks->keys()) {
      auto named = parse_kid_id(k.kid);
      if (named && named->sender_id != sender->sender_id) continue;
      if (algorithm_for(*sender, k.key)) usable.push_back(&k);
    }
  }
  for (const auto* k : usable) {
    if (kid_matches(k->kid, kid_id, parsed)) return chosen(*sender, k->key, "kid " + k->kid);
  }
  bool can_refetch = !sender->jwks_url.empty();
  bool kid_unmatched = !kid_id.empty();

  if (!sender->public_key.empty()) {
    std::optional<crypto::PublicKey> pinned;
    try {
      pinned = parse_pinned_key(sender->public_key);
    } catch (const core::Error& e) {
      return {KeyChoiceStatus::kBadKey, std::nullopt, {}, e.what()};
    }
    KeyChoice choice = chosen(*sender, *pinned, "pinned key");
    choice.refetch_may_help = choice.ok() && can_refetch && kid_unmatched;
    return choice;
  }
  const crypto::JwksKey* stand_in = nullptr;
  if (fallback == KeyFallback::kOnlyKey && usable.size() == 1) stand_in = usable[0];
  if (fallback == KeyFallback::kSenderPrefix) {
    std::string prefix = sender->sender_id + "|";
    for (const auto* k : usable) {
      if (k->kid.rfind(prefix, 0) == 0) {
        stand_in = k;
        break;
      }
    }
  }
  if (stand_in) {
    KeyChoice choice =
        chosen(*sender, stand_in->key,
               fallback == KeyFallback::kOnlyKey ? "only key" : "kid " + stand_in->kid);
    choice.refetch_may_help = choice.ok() && can_refetch && kid_unmatched;
    return choice;
  }
  if (can_refetch) {
    return {KeyChoiceStatus::kUnknownKid,
            std::nullopt,
            {},
            jwks ? "no key in the sender's JWKS for kid \"" + std::string(kid_id) + "\""
                 : "the sender's JWKS has not been fetched"};
  }
  return {KeyChoiceStatus::kNoKey, std::nullopt, {}, "no key configured"};
}

}  // namespace registrar::dci
