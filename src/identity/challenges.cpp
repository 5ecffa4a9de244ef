#include "identity/challenges.h"

#include "core/base64.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/random.h"
#include "crypto/jws.h"
#include "identity/store.h"
#include "store/audit.h"

namespace registrar::identity {

using Json = nlohmann::json;

const char* challenge_failure_name(ChallengeFailure f) {
  switch (f) {
    case ChallengeFailure::kNone:
      return "none";
    case ChallengeFailure::kMalformedRequest:
      return "malformed_request";
    case ChallengeFailure::kBadJws:
      return "bad_jws";
    case ChallengeFailure::kBadKey:
      return "bad_key";
    case ChallengeFailure::kNoKey:
      return "no_key";
    case ChallengeFailure::kBadSignature:
      return "bad_signature";
    case ChallengeFailure::kNoNonce:
      return "no_nonce";
    case ChallengeFailure::kUnknownNonce:
      return "unknown_nonce";
    case ChallengeFailure::kExpired:
      return "expired";
    case ChallengeFailure::kAlreadyUsed:
      return "already_used";
    case ChallengeFailure::kKeyMismatch:
      return "key_mismatch";
  }
  return "none";
}

ChallengeService::ChallengeService(store::Database& db, const core::Clock& clock,
                                   ChallengeSettings settings)
    : db_(db), clock_(clock), settings_(std::move(settings)) {}

namespace {

std::optional<crypto::PublicKey> read_key(const std::string& text) {
  try {
    return crypto::parse_public_key_any(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// A key in one canonical form, so the same key in PEM, DER or JWK binds and matches alike.
std::string canonical(const crypto::PublicKey& key) {
  return core::base64_encode(key.to_spki_der());
}

VerifyOutcome fail(ChallengeFailure f, std::string reason, std::string nonce = {}) {
  VerifyOutcome o;
  o.failure = f;
  o.reason = std::move(reason);
  o.nonce = std::move(nonce);
  return o;
}

std::optional<std::string> nonce_of(const std::string& payload) {
  Json p = core::read_json_or_discarded(payload);
  if (!p.is_object()) return std::nullopt;
  if (p.contains("nonce") && p["nonce"].is_string() && !p["nonce"].get<std::string>().empty())
    return p["nonce"].get<std::string>();
  if (p.contains("challenge") && p["challenge"].is_object()) {
    const Json& c = p["challenge"];
    if (c.contains("nonce") && c["nonce"].is_string() && !c["nonce"].get<std::string>().empty())
      return c["nonce"].get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

Challenge ChallengeService::generate(const std::optional<std::string>& public_key,
                                     const std::string& actor, const std::string& request_id) {
  std::optional<std::string> bound;
  if (public_key && !public_key->empty()) {
    auto key = read_key(*public_key);
    if (!key)
      throw core::invalid_argument(
          "public_key is not a readable public key (PEM, base64 DER SPKI or JWK)", "public_key");
    bound = canonical(*key);
  }
  int64_t now = clock_.now_seconds();
  Challenge c{core::base64_encode(core::random_bytes(16)), now + settings_.ttl_seconds,
              bound.has_value()};
  db_.write([&](soci::session& s) {
    // Expired nonces are useless after their TTL; clear old ones as new ones are made.
    delete_challenges_expired_before(s, core::from_unix_seconds(now - 3600));
    insert_challenge(s, {c.nonce, bound, core::from_unix_seconds(now),
                         core::from_unix_seconds(c.expires_at), std::nullopt});
    store::append_audit(s,
                        {actor,
                         "identity.challenge.generate",
                         "challenge:" + c.nonce,
                         request_id,
                         {{"bound", c.bound}, {"expires_at", c.expires_at}}},
                        clock_.now());
  });
  return c;
}

VerifyOutcome ChallengeService::verify(const std::optional<std::string>& public_key,
                                       const Json& signature, const std::string& actor,
                                       const std::string& request_id) {
  crypto::JwsVerifyOptions options;
  options.allowed_algs = {crypto::JwsAlg::kRS256, crypto::JwsAlg::kPS256, crypto::JwsAlg::kES256,
                          crypto::JwsAlg::kEdDSA};
  options.max_size = settings_.max_jws_bytes;
  if (!signature.is_string() && !signature.is_object())
    return fail(ChallengeFailure::kMalformedRequest,
                "signature must be a compact JWS string or a JWS JSON object");
  auto parsed = signature.is_string()
                    ? crypto::parse_jws(signature.get_ref<const std::string&>(), options)
                    : crypto::parse_jws_json(signature, options);
  if (!parsed) return fail(ChallengeFailure::kBadJws, parsed.message());

  // The nonce is read before the signature is checked only to find the challenge (and its bound
  // key); nothing is trusted or changed until the signature verifies.
  auto nonce = nonce_of(parsed->payload);
  if (!nonce)
    return fail(
        ChallengeFailure::kNoNonce,
        "'nonce' is missing from the signature payload. Expected $.nonce or $.challenge.nonce");

  struct Row {
    bool found = false;
    std::optional<std::string> key;
    int64_t expires_at = 0;
    bool consumed = false;
  };
  Row row = db_.read([&](soci::session& s) {
    Row r;
    auto c = find_challenge(s, *nonce);
    if (!c) return r;
    r.found = true;
    r.key = std::move(c->public_key);
    r.expires_at = core::to_unix_seconds(c->expires);
    r.consumed = c->consumed.has_value();
    return r;
  });

  std::optional<crypto::PublicKey> key;
  if (public_key && !public_key->empty()) {
    key = read_key(*public_key);
    if (!key) return fail(ChallengeFailure::kBadKey, "key import failed", *nonce);
  } else if (row.key) {
    key = read_key(*row.key);
  }
  if (!key)
    return fail(ChallengeFailure::kNoKey, "public_key is required for this challenge", *nonce);
  auto checked = crypto::verify_parsed(*parsed, *key);
  if (!checked) {
    ChallengeFailure f =
        checked.reason() == crypto::JoseError::kBadSignature
            ? ChallengeFailure::kBadSignature
            : (checked.reason() == crypto::JoseError::kAlgKeyMismatch ? ChallengeFailure::kBadKey
                                                                      : ChallengeFailure::kBadJws);
    return fail(
        f,
        f == ChallengeFailure::kBadSignature ? "signature verification failed" : checked.message(),
        *nonce);
  }

  int64_t now = clock_.now_seconds();
  std::string presented = canonical(*key);
  if (!row.found) return fail(ChallengeFailure::kUnknownNonce, "unknown nonce", *nonce);
  if (row.key && *row.key != presented)
    return fail(ChallengeFailure::kKeyMismatch, "the challenge is bound to another public key",
                *nonce);
  if (row.expires_at <= now)
    return fail(ChallengeFailure::kExpired, "the nonce has expired", *nonce);
  if (row.consumed)
    return fail(ChallengeFailure::kAlreadyUsed, "the nonce was already used", *nonce);

  // Consume atomically: of two concurrent verifications (on any instances) exactly one updates.
  bool consumed = db_.write([&](soci::session& s) {
    if (!consume_challenge(s, *nonce, core::from_unix_seconds(now))) return false;
    store::AuditEntry entry{actor, "identity.challenge.verify", "challenge:" + *nonce, request_id,
                            Json::object()};
    entry.detail["key_thumbprint"] = key->thumbprint();
    store::append_audit(s, entry, clock_.now());
    return true;
  });
  if (!consumed) return fail(ChallengeFailure::kAlreadyUsed, "the nonce was already used", *nonce);
  VerifyOutcome ok;
  ok.verified = true;
  ok.nonce = *nonce;
  ok.key_thumbprint = key->thumbprint();
  return ok;
}

}  // namespace registrar::identity
