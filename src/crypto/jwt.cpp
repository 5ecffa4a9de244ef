#include "crypto/jwt.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/error.h"
#include "core/text.h"
#include "crypto/jose_internal.h"

namespace registrar::crypto {

namespace {

JoseFailure fail(JoseError reason, std::string message) {
  return {reason, std::move(message)};
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view strip_application(std::string_view typ) {
  constexpr std::string_view kPrefix = "application/";
  if (typ.size() > kPrefix.size() && iequals(typ.substr(0, kPrefix.size()), kPrefix)) {
    typ.remove_prefix(kPrefix.size());
  }
  return typ;
}

// NumericDate (RFC 7519 §2): a JSON number of seconds, possibly fractional. Values are clamped to
// ±10^17 s (far beyond any real date) so that skew arithmetic cannot overflow.
std::optional<JoseFailure> read_time(const Json& claims, const char* name,
                                     std::optional<int64_t>& out) {
  constexpr int64_t kLimit = 100'000'000'000'000'000;
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    out = static_cast<int64_t>(std::min<uint64_t>(it->get<uint64_t>(), kLimit));
  } else if (it->is_number_integer()) {
    out = std::clamp<int64_t>(it->get<int64_t>(), -kLimit, kLimit);
  } else if (it->is_number_float()) {
    double v = std::clamp(it->get<double>(), -1e17, 1e17);
    out = static_cast<int64_t>(std::floor(v));
  } else {
    return fail(JoseError::kBadClaims, std::string("claim '") + name + "' must be a NumericDate");
  }
  return std::nullopt;
}

std::optional<JoseFailure> read_string(const Json& claims, const char* name,
                                       std::optional<std::string>& out) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_string()) {
    return fail(JoseError::kBadClaims, std::string("claim '") + name + "' must be a string");
  }
  out = it->get<std::string>();
  return std::nullopt;
}

std::optional<JoseFailure> read_claims(Jwt& jwt) {
  const Json& c = jwt.claims;
  for (auto [name, slot] : {std::pair{"exp", &jwt.exp}, {"nbf", &jwt.nbf}, {"iat", &jwt.iat}}) {
    if (auto f = read_time(c, name, *slot)) return f;
  }
  for (auto [name, slot] : {std::pair{"iss", &jwt.iss}, {"sub", &jwt.sub}, {"jti", &jwt.jti}}) {
    if (auto f = read_string(c, name, *slot)) return f;
  }
  if (auto it = c.find("aud"); it != c.end()) {
    if (it->is_string()) {
      jwt.aud.push_back(it->get<std::string>());
    } else if (it->is_array()) {
      for (const Json& a : *it) {
        if (!a.is_string()) return fail(JoseError::kBadClaims, "aud entries must be strings");
        jwt.aud.push_back(a.get<std::string>());
      }
    } else {
      return fail(JoseError::kBadClaims, "aud must be a string or an array of strings");
    }
  }
  if (auto it = c.find("scope"); it != c.end()) {
    if (it->is_string()) {
      jwt.scopes = split_scopes(it->get_ref<const std::string&>());
    } else if (it->is_array()) {  // some issuers send a list; accept it
      for (const Json& s : *it) {
        if (!s.is_string()) return fail(JoseError::kBadClaims, "scope entries must be strings");
        jwt.scopes.push_back(s.get<std::string>());
      }
    } else {
      return fail(JoseError::kBadClaims, "scope must be a space-separated string");
    }
  }
  return std::nullopt;
}

std::optional<JoseFailure> check_claims(const Jwt& jwt, const JwtValidationOptions& o) {
  const int64_t now = o.clock->now_seconds();
  const int64_t skew = o.skew.count();
  if (!jwt.exp && o.require_exp) return fail(JoseError::kMissingClaim, "token has no exp");
  // RFC 7519 §4.1.4: the token must not be accepted on or after exp.
  // (Written as now - skew so that a huge exp cannot overflow.)
  if (jwt.exp && now - skew >= *jwt.exp) return fail(JoseError::kExpired, "token has expired");
  if (jwt.nbf && *jwt.nbf - skew > now) {
    return fail(JoseError::kNotYetValid, "token is not valid yet (nbf)");
  }
  if (jwt.iat && *jwt.iat - skew > now) {
    return fail(JoseError::kIssuedInFuture, "token was issued in the future (iat)");
  }
  if (o.issuer) {
    if (!jwt.iss) return fail(JoseError::kMissingClaim, "token has no iss");
    if (*jwt.iss != *o.issuer) return fail(JoseError::kBadIssuer, "unexpected issuer");
  }
  if (o.audience) {
    if (jwt.aud.empty()) return fail(JoseError::kMissingClaim, "token has no aud");
    if (std::find(jwt.aud.begin(), jwt.aud.end(), *o.audience) == jwt.aud.end()) {
      return fail(JoseError::kBadAudience, "token is not meant for this audience");
    }
  }
  return std::nullopt;
}

}  // namespace

bool Jwt::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

std::vector<std::string> split_scopes(std::string_view scope) {
  return core::split_words(scope);
}

namespace {

// The payload as JSON, or the failure validation reports for it.
std::optional<JoseFailure> parse_claims(std::string_view payload, Json& claims) {
  switch (detail::parse_json_strict(payload, claims)) {
    case detail::JsonParse::kInvalid:
    case detail::JsonParse::kTooDeep:
      return fail(JoseError::kBadClaims, "JWT payload is not JSON");
    case detail::JsonParse::kDuplicateMember:
      return fail(JoseError::kBadClaims, "duplicate claim in the JWT payload");
    case detail::JsonParse::kOk:
      break;
  }
  if (!claims.is_object()) return fail(JoseError::kBadClaims, "JWT payload is not an object");
  return std::nullopt;
}

std::optional<JoseFailure> check_typ(const Json& header, const JwtValidationOptions& options) {
  if (!options.typ) return std::nullopt;
  auto typ = header.find("typ");
  if (typ == header.end() || !typ->is_string() ||
      !iequals(strip_application(typ->get_ref<const std::string&>()),
               strip_application(*options.typ))) {
    return fail(JoseError::kBadType, "token type is not " + *options.typ);
  }
  return std::nullopt;
}

// typ, then the already parsed claims (or their parse failure), then the claim checks.
JoseResult<Jwt> check_parsed_claims(Json header, Json claims,
                                    const std::optional<JoseFailure>& claims_failure,
                                    const JwtValidationOptions& options) {
  if (auto f = check_typ(header, options)) return *f;
  if (claims_failure) return *claims_failure;
  Jwt jwt;
  jwt.claims = std::move(claims);
  if (auto f = read_claims(jwt)) return *f;
  if (auto f = check_claims(jwt, options)) return *f;
  jwt.header = std::move(header);
  return jwt;
}

std::optional<JoseFailure> check_size(std::string_view token, size_t max_size) {
  if (token.size() > max_size) {
    return fail(JoseError::kTooLarge, "JWT larger than " + std::to_string(max_size));
  }
  if (!token.empty() && token.front() == '{') {
    return fail(JoseError::kMalformed, "a JWT uses the compact serialisation");
  }
  return std::nullopt;
}

// The key for the one signature of a compact JWS.
JoseResult<PublicKey> resolve_key(const JwsSignature& sig, const KeyResolver& resolver) {
  std::optional<PublicKey> key = resolver(sig.kid, sig.alg);
  if (!key) {
    return fail(JoseError::kUnknownKey,
                sig.kid.empty() ? "no key for this token" : "unknown key id: " + sig.kid);
  }
  return std::move(*key);
}

}  // namespace

JoseResult<Jwt> check_jwt_claims(const Json& header, std::string_view payload,
                                 const JwtValidationOptions& options) {
  if (auto f = check_typ(header, options)) return *f;
  Json claims;
  auto claims_failure = parse_claims(payload, claims);
  return check_parsed_claims(header, std::move(claims), claims_failure, options);
}

JoseResult<Jwt> validate_jwt(std::string_view token, const KeyResolver& resolver,
                             const JwtValidationOptions& options) {
  if (auto f = check_size(token, options.max_size)) return *f;
  JwsVerifyOptions jws_options;
  jws_options.allowed_algs = options.allowed_algs;
  jws_options.max_size = options.max_size;
  auto parsed = parse_jws(token, jws_options);
  if (!parsed) return parsed.failure();
  JwsSignature& sig = parsed->signatures.front();
  auto key = resolve_key(sig, resolver);
  if (!key) return key.failure();
  if (auto status = verify_signature(sig, *key); !status) return status.failure();
  auto jwt = check_jwt_claims(sig.protected_header, parsed->payload, options);
  if (!jwt) return jwt;
  jwt->alg = sig.alg;
  jwt->kid = std::move(sig.kid);
  return jwt;
}

const std::string* DecodedJwt::unverified_issuer() const {
  if (claims_failure) return nullptr;
  auto it = claims.find("iss");
  return it != claims.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

JoseResult<DecodedJwt> decode_jwt(std::string_view token, size_t max_size) {
  if (auto f = check_size(token, max_size)) return *f;
  JwsVerifyOptions jws_options;
  jws_options.allowed_algs = {JwsAlg::kEdDSA, JwsAlg::kRS256, JwsAlg::kPS256, JwsAlg::kES256};
  jws_options.max_size = max_size;
  auto parsed = parse_jws(token, jws_options);
  if (!parsed) return parsed.failure();
  DecodedJwt decoded;
  decoded.jws = std::move(parsed).value();
  decoded.claims_failure = parse_claims(decoded.jws.payload, decoded.claims);
  decoded.token_size = token.size();
  return decoded;
}

JoseResult<PendingJwt> PendingJwt::start(DecodedJwt decoded, const KeyResolver& resolver,
                                         const JwtValidationOptions& options) {
  if (decoded.token_size > options.max_size) {  // a smaller limit than decode_jwt's
    return fail(JoseError::kTooLarge, "JWT larger than " + std::to_string(options.max_size));
  }
  const JwsSignature& sig = decoded.jws.signatures.front();
  if (std::find(options.allowed_algs.begin(), options.allowed_algs.end(), sig.alg) ==
      options.allowed_algs.end()) {
    return fail(JoseError::kAlgNotAllowed,
                "algorithm " + std::string(alg_name(sig.alg)) + " is not allowed here");
  }
  auto key = resolve_key(sig, resolver);
  if (!key) return key.failure();
  return PendingJwt(std::move(decoded), std::move(key).value());
}

void PendingJwt::verify_signature() {
  auto status = crypto::verify_signature(decoded_.jws.signatures.front(), key_);
  if (!status) signature_failure_ = status.failure();
  verified_ = true;
}

JoseResult<Jwt> PendingJwt::finish(const JwtValidationOptions& options) && {
  if (!verified_) throw std::logic_error("PendingJwt::finish before verify_signature");
  if (signature_failure_) return *signature_failure_;
  JwsSignature& sig = decoded_.jws.signatures.front();
  auto jwt = check_parsed_claims(std::move(sig.protected_header), std::move(decoded_.claims),
                                 decoded_.claims_failure, options);
  if (!jwt) return jwt;
  jwt->alg = sig.alg;
  jwt->kid = std::move(sig.kid);
  return jwt;
}

JoseResult<Jwt> validate_decoded_jwt(DecodedJwt decoded, const KeyResolver& resolver,
                                     const JwtValidationOptions& options) {
  auto pending = PendingJwt::start(std::move(decoded), resolver, options);
  if (!pending) return pending.failure();
  pending->verify_signature();
  return std::move(pending).value().finish(options);
}

std::string issue_jwt(const Json& claims, const PrivateKey& key, JwsAlg alg,
                      const JwtIssueOptions& options) {
  if (!claims.is_object()) throw core::invalid_argument("JWT claims must be an object", "claims");
  Json header = Json::object();
  if (!options.typ.empty()) header["typ"] = options.typ;
  if (!options.kid.empty()) header["kid"] = options.kid;
  return sign_compact(claims.dump(), key, alg, header);
}

}  // namespace registrar::crypto
