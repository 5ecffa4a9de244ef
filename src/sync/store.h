// The sync module's SQL (docs/sync.md, "Storage"). Every entity's rows live in one table,
// sync_rows, keyed by (entity, id, lang), each with MOSIP's audit fields (created, updated,
// deleted: when and by whom; active; deleted), a version for optimistic concurrency and `seq`,
// its place in one global change sequence. Only this file and store.cpp see SOCI; callers run
// these inside db.write / db.read so that a change, its references' checks and its audit entry
// share one transaction.
//
// The change sequence: every write transaction that changes rows first locks the one counter row
// (sync_counter) and numbers its changes after the counter's value. The lock is held to commit,
// so transactions commit in sequence order and a reader that sees change N has already been able
// to see every change before it: the cursor API (pull) never skips a change that commits late.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/migrations.h"
#include "sync/catalogue.h"
#include "sync/pull_plan.h"

namespace registrar::sync {

store::Migration rows_migration();
// Version 2: sync_machine_scopes, the scopes each machine was served since which change.
store::Migration machine_scopes_migration();
// Every migration of the module, in order.
std::vector<store::Migration> sync_migrations();

// A stored row.
struct RowState {
  std::string entity, id, lang, scope;
  std::string data;  // compact JSON object: the entity's fields
  bool active = true, deleted = false;
  int64_t version = 0, seq = 0;
  std::string created_by;
  int64_t created_us = 0;
  std::optional<std::string> updated_by;
  std::optional<int64_t> updated_us, deleted_us;
};

// One change to apply. `scope` is where the row goes (scope_of); ignored for a delete.
struct RowWrite {
  std::string entity;
  RowInput input;  // for a delete, only id and lang are read
  std::string scope;
  bool remove = false;
  // When set, the write applies only if the row is at this version (0: only if it does not
  // exist); otherwise it is a conflict and nothing is written.
  std::optional<int64_t> expected_version;
};

enum class WriteStatus { kCreated, kUpdated, kDeleted, kUnchanged, kNotFound, kConflict };
const char* write_status_name(WriteStatus status);

struct WriteResult {
  WriteStatus status = WriteStatus::kUnchanged;
  // The row after the write; on a conflict, the row as stored (nullopt when there is none).
  std::optional<RowState> row;
};

namespace db {

// Applies the writes in order, numbering each change in the global sequence. A row whose data
// and active flag are unchanged is left alone (no new version, nothing to sync); deleting a
// deleted row likewise. A deleted row written again comes back (not deleted).
std::vector<WriteResult> apply(soci::session& s, const std::vector<RowWrite>& writes,
                               const std::string& actor, int64_t now_us);

std::optional<RowState> find_row(soci::session& s, const std::string& entity, const std::string& id,
                                 const std::string& lang);
// True when a row of `entity` with this id exists in some language and is not deleted.
bool live_row_exists(soci::session& s, const std::string& entity, const std::string& id);

struct ListQuery {
  std::string entity;
  std::optional<std::string> lang;
  std::optional<std::string> scope;
  bool include_deleted = false;
  std::optional<bool> active;
  // Paging: rows after this (id, lang), in (id, lang) order.
  std::string after_id, after_lang;
  int limit = 100;
};
std::vector<RowState> list_rows(soci::session& s, const ListQuery& q);
// The number of rows that are not deleted, by entity (entities without rows are absent).
std::map<std::string, int64_t> count_rows(soci::session& s);
// Every row list_rows would page through from q's `after`, page by page (q.limit rows each).
void for_each_row(soci::session& s, ListQuery q, const std::function<void(const RowState&)>& row);

// MOSIP's selection (spec §6.3): rows of `entities` in `scope` created, updated or deleted within
// [from_us, to_us] (inclusive), deleted ones included, in (entity, id, lang) order. One statement
// for all the entities: on PostgreSQL each statement is three round trips (prepare, execute,
// deallocate), and a client's answer has some thirty entities. Calls `row` for each row: it may
// not run statements on `s`.
struct WindowQuery {
  std::string scope;
  std::vector<std::string> entities;
  int64_t from_us = 0, to_us = 0;
};
void select_window(soci::session& s, const WindowQuery& q,
                   const std::function<void(const RowState&)>& row);

// The cursor API (docs/sync.md, "Pull"): one item of a page. A departure (a row that left the
// scope, or, in a catch-up, a row of a scope the machine left) has no row.
struct PullItem {
  int64_t seq = 0;
  std::string entity, id, lang;
  bool departed = false;
  RowState row;  // unset for a departure
};
// What tells a cached machine (machine_cache.h) that it is stale.
struct PullProbe {
  std::string machine_id, centre;
};
struct PullPage {
  std::vector<PullItem> items;  // in sequence order, at most `limit`
  int64_t head = 0;             // the last change's number
  int64_t machine_seq = -1;     // the machine row's seq; -1: no such row
  int64_t centre_seq = -1;      // the highest seq of the centre's rows; -1: none
  int64_t scopes_since = -1;    // the machine's latest sync_machine_scopes since; -1: none
};
// The page of `reads` (pull_plan.h) and the probe, in ONE statement: on PostgreSQL a statement
// is three round trips, and one statement sees one snapshot on both backends, so the head and
// the items agree (the sequence commits in order: every change up to the head is visible).
PullPage pull_page(soci::session& s, const std::vector<ScopeRead>& reads, int limit,
                   const PullProbe& probe);

// The machine's scope records, ascending (none before its first pull).
std::vector<ScopeRecord> machine_scope_records(soci::session& s, const std::string& machine_id);
// The highest seq of a centre's rows (any language, deleted ones too); -1 when none.
int64_t centre_seq(soci::session& s, const std::string& centre);
// Inside a write transaction: takes the change sequence's lock (every writer of rows takes it),
// so that what is read after it cannot change before commit.
void lock_sequence(soci::session& s);
// After lock_sequence: records that the machine is served `scopes` from now on, at a new number
// of the change sequence (none is taken for its first record, which holds from 0). Returns the
// record's since.
int64_t add_machine_scopes(soci::session& s, const std::string& machine_id,
                           const std::vector<std::string>& scopes, bool first);

// The last change's number (0 before any).
int64_t head_seq(soci::session& s);

// Machine key indexes (spec §6.1): one per key, looked up in lower case.
void set_machine_keys(soci::session& s, const std::string& machine_id, const std::string& key_index,
                      const std::string& sign_key_index);
struct MachineKeyHit {
  std::string machine_id;
  bool signing = false;  // the index is of the signing key
};
std::optional<MachineKeyHit> machine_for_key_index(soci::session& s, const std::string& key_index);

// Push idempotency: what a client's change id was answered with, or nullopt if unseen.
std::optional<std::string> find_push(soci::session& s, const std::string& machine_id,
                                     const std::string& change_id);
void record_push(soci::session& s, const std::string& machine_id, const std::string& change_id,
                 const std::string& answer, int64_t now_us);

}  // namespace db
}  // namespace registrar::sync
