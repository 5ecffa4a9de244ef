// The authz module's tables and every SQL statement it runs. Functions take the caller's
// session, so they run inside whatever transaction the service opened.
//
//   authz_role_assignments  id, role_code, estate_ssn, heir_ssn (NULL except individual
//                           proxies), recipient_ssn, created_us (µs since the epoch, UTC),
//                           justification
//     UNIQUE (estate_ssn, recipient_ssn, role_code, heir_ssn)
//     UNIQUE (estate_ssn, recipient_ssn, role_code) WHERE heir_ssn IS NULL   -- partial
//     INDEX (recipient_ssn), INDEX (heir_ssn)
//   authz_event_cursors     estate_ssn, event_type, last_processed_us; PRIMARY KEY (both keys)
//   authz_changes           seq (autoincrement), estate_ssn, changed_us; INDEX (changed_us)
//     the change feed (v2): one row per estate whose rows a transaction changed, in commit order,
//     so that every instance's PIP cache can evict what changed elsewhere (change_follower.h)
#pragma once

#include <soci/soci.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "authz/model.h"
#include "store/migrations.h"

namespace registrar::authz {

// The module's schema versions (named as every module names them: <module>_migrations).
std::vector<store::Migration> authz_migrations();

}  // namespace registrar::authz

namespace registrar::authz::db {

// Serialises writers of one estate until the transaction ends: PostgreSQL takes a
// transaction-scoped advisory lock on the estate; SQLite needs nothing (BEGIN IMMEDIATE already
// admits one writer at a time).
void lock_estate(soci::session& s, const std::string& estate);

// Every row of the estate, ordered by id.
std::vector<Assignment> load_estate(soci::session& s, const std::string& estate);
// Every row of each of the estates (valid SSNs: 11 ASCII digits), ordered by id; estates without
// rows are absent from the map.
std::map<std::string, std::vector<Assignment>> load_estates(
    soci::session& s, const std::vector<std::string>& estates);
// Inserts the row and returns its id. A uniqueness violation propagates (store::
// is_unique_violation recognises it).
int64_t insert_assignment(soci::session& s, const Assignment& a);
void delete_assignment(soci::session& s, int64_t id);

// Estates where the person holds any role or is the granting heir of a proxy, sorted.
std::vector<std::string> estates_of_person(soci::session& s, const std::string& person);

std::optional<core::SystemTime> read_cursor(soci::session& s, const std::string& estate,
                                            const std::string& event_type);
// Every cursor of the estate: (event type, last processed time), sorted by type.
std::vector<std::pair<std::string, core::SystemTime>> read_cursors(soci::session& s,
                                                                   const std::string& estate);
void write_cursor(soci::session& s, const std::string& estate, const std::string& event_type,
                  core::SystemTime processed);

// ---- The change feed (change_store.cpp) --------------------------------------------------------

// How long feed rows are kept. A follower that has not polled for this long has long stopped
// serving from its cache and clears it when it polls again, so it does not need them.
inline constexpr std::chrono::hours kChangeRetention{1};

// Appends the estates to the feed, last thing before the caller's transaction commits, and drops
// rows older than kChangeRetention. PostgreSQL: takes a transaction-scoped advisory lock first,
// so feed writers commit one at a time and commit order equals seq order (a poller that has seen
// seq n has seen every seq below it); it is held only from here to the commit. SQLite writers
// are already serialised by BEGIN IMMEDIATE.
void append_changes(soci::session& s, const std::vector<std::string>& estates,
                    core::SystemTime now);

struct Change {
  int64_t seq = 0;
  std::string estate;
};
// Feed rows with seq > after, ascending, at most `limit`.
std::vector<Change> read_changes(soci::session& s, int64_t after, size_t limit);
// The highest seq in the feed (0 when empty).
int64_t last_change_seq(soci::session& s);

}  // namespace registrar::authz::db
