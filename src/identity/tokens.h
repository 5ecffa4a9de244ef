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

#include "core/background.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/thread_annotations.h"
#include "crypto/jwks.h"
#include "crypto/jwt.h"
#include "http/async_client.h"
#include "http/message.h"
#include "identity/keystore.h"
#include "identity/revocation.h"

namespace registrar::identity {

struct TrustedIssuer {
  std::string issuer;
  std::string jwks_url;
  std::string audience;  // required: tokens must carry it in "aud"
  // Scopes this issuer may grant here: a token's other scopes are dropped. "*" trusts them all.
  std::vector<std::string> scopes;
  bool allow_http = false;  // a plain-http jwks_url (tests on loopback only)
  std::vector<crypto::JwsAlg> algs{crypto::JwsAlg::kRS256, crypto::JwsAlg::kPS256,
                                   crypto::JwsAlg::kES256, crypto::JwsAlg::kEdDSA};
  std::string ca_file;  // https: CA bundle to trust instead of the system's
  // Tolerated clock difference for this issuer's exp/nbf/iat; unset: TokenSettings::skew_seconds.
  // Maskinporten and Altinn tokens were checked with none by oed-authz (docs/compatibility.md).
  std::optional<int64_t> skew_seconds;
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
  std::string key_id;  // the "kid" that signed it
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

// The JWKS of one trusted issuer, fetched over HTTP and cached. Thread-safe.
//
// In the server (refresh_in_background) no request ever waits for the issuer: a periodic job
// and the async client fetch the set, resolve() answers from the last good one, and a kid it
// does not know (the issuer rotated) or a set older than max_age asks for a fetch — at most one
// in flight, at most one per min_refresh — whose result the next request sees. Without it (CLI,
// tests) resolve() fetches on the caller's thread, under the same rate limit.
class IssuerKeys {
 public:
  IssuerKeys(TrustedIssuer issuer, const core::Clock& clock, int64_t min_refresh, int64_t max_age);
  ~IssuerKeys();  // stop_refresh()
  std::optional<crypto::PublicKey> resolve(std::string_view kid, crypto::JwsAlg alg) EXCLUDES(mu_);
  const TrustedIssuer& issuer() const { return issuer_; }

  // Fetches once now, on the caller's thread (start-up), then every max_age through `client`
  // (every min_refresh until a first set arrived); both must outlive stop_refresh().
  void refresh_in_background(core::Background& background, http::HttpClient& client) EXCLUDES(mu_);
  // Cancels the periodic job and waits for a fetch in flight to complete.
  void stop_refresh() EXCLUDES(mu_);
  // Completed fetches (successful or not), for tests.
  int fetches_completed() const EXCLUDES(mu_);

 private:
  void fetch_locked(int64_t now) REQUIRES(mu_);
  // Starts an async fetch unless one is in flight or the rate limit says no.
  void request_fetch_locked(int64_t now, bool periodic) REQUIRES(mu_);
  // The fetched body (or the failure): installs a good set, logs a bad one.
  void fetched(const http::Response* response, const std::string& error) EXCLUDES(mu_);
  http::ClientRequest jwks_request() const;
  bool jwks_ready() const EXCLUDES(mu_);
  TrustedIssuer issuer_;
  const core::Clock& clock_;
  int64_t min_refresh_, max_age_;
  mutable core::Mutex mu_;
  core::CondVar idle_cv_;  // a fetch in flight completed
  std::optional<crypto::Jwks> jwks_ GUARDED_BY(mu_);
  int64_t fetched_at_ GUARDED_BY(mu_) = 0;
  int64_t attempted_at_ GUARDED_BY(mu_) = -1'000'000'000;
  http::HttpClient* client_ GUARDED_BY(mu_) = nullptr;
  bool in_flight_ GUARDED_BY(mu_) = false;
  int fetches_completed_ GUARDED_BY(mu_) = 0;
  core::Job refresher_;
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
    const TrustedIssuer* external_ = nullptr;  // set for another issuer's token
    std::string token_;                        // kept for the cache when shard_ is set
    Shard* shard_ = nullptr;
    int64_t now_ = 0;
  };
  // The token must stay valid until start_validation returns; the Validation keeps a copy.
  Validation start_validation(std::string_view token);

  const TokenSettings& settings() const { return settings_; }
  const core::Clock& clock() const { return clock_; }

  // Trusted issuers' JWKS are fetched in the background from now on (IssuerKeys); call
  // stop_refresh() before either argument goes.
  void refresh_in_background(core::Background& background, http::HttpClient& client);
  void stop_refresh();
  KeyStore& keys() { return keys_; }
  // Our own tokens are checked against `revocations` (which must outlive this service) after
  // their signature and on every cache hit; a revoked token is dropped from the cache.
  void set_revocations(const Revocations* revocations) { revocations_ = revocations; }

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
  const Revocations* revocations_ = nullptr;
  core::Counter* validations_ = nullptr;
  core::Counter* cache_hits_ = nullptr;
};

}  // namespace registrar::identity
