// JWK Sets (RFC 7517 §5): reading a trusted issuer's published keys and publishing ours. Keys
// registrar cannot use (other curves, encryption keys, malformed members) are skipped and
// reported rather than failing the whole set, because issuers publish keys for many consumers.
#pragma once

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "crypto/signature.h"

namespace registrar::crypto {

struct JwksKey {
  std::string kid;            // "" when the JWK has none
  std::optional<JwsAlg> alg;  // the JWK's "alg", when given: the only algorithm it may verify
  PublicKey key;
};

struct JwksSkipped {
  size_t index;     // position in "keys"
  std::string kid;  // when readable
  std::string reason;
};

class Jwks {
 public:
  // Throws core::Error(kInvalidArgument) when the document is not {"keys": [...]}.
  static Jwks parse(std::string_view json);
  static Jwks from_json(const Json& document);
  template <std::same_as<Json> J>
  static Jwks parse(const J& document) {
    return from_json(document);
  }

  const std::vector<JwksKey>& keys() const { return keys_; }
  const std::vector<JwksSkipped>& skipped() const { return skipped_; }

  // The key with this kid (first kid-less key for ""), or nullptr.
  const JwksKey* find(std::string_view kid) const;
  // The key for (kid, alg): the kid matches and the key fits alg (type and its own "alg").
  std::optional<PublicKey> resolve(std::string_view kid, JwsAlg alg) const;
  // A KeyResolver over a copy of this set (keys are shared, so the copy is cheap).
  KeyResolver resolver() const;

  void add(JwksKey key);  // throws core::Error(kConflict) on a duplicate kid
  Json to_json() const;   // {"keys":[...]} with kid, alg and "use":"sig"

 private:
  std::vector<JwksKey> keys_;
  std::vector<JwksSkipped> skipped_;
};

}  // namespace registrar::crypto
