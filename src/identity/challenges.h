// Identity challenge-response: a caller proves it holds the private key for a public key by
// signing a nonce we issued. Nonces are 128 random bits, stored in the database with their expiry
// (so several instances share them), single-use (a verified nonce is consumed atomically), and
// bound to a public key when one was given at generation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "http/router.h"
#include "store/database.h"

namespace registrar::identity {

class Accounts;
class TokenService;

struct ChallengeSettings {
  int64_t ttl_seconds = 60;
  std::string dhp_prefix = "/dhp";                    // "" at the root
  std::vector<std::string> dhp_cors_origins = {"*"};  // CORS of the DHP routes; none when empty
  std::string scope_generate = "gen_id_challenge";
  std::string scope_verify = "verify_identity";
  std::string dhp_login_client;  // client whose password grant /login runs
  size_t max_jws_bytes = 64 * 1024;
};

struct Challenge {
  std::string nonce;  // base64 of 16 random bytes (24 characters, as the DHP API issues)
  int64_t expires_at;
  bool bound;  // a public key was given and must be used to verify
};

enum class ChallengeFailure {
  kNone,
  kMalformedRequest,  // missing signature, wrong types
  kBadJws,            // not a JWS in any serialisation, bad header, unsupported alg
  kBadKey,            // public_key is not a key we can read, or does not fit the alg
  kNoKey,             // no public key given and the challenge is not bound to one
  kBadSignature,
  kNoNonce,  // payload has neither $.nonce nor $.challenge.nonce
  kUnknownNonce,
  kExpired,
  kAlreadyUsed,
  kKeyMismatch,  // the challenge is bound to another key
};
const char* challenge_failure_name(ChallengeFailure f);

struct VerifyOutcome {
  bool verified = false;
  ChallengeFailure failure = ChallengeFailure::kNone;
  std::string reason;  // human-readable
  std::string nonce;
  std::string key_thumbprint;  // RFC 7638, of the key that verified
};

class ChallengeService {
 public:
  ChallengeService(store::Database& db, const core::Clock& clock, ChallengeSettings settings);

  // `public_key` (PEM, base64 DER SPKI or JWK JSON), when given, binds the challenge to that key.
  // Throws core::Error(kInvalidArgument, field "public_key") when it is not a readable key.
  Challenge generate(const std::optional<std::string>& public_key, const std::string& actor,
                     const std::string& request_id);
  // `signature`: a compact JWS string, or a flattened / general JSON serialisation object.
  VerifyOutcome verify(const std::optional<std::string>& public_key,
                       const nlohmann::json& signature, const std::string& actor,
                       const std::string& request_id);

  const ChallengeSettings& settings() const { return settings_; }

 private:
  store::Database& db_;
  const core::Clock& clock_;
  ChallengeSettings settings_;
};

void add_challenge_routes(http::Router& router, ChallengeService& challenges, Accounts& accounts,
                          TokenService& tokens, const ChallengeSettings& settings);

}  // namespace registrar::identity
