// Access tokens: issued as JWTs signed by the key store's active key, and validated — our own
// and those of trusted external issuers (Maskinporten-style: issuer + JWKS URL). A validated
// token is remembered, by its exact text, until it expires, so a client that presents the same
// token on every request costs one signature verification, not one per request; a hit costs a
// short hash, a compare and a reference count, and hands out the Principal built at verification.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "crypto/jwks.h"
#include "crypto/jwt.h"
#include "http/message.h"
#include "identity/keystore.h"

namespace registrar::identity {

struct TrustedIssuer {
  std::string issuer;
  std::string jwks_url;
  std::optional<std::string> audience;  // when set, tokens must carry it in "aud"
  std::vector<crypto::JwsAlg> algs{crypto::JwsAlg::kRS256, crypto::JwsAlg::kPS256,
                                   crypto::JwsAlg::kES256, crypto::JwsAlg::kEdDSA};
  std::string ca_file;  // https: CA bundle to trust instead of the system's
};

struct TokenSettings {
  std::string issuer = "registrar";
  std::optional<std::string> audience;  // put in our tokens, and required of them
  int64_t ttl_seconds = 3600;
  int64_t skew_seconds = 60;
  size_t cache_entries = 100'000;  // 0 disables the verified-token cache
  std::vector<TrustedIssuer> trusted;
  int64_t jwks_min_refresh_seconds = 30;  // at most one fetch per issuer this often
  int64_t jwks_max_age_seconds = 3600;    // refetch a JWKS at least this often
};

struct TokenInfo {
  std::string subject;
  std::string client_id;
  std::string issuer;
  std::vector<std::string> scopes;
  int64_t expires_at = 0;
  int64_t issued_at = 0;
  std::string token_id;
  std::optional<std::string> username;  // password grant
  std::vector<std::string> audience;
};

// What a verified token grants, built once and shared by every request that presents it.
struct VerifiedToken {
  TokenInfo info;
  http::Principal principal;  // the request's view of info
};

struct TokenCheck {
  bool ok = false;
  std::shared_ptr<const VerifiedToken> token;  // set when ok
  std::string error;                           // why not (safe to show the client: no secrets)
};

// The JWKS of one trusted issuer, fetched over HTTP and cached.
class IssuerKeys {
 public:
  IssuerKeys(TrustedIssuer issuer, const core::Clock& clock, int64_t min_refresh, int64_t max_age);
  std::optional<crypto::PublicKey> resolve(std::string_view kid, crypto::JwsAlg alg);
  const TrustedIssuer& issuer() const { return issuer_; }

 private:
  void fetch_locked(int64_t now);
  TrustedIssuer issuer_;
  const core::Clock& clock_;
  int64_t min_refresh_, max_age_;
  std::mutex mu_;
  std::optional<crypto::Jwks> jwks_;
  int64_t fetched_at_ = 0;
  int64_t attempted_at_ = -1'000'000'000;
};

class TokenService {
  struct Shard;

 public:
  TokenService(KeyStore& keys, const core::Clock& clock, TokenSettings settings,
               core::Metrics* metrics = nullptr);

  struct Issued {
    std::string access_token;
    int64_t expires_in;
    std::string scope;
  };
  Issued issue(const std::string& subject, const std::string& client_id,
               const std::vector<std::string>& scopes,
               const std::optional<std::string>& username = std::nullopt);

  // An OpenID-style id token for a user who logged in through `client_id` (DHP /login).
  std::string issue_id_token(const std::string& username, const std::string& client_id);

  TokenCheck validate(std::string_view token);

  // validate() split around its signature verification, for a caller that runs that step apart
  // from the rest (http::defer_to_burst_end). start_validation() decides at once when it can (a
  // cached token, or a fault found before the signature); otherwise needs_signature() is true,
  // verify_signature() is the expensive step and finish() the rest. validate() is exactly this.
  class Validation {
   public:
    bool needs_signature() const { return pending_.has_value() && !verified_; }
    void verify_signature();
    TokenCheck finish() &&;

   private:
    friend class TokenService;
    explicit Validation(TokenService& service) : service_(&service) {}
    TokenService* service_;
    std::optional<TokenCheck> decided_;
    std::optional<crypto::PendingJwt> pending_;
    bool verified_ = false;
    crypto::JwtValidationOptions options_;
    std::string issuer_;
    std::string token_;  // kept for the cache when shard_ is set
    Shard* shard_ = nullptr;
    int64_t now_ = 0;
  };
  // The token must stay valid until start_validation returns; the Validation keeps a copy.
  Validation start_validation(std::string_view token);

  const TokenSettings& settings() const { return settings_; }
  const core::Clock& clock() const { return clock_; }
  KeyStore& keys() { return keys_; }

 private:
  // The checks before the signature, on a token not found in the cache.
  void start_uncached(Validation& v, std::string_view token);
  void remember(Shard& shard, std::string_view token, int64_t now,
                const std::shared_ptr<const VerifiedToken>& token_info);

  // The cache's hash: keyed (SipHash), over the token's last bytes, which for a JWS are its
  // signature. Entries are only ever verified tokens and equality compares the whole text, so
  // the hash only has to spread keys and resist deliberate collisions.
  struct TokenHash {
    using is_transparent = void;
    const unsigned char* key;  // crypto_shorthash_KEYBYTES
    size_t operator()(std::string_view token) const;
  };
  struct TokenEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };

  KeyStore& keys_;
  const core::Clock& clock_;
  TokenSettings settings_;
  std::map<std::string, std::unique_ptr<IssuerKeys>> trusted_;
  std::string cache_hash_key_;
  struct Shard {
    explicit Shard(const unsigned char* hash_key) : entries(16, TokenHash{hash_key}) {}
    std::mutex mu;
    std::unordered_map<std::string, std::shared_ptr<const VerifiedToken>, TokenHash, TokenEqual>
        entries;
  };
  std::vector<std::unique_ptr<Shard>> shards_;
  core::Counter* validations_ = nullptr;
  core::Counter* cache_hits_ = nullptr;
};

}  // namespace registrar::identity
