#include "identity/revocation.h"

#include <limits>

#include "core/error.h"
#include "core/log.h"
#include "identity/tokens.h"
#include "store/audit.h"

namespace registrar::identity {

namespace {

constexpr int64_t kDisabled = std::numeric_limits<int64_t>::max();

void add_accounts(std::unordered_map<std::string, int64_t>& out,
                  const std::vector<AccountRevocationRow>& rows) {
  for (auto& r : rows) {
    if (r.disabled)
      out[r.id] = kDisabled;
    else if (r.revoked_before)
      // A token's iat is whole seconds: one issued in the second of the disabling is refused too
      // (it may have been issued just before; the client asks again).
      out[r.id] = core::to_unix_seconds(*r.revoked_before);
  }
}

const char* kind_name(AccountKind kind) {
  return kind == AccountKind::kClient ? "client" : "user";
}

}  // namespace

RevocationState build_revocation_state(const std::vector<AccountRevocationRow>& clients,
                                       const std::vector<AccountRevocationRow>& users,
                                       const std::vector<RevokedTokenRow>& tokens,
                                       const std::vector<RetiredKeyRow>& keys) {
  RevocationState s;
  add_accounts(s.clients, clients);
  add_accounts(s.users, users);
  for (auto& t : tokens) s.jtis[t.jti] = core::to_unix_seconds(t.until);
  for (auto& k : keys) s.keys[k.kid] = core::to_unix_seconds(k.verify_until);
  return s;
}

std::string revocation_reason(const RevocationState& state, const TokenInfo& token,
                              std::string_view kid, int64_t now) {
  if (!state.keys.empty()) {
    auto it = state.keys.find(std::string(kid));
    if (it != state.keys.end() && now >= it->second) return "the token's signing key is retired";
  }
  if (!token.token_id.empty() && !state.jtis.empty() && state.jtis.count(token.token_id))
    return "the token is revoked";
  auto refused = [&token](const std::unordered_map<std::string, int64_t>& m,
                          const std::string& id) {
    if (m.empty() || id.empty()) return false;
    auto it = m.find(id);
    return it != m.end() && token.issued_at <= it->second;
  };
  if (refused(state.clients, token.client_id)) return "the token's client is disabled or revoked";
  // A user's token: the password grant names it in "username"; `token issue --subject` in "sub"
  // (a client's own token has sub = client_id and is the client's business).
  if (token.username && refused(state.users, *token.username))
    return "the token's user is disabled or revoked";
  if (token.subject != token.client_id && refused(state.users, token.subject))
    return "the token's user is disabled or revoked";
  return "";
}

Revocations::Revocations(store::Database& db, const core::Clock& clock, RevocationSettings settings)
    : db_(db), clock_(clock), settings_(settings), state_(std::make_shared<RevocationState>()) {}

Revocations::~Revocations() {
  stop_refresh();
}

void Revocations::reload() {
  // Reads may overlap (the periodic job and a change made here): the one that began last wins,
  // so a read begun before a change never replaces the state read after it.
  const uint64_t ticket = reads_started_.fetch_add(1) + 1;
  const core::SystemTime now = clock_.now();
  const core::SystemTime horizon = now - std::chrono::seconds(settings_.max_token_lifetime_seconds);
  auto state = db_.read([&](soci::session& s) {
    return std::make_shared<const RevocationState>(
        build_revocation_state(revoked_accounts(s, AccountKind::kClient, horizon),
                               revoked_accounts(s, AccountKind::kUser, horizon),
                               revoked_tokens(s, now), retiring_keys(s, horizon)));
  });
  bool keys_changed;
  {
    core::MutexLock lock(mu_);
    if (ticket < installed_) return;
    installed_ = ticket;
    keys_changed = state->keys != state_->keys;
    state_ = state;
    empty_.store(state->empty(), std::memory_order_release);
  }
  if (keys_changed && on_keys_changed_) on_keys_changed_();
}

void Revocations::reload_logged() {
  try {
    reload();
  } catch (const std::exception& e) {
    log::warn("revocations_reload_failed", {{"error", core::loggable_message(e)}});
  }
}

void Revocations::refresh_in_background(core::Background& background) {
  refresher_ = background.every(
      settings_.refresh, [this] { reload_logged(); }, settings_.refresh);
}

void Revocations::stop_refresh() {
  refresher_.cancel();
}

std::shared_ptr<const RevocationState> Revocations::state() const {
  core::MutexLock lock(mu_);
  return state_;
}

std::string Revocations::check(const TokenInfo& token, std::string_view kid, int64_t now) const {
  if (empty_.load(std::memory_order_acquire)) return "";
  return revocation_reason(*state(), token, kid, now);
}

bool Revocations::account_disabled(AccountKind kind, const std::string& id) const {
  if (empty_.load(std::memory_order_acquire)) return false;
  auto s = state();
  const auto& m = kind == AccountKind::kClient ? s->clients : s->users;
  auto it = m.find(id);
  return it != m.end() && it->second == kDisabled;
}

void Revocations::set_disabled(AccountKind kind, const std::string& id, bool disabled,
                               const std::string& actor, const std::string& request_id) {
  const std::string what = kind_name(kind);
  db_.write([&](soci::session& s) {
    if (!set_account_disabled(s, kind, id, disabled, clock_.now()))
      throw core::not_found("no " + what + " " + id);
    store::append_audit(s,
                        {actor, "identity." + what + (disabled ? ".disable" : ".enable"),
                         what + ":" + id, request_id, nlohmann::json::object()},
                        clock_.now());
  });
  reload();
}

core::SystemTime Revocations::revoke_jti(const std::string& jti,
                                         std::optional<core::SystemTime> until,
                                         const std::string& actor, const std::string& request_id) {
  if (jti.empty() || jti.size() > 255)
    throw core::invalid_argument("jti must be 1-255 characters", "jti");
  const core::SystemTime now = clock_.now();
  core::SystemTime end =
      until.value_or(now + std::chrono::seconds(settings_.max_token_lifetime_seconds));
  if (end <= now) throw core::invalid_argument("until must be in the future", "until");
  db_.write([&](soci::session& s) {
    revoke_token(s, {jti, end}, now);
    // Rows whose token has expired anyway go with each new one.
    purge_revoked_tokens(s, now);
    store::append_audit(s,
                        {actor,
                         "identity.token.revoke",
                         "jti:" + jti,
                         request_id,
                         {{"until", core::format_rfc3339(end)}}},
                        clock_.now());
  });
  reload();
  return end;
}

}  // namespace registrar::identity
