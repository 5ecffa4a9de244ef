// Revocation: disabled clients and users, tokens revoked by jti, keys retired early. Every
// instance keeps the state in memory — hash maps, consulted on every check of one of our own
// bearer tokens (after the signature, and on a hit in the verified-token cache) and of a cached
// client or user authentication — and re-reads it from the database every
// identity.revocation.refresh_ms through the platform's Background. So a change made on any
// instance (or by the CLI) takes effect everywhere within that bound, and at once on the
// instance that made it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/background.h"
#include "core/clock.h"
#include "core/thread_annotations.h"
#include "identity/revocation_store.h"
#include "store/database.h"

namespace registrar::identity {

struct TokenInfo;

struct RevocationSettings {
  std::chrono::milliseconds refresh{5000};
  // The longest a token of ours lives (token TTL + clock skew): a revoked jti is kept this long
  // by default, and an account's revoked_before matters no longer than this.
  int64_t max_token_lifetime_seconds = 3660;
};

// What is revoked at one moment; immutable once built. Times in seconds since the epoch.
struct RevocationState {
  // Tokens of the account issued at or before this second are refused (INT64_MAX: disabled).
  std::unordered_map<std::string, int64_t> clients, users;
  std::unordered_map<std::string, int64_t> jtis;  // jti -> until
  std::unordered_map<std::string, int64_t> keys;  // kid -> refuse its tokens from this second
  bool empty() const { return clients.empty() && users.empty() && jtis.empty() && keys.empty(); }
};

// Why one of our tokens is refused ("" when it is not). `kid` is the key that signed it. Pure.
std::string revocation_reason(const RevocationState& state, const TokenInfo& token,
                              std::string_view kid, int64_t now);

// Builds the state from rows (pure; `now` in seconds).
RevocationState build_revocation_state(const std::vector<AccountRevocationRow>& clients,
                                       const std::vector<AccountRevocationRow>& users,
                                       const std::vector<RevokedTokenRow>& tokens,
                                       const std::vector<RetiredKeyRow>& keys);

class Revocations {
 public:
  Revocations(store::Database& db, const core::Clock& clock, RevocationSettings settings);
  ~Revocations();  // stop_refresh()

  // Reads the state now (start-up, and after a change made here). Throws on a database error.
  void reload() EXCLUDES(mu_);
  // From now on re-read every settings.refresh on `background` (a failed read is logged and the
  // last state kept). Call stop_refresh() before `background` stops.
  void refresh_in_background(core::Background& background);
  void stop_refresh();
  // Called (on the refreshing thread) when the set of retired keys changed: the key store
  // reloads, so this instance stops signing with a key another one retired.
  void on_keys_changed(std::function<void()> fn) { on_keys_changed_ = std::move(fn); }

  // "" when the token may pass.
  std::string check(const TokenInfo& token, std::string_view kid, int64_t now) const EXCLUDES(mu_);
  bool account_disabled(AccountKind kind, const std::string& id) const EXCLUDES(mu_);
  std::shared_ptr<const RevocationState> state() const EXCLUDES(mu_);

  // Changes (CLI, admin API), audited, in effect here on return. Throw core::Error kNotFound for
  // an unknown account.
  void set_disabled(AccountKind kind, const std::string& id, bool disabled,
                    const std::string& actor, const std::string& request_id = {});
  // `until`: when the token has expired anyway (default: now + the longest token lifetime).
  core::SystemTime revoke_jti(const std::string& jti, std::optional<core::SystemTime> until,
                              const std::string& actor, const std::string& request_id = {});

  const RevocationSettings& settings() const { return settings_; }

 private:
  void reload_logged();
  store::Database& db_;
  const core::Clock& clock_;
  RevocationSettings settings_;
  mutable core::Mutex mu_;
  std::shared_ptr<const RevocationState> state_ GUARDED_BY(mu_);
  std::atomic<uint64_t> reads_started_{0};
  uint64_t installed_ GUARDED_BY(mu_) = 0;  // the ticket of the read state_ came from
  // Nothing revoked (the usual case): a check costs one atomic load.
  std::atomic<bool> empty_{true};
  std::function<void()> on_keys_changed_;
  core::Job refresher_;
};

}  // namespace registrar::identity
