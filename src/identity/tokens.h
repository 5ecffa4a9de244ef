// Access tokens: issued as JWTs signed by the key store's active key, and validated — our own
// and those of trusted external issuers (Maskinporten-style: issuer + JWKS URL). A validated
// token is remembered until it expires under a hash of its text, so a client that presents the
// same token on every request costs one signature verification, not one per request.
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

struct TokenCheck {
  bool ok = false;
  TokenInfo info;
  std::string error;  // why not (safe to show the client: no secrets)
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

  const TokenSettings& settings() const { return settings_; }
  KeyStore& keys() { return keys_; }

 private:
  TokenCheck validate_uncached(std::string_view token);
  std::string cache_key(std::string_view token) const;

  KeyStore& keys_;
  const core::Clock& clock_;
  TokenSettings settings_;
  std::map<std::string, std::unique_ptr<IssuerKeys>> trusted_;
  std::string cache_hash_key_;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, TokenInfo> entries;
  };
  std::array<Shard, 16> shards_;
  core::Counter* validations_ = nullptr;
  core::Counter* cache_hits_ = nullptr;
};

}  // namespace registrar::identity
