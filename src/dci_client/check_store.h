// SQL of the duplication checks: table dci_client_checks (migration 3 of module dci_client).
// Every function runs on the caller's session, so inside the caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "dci_client/check.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::dci_client {

constexpr int kChecksMigrationVersion = 3;
store::Migration checks_migration();

struct CheckFilter {
  std::optional<CheckState> state;
  std::string source;  // "" for any
  std::string after;   // keyset: ids after this one (in created order); "" from the start
  int limit = 100;
};

namespace db {

void insert_check(soci::session& s, const Check& c);
std::optional<Check> find_check(soci::session& s, const std::string& id);
// Locks the row until the transaction ends on PostgreSQL (SELECT ... FOR UPDATE); SQLite's
// write transaction already holds the database.
std::optional<Check> find_check_for_update(soci::session& s, const std::string& id);
std::optional<Check> find_by_batch_key(soci::session& s, const std::string& batch_key);
// Newest first.
std::vector<Check> list_checks(soci::session& s, const CheckFilter& f);
// Writes every mutable field (state, result, programmes, raw response, error, correlation id,
// notes, updated and checked times) of c.id.
void update_check(soci::session& s, const Check& c);
bool delete_check(soci::session& s, const std::string& id);
// Every check that ever carried this correlation id, exactly (not a substring, §12.5).
std::vector<Check> checks_by_correlation(soci::session& s, const std::string& correlation_id);
// Checks in `checking` since before `before` (updated_us), oldest first, at most `limit`.
std::vector<Check> stale_checks(soci::session& s, core::SystemTime before, int limit);
// The checks a batch made (batch_key starting with "<prefix>:"), in line order.
std::vector<Check> batch_checks(soci::session& s, const std::string& prefix);

}  // namespace db
}  // namespace registrar::dci_client
