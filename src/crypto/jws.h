// JSON Web Signature (RFC 7515) in compact, flattened JSON and general JSON serialisation.
//
// Verification is two steps so that a caller can choose the key from the header (by "kid") in
// between: parse_jws() checks structure and header policy, verify_parsed() checks the signature
// with a key. verify_jws() does both. Failures are values (JoseFailure: a reason code and a
// message), not exceptions, because a bad signature is an expected outcome that APIs report
// (the DHP /verify answers 200 with a reason text).
//
// Policy, all enforced by parse_jws: an explicit allow-list of algorithms per use; "none" and
// HMAC algorithms never (a public key must not become an HMAC secret); no "jwk", "jku", "x5u" or
// "x5c" header (the verifier picks keys, the message does not); "crit" only with extensions the
// caller declares it understands; no member both in the protected and the unprotected header;
// no duplicate JSON members; strict base64url; a size limit checked before anything is decoded.
#pragma once

#include <nlohmann/json.hpp>

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crypto/keys.h"
#include "crypto/signature.h"

namespace registrar::crypto {

enum class JoseError {
  kMalformed,          // not a JWS/JWT in any supported serialisation
  kTooLarge,           // longer than the configured maximum
  kBadBase64,          // a part is not strict base64url
  kBadHeader,          // header not a JSON object, duplicate member, member of the wrong type
  kMissingAlg,         // no "alg"
  kAlgNone,            // "alg": "none"
  kAlgHmac,            // HS256/HS384/HS512
  kAlgUnsupported,     // an algorithm registrar does not implement
  kAlgNotAllowed,      // implemented but not allowed for this use
  kAlgKeyMismatch,     // the algorithm does not fit the key type
  kKeyIndirection,     // "jwk", "jku", "x5u" or "x5c" in a header
  kUnknownCrit,        // "crit" names an extension the caller does not understand
  kConflictingHeader,  // a member in both the protected and the unprotected header
  kBadSignature,       // the signature does not verify
  // JWT validation (jwt.h)
  kUnknownKey,      // the key resolver has no key for this kid/alg
  kBadClaims,       // payload not a JSON object, or a claim of the wrong type
  kMissingClaim,    // a required claim is absent
  kExpired,         // exp is in the past (beyond the skew)
  kNotYetValid,     // nbf is in the future (beyond the skew)
  kIssuedInFuture,  // iat is in the future (beyond the skew)
  kBadIssuer,
  kBadAudience,
  kBadType,  // header "typ" is not the expected one
};

// Stable short name, e.g. "alg-not-allowed", for logs and problem details.
const char* jose_error_name(JoseError error);

struct JoseFailure {
  JoseError reason;
  std::string message;
};

// A value or a failure.
template <class T>
class JoseResult {
 public:
  JoseResult(T value) : v_(std::move(value)) {}                // NOLINT: implicit by design
  JoseResult(JoseFailure failure) : v_(std::move(failure)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const JoseFailure& failure() const { return std::get<1>(v_); }
  JoseError reason() const { return failure().reason; }
  const std::string& message() const { return failure().message; }

 private:
  std::variant<T, JoseFailure> v_;
};
using JoseStatus = JoseResult<std::monostate>;

struct JwsVerifyOptions {
  std::vector<JwsAlg> allowed_algs;  // required: empty allows nothing
  size_t max_size = 64 * 1024;       // bytes of the serialised JWS
  // Entries of a general serialisation's "signatures". More are refused: each costs a header
  // parse and a signature check, and nothing legitimate signs one payload with dozens of keys.
  size_t max_signatures = 8;
  // "crit" extensions the caller checks itself (RFC 7515 §4.1.11). Empty: any "crit" fails.
  std::vector<std::string> understood_crit;
};

enum class JwsSerialization { kCompact, kFlattened, kGeneral };

struct JwsSignature {
  JwsAlg alg = JwsAlg::kEdDSA;
  std::string kid;                           // "" when absent
  Json protected_header = Json::object();    // decoded protected header
  Json unprotected_header = Json::object();  // JSON serialisations only
  // BASE64URL(protected) '.' BASE64URL(payload) — compact and flattened forms. Empty in the
  // general form, whose entries share one payload: verify_parsed builds each entry's input when
  // it checks it, so N entries never hold N copies of the payload.
  std::string signing_input;
  std::string protected_b64;  // general form only: this entry's BASE64URL(protected)
  std::string signature;      // decoded signature bytes
};

struct ParsedJws {
  JwsSerialization serialization = JwsSerialization::kCompact;
  std::string payload;                   // decoded payload bytes
  std::string payload_b64;               // general form only: BASE64URL(payload) as sent
  std::vector<JwsSignature> signatures;  // one, except in the general serialisation
};

// Any serialisation: compact when `text` does not start with '{', else JSON.
JoseResult<ParsedJws> parse_jws(std::string_view text, const JwsVerifyOptions& options);
// From a JSON value already parsed by the caller (a JSON request body): a string is compact, an
// object is a JSON serialisation.
JoseResult<ParsedJws> parse_jws_json(const Json& value, const JwsVerifyOptions& options);
// parse_jws(json_value, options) also works; the overload is a constrained template so that a
// std::string argument is not ambiguous between text and JSON.
template <std::same_as<Json> J>
JoseResult<ParsedJws> parse_jws(const J& value, const JwsVerifyOptions& options) {
  return parse_jws_json(value, options);
}

// One signature of a compact or flattened JWS with one key: kAlgKeyMismatch or kBadSignature
// on failure (an entry of the general form has no signing_input: use verify_parsed).
JoseStatus verify_signature(const JwsSignature& signature, const PublicKey& key);
// Entry `index` of any serialisation with one key (the caller picked the key by the entry's
// kid): kAlgKeyMismatch or kBadSignature on failure.
JoseStatus verify_entry(const ParsedJws& jws, size_t index, const PublicKey& key);
// Succeeds when any signature fitting the key type verifies; returns its index.
JoseResult<size_t> verify_parsed(const ParsedJws& jws, const PublicKey& key);

// parse_jws + verify_parsed.
JoseResult<ParsedJws> verify_jws(std::string_view text, const PublicKey& key,
                                 const JwsVerifyOptions& options);
JoseResult<ParsedJws> verify_jws_json(const Json& value, const PublicKey& key,
                                      const JwsVerifyOptions& options);
template <std::same_as<Json> J>
JoseResult<ParsedJws> verify_jws(const J& value, const PublicKey& key,
                                 const JwsVerifyOptions& options) {
  return verify_jws_json(value, key, options);
}

// ---- signing ----

// `protected_header` may add members (kid, typ, ...); "alg" is set from `alg` (a different
// "alg" given in it is an error). Throws core::Error(kInvalidArgument) on a misfit key/alg.
std::string sign_compact(std::string_view payload, const PrivateKey& key, JwsAlg alg,
                         const Json& protected_header = Json::object());

struct JwsSigner {
  PrivateKey key;
  JwsAlg alg;
  Json protected_header = Json::object();
  Json unprotected_header = Json::object();  // omitted when empty
};

// {"payload","protected","header"?,"signature"}
Json sign_flattened(std::string_view payload, const JwsSigner& signer);
// {"payload","signatures":[{"protected","header"?,"signature"}, ...]}
Json sign_general(std::string_view payload, const std::vector<JwsSigner>& signers);

}  // namespace registrar::crypto
