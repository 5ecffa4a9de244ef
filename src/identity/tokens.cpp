#include "identity/tokens.h"

#include <sodium.h>

#include "core/base64.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "http/client.h"

namespace registrar::identity {

namespace {
const std::vector<crypto::JwsAlg> kOwnAlgs{crypto::JwsAlg::kEdDSA, crypto::JwsAlg::kES256,
                                           crypto::JwsAlg::kRS256, crypto::JwsAlg::kPS256};

}  // namespace

IssuerKeys::IssuerKeys(TrustedIssuer issuer, const core::Clock& clock, int64_t min_refresh,
                       int64_t max_age)
    : issuer_(std::move(issuer)), clock_(clock), min_refresh_(min_refresh), max_age_(max_age) {}

IssuerKeys::~IssuerKeys() {
  stop_refresh();
}

http::ClientRequest IssuerKeys::jwks_request() const {
  http::ClientRequest req;
  req.url = issuer_.jwks_url;
  req.timeout = std::chrono::seconds(5);
  req.ca_file = issuer_.ca_file;
  req.max_response_bytes = 1024 * 1024;
  return req;
}

void IssuerKeys::fetched(const http::Response* res, const std::string& error) {
  std::string problem = error;
  std::optional<crypto::Jwks> jwks;
  if (res && res->status != 200) problem = "HTTP status " + std::to_string(res->status);
  if (res && problem.empty()) {
    try {
      jwks = crypto::Jwks::parse(std::string_view(res->body));
    } catch (const std::exception& e) {
      problem = e.what();
    }
  }
  core::MutexLock lock(mu_);
  if (jwks) {
    for (auto& skipped : jwks->skipped())
      log::warn("jwks_key_skipped",
                {{"issuer", issuer_.issuer}, {"kid", skipped.kid}, {"reason", skipped.reason}});
    log::info("jwks_fetched", {{"issuer", issuer_.issuer}, {"keys", jwks->keys().size()}});
    jwks_ = std::move(jwks);
    fetched_at_ = clock_.now_seconds();
  } else {
    // The last good set stays in use.
    log::warn("jwks_fetch_failed",
              {{"issuer", issuer_.issuer}, {"url", issuer_.jwks_url}, {"error", problem}});
  }
  ++fetches_completed_;
}

void IssuerKeys::fetch_locked(int64_t now) {
  if (now - attempted_at_ < min_refresh_) return;  // rate limit, also for failures
  attempted_at_ = now;
  // Blocking, on the caller's thread: only without a background refresher (CLI, tests).
  mu_.unlock();
  try {
    http::Response res = http::fetch(jwks_request());
    fetched(&res, "");
  } catch (const std::exception& e) {
    fetched(nullptr, e.what());
  }
  mu_.lock();
}

void IssuerKeys::request_fetch_locked(int64_t now, bool periodic) {
  if (!client_ || in_flight_) return;
  if (!periodic && now - attempted_at_ < min_refresh_) return;
  attempted_at_ = now;
  in_flight_ = true;
  client_->send(jwks_request(), [this](http::Outcome o) {
    if (o.ok())
      fetched(&o.response(), "");
    else
      fetched(nullptr, o.error().what());
    core::MutexLock lock(mu_);
    in_flight_ = false;
    idle_cv_.notify_all();
  });
}

void IssuerKeys::refresh_in_background(core::Background& background, http::HttpClient& client) {
  auto interval = std::chrono::seconds(std::max<int64_t>(max_age_, 1));
  {
    // The first set is fetched before the server takes requests (bounded by the request's
    // timeout; a failure is logged and the background fetches keep trying).
    core::MutexLock lock(mu_);
    if (!jwks_) fetch_locked(clock_.now_seconds());
    client_ = &client;
  }
  refresher_ = background.every(
      interval,
      [this] {
        core::MutexLock lock(mu_);
        request_fetch_locked(clock_.now_seconds(), true);
      },
      jwks_ready() ? interval : std::chrono::seconds(std::max<int64_t>(min_refresh_, 1)));
}

bool IssuerKeys::jwks_ready() const {
  core::MutexLock lock(mu_);
  return jwks_.has_value();
}

void IssuerKeys::stop_refresh() {
  refresher_.cancel();
  core::MutexLock lock(mu_);
  while (in_flight_) idle_cv_.wait(mu_);
  client_ = nullptr;
}

int IssuerKeys::fetches_completed() const {
  core::MutexLock lock(mu_);
  return fetches_completed_;
}

std::optional<crypto::PublicKey> IssuerKeys::resolve(std::string_view kid, crypto::JwsAlg alg) {
  if (std::find(issuer_.algs.begin(), issuer_.algs.end(), alg) == issuer_.algs.end())
    return std::nullopt;
  core::MutexLock lock(mu_);
  int64_t now = clock_.now_seconds();
  const bool stale = !jwks_ || now - fetched_at_ >= max_age_;
  if (client_) {
    // Never on the request's path: ask for a fetch and answer from what we have.
    std::optional<crypto::PublicKey> key;
    if (jwks_) key = jwks_->resolve(kid, alg);
    if (stale || !key) request_fetch_locked(now, false);  // unknown kid: rotated at the issuer?
    return key;
  }
  if (stale) fetch_locked(now);
  if (!jwks_) return std::nullopt;
  if (auto key = jwks_->resolve(kid, alg)) return key;
  // An unknown kid may be a key the issuer has just rotated in.
  fetch_locked(now);
  return jwks_ ? jwks_->resolve(kid, alg) : std::nullopt;
}

TokenService::TokenService(KeyStore& keys, const core::Clock& clock, TokenSettings settings,
                           core::Metrics* metrics)
    : keys_(keys),
      clock_(clock),
      settings_(std::move(settings)),
      cache_hash_key_(core::random_bytes(crypto_shorthash_KEYBYTES)) {
  const auto* hash_key = reinterpret_cast<const unsigned char*>(cache_hash_key_.data());
  for (int i = 0; i < 16; ++i) shards_.push_back(std::make_unique<Shard>(hash_key));
  for (auto& t : settings_.trusted) {
    if (t.allow_http)
      log::warn("trusted_issuer_plain_http",
                {{"issuer", t.issuer},
                 {"jwks_url", t.jwks_url},
                 {"why", "allow_http: its keys arrive unprotected; for tests on loopback only"}});
    trusted_[t.issuer] = std::make_unique<IssuerKeys>(t, clock_, settings_.jwks_min_refresh_seconds,
                                                      settings_.jwks_max_age_seconds);
  }
  if (metrics) {
    validations_ = &metrics->counter("registrar_identity_token_validations_total",
                                     "Bearer tokens checked (cache hits included).");
    cache_hits_ = &metrics->counter("registrar_identity_token_cache_hits_total",
                                    "Bearer tokens accepted from the verified-token cache.");
  }
}

void TokenService::refresh_in_background(core::Background& background, http::HttpClient& client) {
  for (auto& [name, keys] : trusted_) keys->refresh_in_background(background, client);
}

void TokenService::stop_refresh() {
  for (auto& [name, keys] : trusted_) keys->stop_refresh();
}

TokenService::Issued TokenService::issue(const std::string& subject, const std::string& client_id,
                                         const std::vector<std::string>& scopes,
                                         const std::optional<std::string>& username) {
  auto signer = keys_.signer();
  int64_t now = clock_.now_seconds();
  std::string scope;
  for (auto& s : scopes) scope += (scope.empty() ? "" : " ") + s;
  crypto::Json claims = {{"iss", settings_.issuer},
                         {"sub", subject},
                         {"client_id", client_id},
                         {"scope", scope},
                         {"iat", now},
                         {"exp", now + settings_.ttl_seconds},
                         {"jti", core::random_token(16)}};
  if (settings_.audience) claims["aud"] = *settings_.audience;
  if (username) claims["username"] = *username;
  std::string token = crypto::issue_jwt(claims, signer.key, signer.alg, {signer.kid, "at+jwt"});
  return {token, settings_.ttl_seconds, scope};
}

std::string TokenService::issue_id_token(const std::string& username,
                                         const std::string& client_id) {
  auto signer = keys_.signer();
  int64_t now = clock_.now_seconds();
  crypto::Json claims = {{"iss", settings_.issuer},
                         {"sub", username},
                         {"aud", client_id},
                         {"iat", now},
                         {"exp", now + settings_.ttl_seconds}};
  return crypto::issue_jwt(claims, signer.key, signer.alg, {signer.kid, "JWT"});
}

size_t TokenService::TokenHash::operator()(std::string_view token) const {
  constexpr size_t kTail = 64;
  const std::string_view tail = token.size() > kTail ? token.substr(token.size() - kTail) : token;
  uint64_t h = 0;
  crypto_shorthash(reinterpret_cast<unsigned char*>(&h),
                   reinterpret_cast<const unsigned char*>(tail.data()), tail.size(), key);
  return static_cast<size_t>(h ^ token.size());
}

TokenCheck TokenService::validate(std::string_view token) {
  Validation v = start_validation(token);
  if (v.needs_signature()) v.verify_signature();
  return std::move(v).finish();
}

TokenService::Validation TokenService::start_validation(std::string_view token) {
  if (validations_) validations_->add();
  Validation v(*this);
  v.now_ = clock_.now_seconds();
  // Tokens beyond this size are verified every time rather than held in memory.
  constexpr size_t kMaxCachedToken = 8 * 1024;
  if (settings_.cache_entries > 0 && token.size() <= kMaxCachedToken) {
    // The shard by other bits of the same hash the map uses.
    const size_t hash = shards_.front()->entries.hash_function()(token);
    Shard* shard = shards_[(hash >> 56) % shards_.size()].get();
    std::lock_guard lock(shard->mu);
    auto it = shard->entries.find(token);
    if (it != shard->entries.end()) {
      const TokenInfo& info = it->second->info;
      std::string revoked;
      if (revocations_ && info.issuer == settings_.issuer)
        revoked = revocations_->check(info, info.key_id, v.now_);
      if (!revoked.empty()) {
        shard->entries.erase(it);
        v.decided_ = TokenCheck{false, {}, std::move(revoked)};
        return v;
      }
      if (info.expires_at > v.now_) {
        if (cache_hits_) cache_hits_->add();
        v.decided_ = TokenCheck{true, it->second, ""};
        return v;
      }
      shard->entries.erase(it);
    }
    v.shard_ = shard;
    v.token_ = token;
  }
  start_uncached(v, token);
  return v;
}

void TokenService::remember(Shard& shard, std::string_view token, int64_t now,
                            const std::shared_ptr<const VerifiedToken>& verified) {
  const size_t per_shard = settings_.cache_entries / shards_.size() + 1;
  std::lock_guard lock(shard.mu);
  if (shard.entries.size() >= per_shard) {
    std::erase_if(shard.entries, [now](auto& kv) { return kv.second->info.expires_at <= now; });
    if (shard.entries.size() >= per_shard) shard.entries.clear();
  }
  shard.entries.emplace(std::string(token), verified);
}

void TokenService::start_uncached(Validation& v, std::string_view token) {
  auto refuse = [&v](std::string why) { v.decided_ = TokenCheck{false, {}, std::move(why)}; };
  // Decoded once: the unverified issuer picks the keys and rules, then the same parse is verified.
  auto decoded = crypto::decode_jwt(token);
  if (!decoded) return refuse(decoded.message());
  const std::string* iss = decoded->unverified_issuer();
  if (!iss) return refuse("token is not a JWT with an issuer");
  crypto::JwtValidationOptions& options = v.options_;
  options.clock = &clock_;
  options.skew = std::chrono::seconds(settings_.skew_seconds);
  options.issuer = *iss;
  crypto::KeyResolver resolver;
  if (*iss == settings_.issuer) {
    options.allowed_algs = kOwnAlgs;
    options.audience = settings_.audience;
    // Only our access tokens: an id_token (DHP /login) has the same key and issuer but typ
    // "JWT", and must not pass as a bearer token (RFC 9068 §4, security issue 17).
    options.typ = "at+jwt";
    resolver = [this](std::string_view kid, crypto::JwsAlg alg) {
      return keys_.verification_key(kid, alg);
    };
  } else if (auto it = trusted_.find(*iss); it != trusted_.end()) {
    IssuerKeys* ik = it->second.get();
    options.allowed_algs = ik->issuer().algs;
    options.audience = ik->issuer().audience;
    if (ik->issuer().skew_seconds) options.skew = std::chrono::seconds(*ik->issuer().skew_seconds);
    v.external_ = &ik->issuer();
    resolver = [ik](std::string_view kid, crypto::JwsAlg alg) { return ik->resolve(kid, alg); };
  } else {
    return refuse("issuer is not trusted");
  }
  v.issuer_ = *iss;
  auto pending = crypto::PendingJwt::start(std::move(decoded).value(), resolver, options);
  if (!pending) return refuse(pending.message());
  v.pending_.emplace(std::move(pending).value());
}

void TokenService::Validation::verify_signature() {
  if (!pending_ || verified_) throw std::logic_error("no signature left to verify");
  pending_->verify_signature();
  verified_ = true;
}

TokenCheck TokenService::Validation::finish() && {
  if (decided_) return std::move(*decided_);
  if (!verified_) throw std::logic_error("Validation::finish before verify_signature");
  auto jwt = std::move(*pending_).finish(options_);
  if (!jwt) return {false, {}, jwt.message()};
  auto verified = std::make_shared<VerifiedToken>();
  TokenInfo& info = verified->info;
  info.issuer = std::move(issuer_);
  info.subject = std::move(jwt->sub).value_or("");
  info.scopes = std::move(jwt->scopes);
  info.expires_at = jwt->exp.value_or(0);
  info.issued_at = jwt->iat.value_or(0);
  info.token_id = std::move(jwt->jti).value_or("");
  info.audience = std::move(jwt->aud);
  info.key_id = jwt->kid;
  const auto& claims = jwt->claims;
  auto string_claim = [&claims](const char* name) -> const std::string* {
    auto it = claims.find(name);
    return it != claims.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  if (auto* c = string_claim("client_id"))
    info.client_id = *c;
  else if (auto* azp = string_claim("azp"))
    info.client_id = *azp;
  if (auto* u = string_claim("username")) info.username = *u;
  http::Principal& p = verified->principal;
  p.subject = info.subject;
  p.client_id = info.client_id;
  p.issuer = info.issuer;
  if (external_) {
    // Only what this issuer is trusted for; and its subjects are named with it in the audit log.
    const auto& allowed = external_->scopes;
    if (std::find(allowed.begin(), allowed.end(), "*") == allowed.end())
      std::erase_if(info.scopes, [&allowed](const std::string& s) {
        return std::find(allowed.begin(), allowed.end(), s) == allowed.end();
      });
    p.actor = info.issuer + "|" + info.subject;
  }
  if (!external_ && service_->revocations_) {
    std::string revoked = service_->revocations_->check(info, info.key_id, now_);
    if (!revoked.empty()) return {false, {}, std::move(revoked)};
  }
  p.scopes = info.scopes;
  p.expires_at = info.expires_at;
  if (shard_) service_->remember(*shard_, token_, now_, verified);
  return {true, std::move(verified), ""};
}

}  // namespace registrar::identity
