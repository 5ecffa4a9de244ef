// SQL of the duplication checks: table dci_client_checks (migration 3 of module dci_client).
// Every function runs on the caller's session, so inside the caller's transaction.
#pragma once

#include <map>
#include <memory>
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
// v4: the state and correlation indexes hold only the rows they are searched for (checks
// `checking`, checks with a correlation id): a sync check's two writes then touch neither.
constexpr int kChecksIndexesMigrationVersion = 4;
store::Migration checks_indexes_migration();

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
// Many at once (one statement per 100 ids or keys; PostgreSQL: FOR UPDATE when `for_update`), in
// no particular order; ids that do not exist are left out.
std::vector<Check> find_checks(soci::session& s, const std::vector<std::string>& ids,
                               bool for_update);
std::vector<Check> find_by_batch_keys(soci::session& s, const std::vector<std::string>& keys);

// The writes of a transaction that touches many checks: each statement is prepared once, on
// first use, and run per check (SQLite spent more time preparing the UPDATE than running it).
// Lives no longer than the caller's transaction; one thread.
class CheckWriter {
 public:
  explicit CheckWriter(soci::session& s);
  ~CheckWriter();
  CheckWriter(const CheckWriter&) = delete;
  CheckWriter& operator=(const CheckWriter&) = delete;
  void insert(const Check& c);
  // Writes every mutable field (as update_check).
  void update(const Check& c);
  // Sends c again, or for the first time: `checking` with c's correlation id, notes and updated
  // time, error cleared, only if the row is still in state `from`. False when it is not (another
  // run, a retry or the sweeper changed it since it was read): nothing written.
  bool start(const Check& c, CheckState from);
  // Writes an answer's outcome (state, result, programmes, raw response, error, updated and
  // checked times) only if the check is still `checking` for the run that sent it (the same
  // correlation id, none for sync). False when it is not: nothing written. Needs no prior read
  // (the UPDATE's own row lock on PostgreSQL).
  bool finish(const Check& c, const std::string& sent_correlation_id);

 private:
  struct Statements;
  soci::session& s_;
  std::unique_ptr<Statements> st_;
  Statements& statements();
};
// Newest first.
std::vector<Check> list_checks(soci::session& s, const CheckFilter& f);
// Writes every mutable field (state, result, programmes, raw response, error, correlation id,
// notes, updated and checked times) of c.id.
void update_check(soci::session& s, const Check& c);
bool delete_check(soci::session& s, const std::string& id);
// Every check that ever carried this correlation id, exactly (not a substring, §12.5); locked
// as find_check_for_update when `for_update`.
std::vector<Check> checks_by_correlation(soci::session& s, const std::string& correlation_id,
                                         bool for_update = false);
// Checks in `checking` since before `before` (updated_us), oldest first, at most `limit`.
std::vector<Check> stale_checks(soci::session& s, core::SystemTime before, int limit);
// The checks a batch made (batch_key starting with "<prefix>:"); without their raw responses
// (null) unless `with_raw` (the batch's result file does not show them, and reading them back
// costs more than the rest of the row).
std::vector<Check> batch_checks(soci::session& s, const std::string& prefix, bool with_raw = true);
// Whether a batch has made any check yet.
bool batch_started(soci::session& s, const std::string& prefix);

// What an answer needs to know before it writes: each check's state and correlation id.
struct StateNow {
  CheckState state;
  std::string correlation_id;
};
std::map<std::string, StateNow> check_states(soci::session& s, const std::vector<std::string>& ids,
                                             bool for_update);

}  // namespace db
}  // namespace registrar::dci_client
