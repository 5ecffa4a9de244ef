#include "identity/accounts.h"

#include <sodium.h>

#include <algorithm>

#include "core/error.h"
#include "core/random.h"
#include "crypto/jwt.h"
#include "store/audit.h"

namespace registrar::identity {

namespace {
constexpr int64_t kCacheSeconds = 60;
constexpr size_t kCacheMax = 10'000;

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (auto& s : scopes) {
    if (s.empty() || s.find_first_of(" \"\\") != std::string::npos)
      throw core::invalid_argument("scope '" + s + "' must be non-empty without spaces or quotes",
                                   "scopes");
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}
}  // namespace

bool Account::has_scope(std::string_view s) const {
  return std::find(scopes.begin(), scopes.end(), s) != scopes.end();
}

void check_account_id(const std::string& id, const std::string& field) {
  bool ok = !id.empty() && id.size() <= 128;
  for (char c : id)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '@' ||
                c == '-');
  if (!ok)
    throw core::invalid_argument(field + " must be 1-128 characters of letters, digits and . _ @ -",
                                 field);
}

Accounts::Accounts(store::Database& db, const core::Clock& clock, HashCost cost,
                   LoginGuardSettings guard)
    : db_(db),
      clock_(clock),
      cost_(cost),
      cache_hash_key_(core::random_bytes(32)),
      account_failures_(clock, guard.per_account),
      address_failures_(clock, guard.per_address),
      hash_slots_(guard.hash_concurrency, guard.hash_waiting, guard.hash_max_wait) {}

std::string Accounts::add_client(const std::string& client_id,
                                 const std::vector<std::string>& scopes,
                                 const std::string& description, const std::string& secret,
                                 const std::string& actor, const std::string& request_id) {
  check_account_id(client_id, "client_id");
  std::string plain = secret.empty() ? generate_client_secret() : secret;
  if (plain.size() < 16)
    throw core::invalid_argument("a client secret must be at least 16 characters", "secret");
  AccountRow row{
      client_id, hash_secret(plain, cost_), join_scopes(scopes), description, clock_.now(), false};
  db_.write([&](soci::session& s) {
    insert_client(s, row);
    store::append_audit(s,
                        {actor,
                         "identity.client.add",
                         "client:" + client_id,
                         request_id,
                         {{"scopes", row.scopes}, {"description", description}}},
                        clock_.now());
  });
  return plain;
}

void Accounts::add_user(const std::string& username, const std::string& password,
                        const std::vector<std::string>& scopes, const std::string& description,
                        const std::string& actor, const std::string& request_id) {
  check_account_id(username, "username");
  if (password.size() < 8)
    throw core::invalid_argument("a password must be at least 8 characters", "password");
  AccountRow row{
      username, hash_secret(password, cost_), join_scopes(scopes), description, clock_.now(),
      false};
  db_.write([&](soci::session& s) {
    insert_user(s, row);
    store::append_audit(
        s, {actor, "identity.user.add", "user:" + username, request_id, {{"scopes", row.scopes}}},
        clock_.now());
  });
}

std::vector<ClientInfo> Accounts::list_clients() {
  auto rows = db_.read([](soci::session& s) { return all_clients(s); });
  std::vector<ClientInfo> out;
  out.reserve(rows.size());
  for (auto& r : rows)
    out.push_back({r.id, crypto::split_scopes(r.scopes), r.description, r.created, r.disabled});
  return out;
}

std::vector<ClientInfo> Accounts::list_accounts(AccountKind kind, const std::string& prefix,
                                                const std::string& after, int limit) {
  auto rows =
      db_.read([&](soci::session& s) { return page_accounts(s, kind, prefix, after, limit); });
  std::vector<ClientInfo> out;
  out.reserve(rows.size());
  for (auto& r : rows)
    out.push_back({r.id, crypto::split_scopes(r.scopes), r.description, r.created, r.disabled});
  return out;
}

std::string Accounts::cache_key(const std::string& kind, const std::string& id,
                                std::string_view secret) const {
  std::string input = kind + '\0' + id + '\0' + std::string(secret);
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), reinterpret_cast<const unsigned char*>(cache_hash_key_.data()),
                     cache_hash_key_.size());
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

bool Accounts::verify(std::string_view secret, const std::optional<std::string>& stored_hash) {
  std::call_once(dummy_once_, [&] { dummy_hash_ = hash_secret(core::random_bytes(24), cost_); });
  HashSlots::Slot slot = hash_slots_.acquire();
  bool match = verify_secret(secret, stored_hash ? *stored_hash : dummy_hash_);
  return match && stored_hash.has_value();
}

std::optional<Account> Accounts::authenticate(const std::string& kind, const std::string& id,
                                              std::string_view secret, const std::string& address) {
  int64_t now = clock_.now_seconds();
  std::string key = cache_key(kind, id, secret);
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    // A secret proven right lately passes even while the account is locked out: the lockout is
    // there to stop guessing, and an attacker's failures should not lock the owner out.
    if (it != cache_.end() && it->second.expires > now) {
      const AccountKind k = kind == "client" ? AccountKind::kClient : AccountKind::kUser;
      if (!revocations_ || !revocations_->account_disabled(k, id)) return it->second.account;
      cache_.erase(it);  // disabled since: the database below says no
    }
  }
  const std::string account_key = kind + ":" + id;
  int64_t wait = std::max(account_failures_.retry_after(account_key),
                          address.empty() ? 0 : address_failures_.retry_after(address));
  if (wait > 0)
    throw core::Error(core::ErrorKind::kTooManyRequests,
                      "too many failed attempts; try again in " + std::to_string(wait) + " s")
        .with_retry_after(wait);
  auto row = db_.read(
      [&](soci::session& s) { return kind == "client" ? find_client(s, id) : find_user(s, id); });
  std::optional<std::string> hash;
  if (row && !row->disabled) hash = row->secret_hash;
  if (!verify(secret, hash)) {
    account_failures_.record_failure(account_key);
    if (!address.empty()) address_failures_.record_failure(address);
    return std::nullopt;
  }
  account_failures_.clear(account_key);
  Account account{row->id, crypto::split_scopes(row->scopes)};
  std::lock_guard lock(mu_);
  if (cache_.size() >= kCacheMax) cache_.clear();
  cache_[key] = {account, now + kCacheSeconds};
  return account;
}

std::optional<Account> Accounts::authenticate_client(const std::string& client_id,
                                                     std::string_view secret,
                                                     const std::string& address) {
  return authenticate("client", client_id, secret, address);
}

std::optional<Account> Accounts::authenticate_user(const std::string& username,
                                                   std::string_view password,
                                                   const std::string& address) {
  return authenticate("user", username, password, address);
}

}  // namespace registrar::identity
