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
