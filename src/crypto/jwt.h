// JSON Web Tokens (RFC 7519) over compact JWS: issuing, and validating signature (key chosen by a
// caller-supplied resolver), time claims against an injectable clock, issuer, audience, and
// reading the OAuth "scope" claim. Failures are JoseFailure values with JWT-specific reasons.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "crypto/jws.h"

namespace registrar::crypto {

// Returns the key for a token's "kid" ("" when absent) and algorithm, or nullopt when there is
// none (→ kUnknownKey). A resolver backed by a JWKS also checks the key's own "alg".
using KeyResolver = std::function<std::optional<PublicKey>(std::string_view kid, JwsAlg alg)>;

struct JwtValidationOptions {
  std::vector<JwsAlg> allowed_algs;  // required
  const core::Clock* clock = &core::SystemClock::instance();
  std::chrono::seconds skew{60};        // tolerated clock difference for exp, nbf and iat
  std::optional<std::string> issuer;    // when set, "iss" must equal it
  std::optional<std::string> audience;  // when set, "aud" must be it or contain it
  bool require_exp = true;              // tokens without "exp" never expire: refuse by default
  // When set, header "typ" must equal it, compared case-insensitively and with an optional
  // "application/" prefix (RFC 8725 §3.11), e.g. "JWT" or "at+jwt".
  std::optional<std::string> typ;
  size_t max_size = 16 * 1024;
};

struct Jwt {
  JwsAlg alg = JwsAlg::kEdDSA;
  std::string kid;
  Json header;
  Json claims;  // the whole payload object
  std::optional<std::string> iss, sub, jti;
  std::vector<std::string> aud;
  std::optional<int64_t> exp, nbf, iat;  // seconds since the epoch (fractions dropped)
  std::vector<std::string> scopes;       // "scope" split on spaces

  bool has_scope(std::string_view scope) const;
};

JoseResult<Jwt> validate_jwt(std::string_view token, const KeyResolver& resolver,
                             const JwtValidationOptions& options);

// validate_jwt in two steps, for a caller that chooses the options by an unverified claim (the
// issuer) without decoding and parsing the token twice. decode_jwt checks the structure and the
// header (any implemented algorithm: the allow-list applies in the second step) and parses the
// payload without judging it; validate_decoded_jwt does the rest. Both paths accept exactly the
// same tokens; a token with several faults may be refused for a different one of them. Nothing
// in the payload is trusted before the signature verifies: a payload that does not parse is
// reported after the signature check, as validate_jwt does.
struct DecodedJwt {
  ParsedJws jws;  // compact: one signature
  Json claims;    // the parsed payload, when claims_failure is empty
  std::optional<JoseFailure> claims_failure;
  size_t token_size = 0;

  // The "iss" claim when the payload is an object whose "iss" is a string; unverified.
  const std::string* unverified_issuer() const;
};
JoseResult<DecodedJwt> decode_jwt(std::string_view token, size_t max_size = 16 * 1024);
JoseResult<Jwt> validate_decoded_jwt(DecodedJwt decoded, const KeyResolver& resolver,
                                     const JwtValidationOptions& options);

// validate_decoded_jwt in three steps, for a caller that runs the signature check apart from the
// rest (http::defer_to_burst_end): start() makes the checks that come before the signature (size,
// algorithm allow-list, key), verify_signature() checks the signature alone, and finish() the
// claims. validate_decoded_jwt is these three in a row, so both answer the same.
class PendingJwt {
 public:
  static JoseResult<PendingJwt> start(DecodedJwt decoded, const KeyResolver& resolver,
                                      const JwtValidationOptions& options);
  // The expensive step; call it once, before finish().
  void verify_signature();
  JoseResult<Jwt> finish(const JwtValidationOptions& options) &&;

 private:
  PendingJwt(DecodedJwt decoded, PublicKey key)
      : decoded_(std::move(decoded)), key_(std::move(key)) {}
  DecodedJwt decoded_;
  PublicKey key_;
  std::optional<JoseFailure> signature_failure_;
  bool verified_ = false;
};

// The claims checks alone, on an already verified payload (for callers holding a JWS in another
// serialisation). `header` supplies typ.
JoseResult<Jwt> check_jwt_claims(const Json& header, std::string_view payload,
                                 const JwtValidationOptions& options);

struct JwtIssueOptions {
  std::string kid;          // header "kid"; omitted when empty
  std::string typ = "JWT";  // header "typ"; omitted when empty
};

// Signs `claims` (a JSON object) as a compact JWS. The caller sets iss/sub/aud/exp/iat etc.
std::string issue_jwt(const Json& claims, const PrivateKey& key, JwsAlg alg,
                      const JwtIssueOptions& options = {});

// "a b  c" → {"a","b","c"}.
std::vector<std::string> split_scopes(std::string_view scope);

}  // namespace registrar::crypto
