// OAuth2 clients and users: creation (CLI), and authentication of a presented secret.
// Argon2id makes each check deliberately slow (tens of ms), so a successful check is remembered
// for a minute under a keyed hash of the secret: a client that asks for a token per request does
// not pay Argon2 each time, and the cache holds no secret. Failed checks are limited per account
// and per client address, and hashing runs in bounded slots (login_guard.h).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "identity/login_guard.h"
#include "identity/revocation.h"
#include "identity/secrets.h"
#include "identity/store.h"
#include "store/database.h"

namespace registrar::identity {

struct Account {
  std::string id;
  std::vector<std::string> scopes;
  bool has_scope(std::string_view s) const;
};

// A client as listed (no secret hash).
struct ClientInfo {
  std::string id;
  std::vector<std::string> scopes;
  std::string description;
  core::SystemTime created;
  bool disabled = false;
};

class Accounts {
 public:
  Accounts(store::Database& db, const core::Clock& clock, HashCost cost,
           LoginGuardSettings guard = {});

  // Returns the client secret (generated when `secret` is empty; shown once, stored hashed).
  std::string add_client(const std::string& client_id, const std::vector<std::string>& scopes,
                         const std::string& description, const std::string& secret,
                         const std::string& actor, const std::string& request_id = {});
  void add_user(const std::string& username, const std::string& password,
                const std::vector<std::string>& scopes, const std::string& description,
                const std::string& actor, const std::string& request_id = {});
  std::vector<ClientInfo> list_clients();
  // A page of clients or users (ClientInfo describes both; a user's description is its own),
  // ordered by id, after `after`, whose id starts with `prefix`.
  std::vector<ClientInfo> list_accounts(AccountKind kind, const std::string& prefix,
                                        const std::string& after, int limit);

  // A remembered authentication of an account `revocations` says is disabled no longer passes,
  // so disabling takes effect within its refresh bound. Must outlive this object.
  void set_revocations(const Revocations* revocations) { revocations_ = revocations; }

  // nullopt for an unknown or disabled account or a wrong secret (callers must not say which).
  // `address` is the client's IP ("" when unknown, e.g. the CLI). Throws core::Error
  // kTooManyRequests (with retry_after_seconds) when the account or the address failed too often
  // lately, kUnavailable when too many checks are already running. Blocking (database, Argon2).
  std::optional<Account> authenticate_client(const std::string& client_id, std::string_view secret,
                                             const std::string& address = {});
  std::optional<Account> authenticate_user(const std::string& username, std::string_view password,
                                           const std::string& address = {});

 private:
  std::optional<Account> authenticate(const std::string& kind, const std::string& id,
                                      std::string_view secret, const std::string& address);
  // Argon2 of `secret` against the stored hash, or against a dummy one when there is none (so
  // that unknown accounts cost the same time); true only for a stored hash that matches.
  bool verify(std::string_view secret, const std::optional<std::string>& stored_hash);
  std::string cache_key(const std::string& kind, const std::string& id,
                        std::string_view secret) const;

  store::Database& db_;
  const core::Clock& clock_;
  HashCost cost_;
  std::string cache_hash_key_;  // random per process
  FailureThrottle account_failures_;
  FailureThrottle address_failures_;
  HashSlots hash_slots_;
  const Revocations* revocations_ = nullptr;
  std::once_flag dummy_once_;
  std::string dummy_hash_;  // written once under dummy_once_
  std::mutex mu_;
  struct CacheEntry {
    Account account;
    int64_t expires;
  };
  std::unordered_map<std::string, CacheEntry> cache_;
};

// Checks an identifier for a client or user: 1-128 characters of [A-Za-z0-9._@-].
void check_account_id(const std::string& id, const std::string& field);

}  // namespace registrar::identity
