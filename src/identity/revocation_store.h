// SQL of revocation: disabled clients and users with the time their tokens stop counting, tokens
// revoked by jti (kept until they would have expired anyway), and keys retired early. Every
// function takes the caller's session.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/migrations.h"

namespace registrar::identity {

// v5: identity_clients/users.revoked_before_us, identity_revoked_tokens.
store::Migration revocation_migration(int version);

// An account whose tokens are refused: all of them while disabled, else those issued before
// `revoked_before` (the last time it was disabled).
struct AccountRevocationRow {
  std::string id;
  bool disabled = false;
  std::optional<core::SystemTime> revoked_before;
};

// "identity_clients" or "identity_users" (the only two values; never user input).
enum class AccountKind { kClient, kUser };

// Accounts disabled, or disabled since `horizon` (older tokens have expired): what the check needs.
std::vector<AccountRevocationRow> revoked_accounts(soci::session& s, AccountKind kind,
                                                   core::SystemTime horizon);
// Sets `disabled`; disabling also sets revoked_before to `now`. False when there is no such
// account.
bool set_account_disabled(soci::session& s, AccountKind kind, const std::string& id, bool disabled,
                          core::SystemTime now);

struct RevokedTokenRow {
  std::string jti;
  core::SystemTime until;  // the token has expired by then: the row may go
};
// Inserts, or extends `until` of an existing row (never shortens it).
void revoke_token(soci::session& s, const RevokedTokenRow& row, core::SystemTime now);
std::vector<RevokedTokenRow> revoked_tokens(soci::session& s, core::SystemTime now);
// Drops rows whose token has expired before `horizon`; returns how many.
long long purge_revoked_tokens(soci::session& s, core::SystemTime horizon);

struct RetiredKeyRow {
  std::string kid;
  core::SystemTime verify_until;
};
// Keys with a verify_until (scheduled or done) after `horizon`: a token signed by one is refused
// from then on. Keys retired before the horizon have no unexpired token left, and leaving them out
// keeps the usual state empty (checks then cost one atomic load).
std::vector<RetiredKeyRow> retiring_keys(soci::session& s, core::SystemTime horizon);

}  // namespace registrar::identity
