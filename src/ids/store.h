// SQL of the ids module, and only here: issued IDs, counter-block leases, RID sequences, the
// machine / centre / MISP / partner sequences, licence keys and module settings. Every function
// takes the caller's session, so the caller decides the transaction (Database::write / read).
// Times are unix ms in these functions (records.h) and µs since the epoch in the tables.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ids/records.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::ids {

// v1 tables; v2 times as µs since the epoch; v3 the UNASSIGNED index; v4 licence permissions.
std::vector<store::Migration> ids_migrations();

// Inserts rows (SQLite: one prepared statement run per row; PostgreSQL: multi-row INSERTs, one
// round trip per chunk). Throws on a duplicate (type, id).
void insert_issued(soci::session& s, store::Backend b, const std::vector<IssuedRow>& rows);
// Up to `max` UNASSIGNED, unexpired IDs of `type`, locked for this transaction on PostgreSQL
// (FOR UPDATE SKIP LOCKED, so concurrent instances take different rows).
std::vector<std::string> unassigned_ids(soci::session& s, store::Backend b, const std::string& type,
                                        int64_t now_ms, size_t max);
// Marks a reclaimed UNASSIGNED ID as ISSUED again.
void reissue(soci::session& s, const std::string& type, const std::string& id, int64_t now_ms,
             std::optional<int64_t> expires_ms, const std::string& actor);
std::optional<IssuedRow> find_issued(soci::session& s, store::Backend b, const std::string& type,
                                     const std::string& id, bool for_update);
void set_status(soci::session& s, const std::string& type, const std::string& id,
                const std::string& status, int64_t now_ms);
int64_t count_issued(soci::session& s, const std::string& type);
int64_t count_unassigned(soci::session& s, const std::string& type);

// ---- counter leases ----
struct CounterState {
  int64_t next_counter = 0;
  std::string generator;  // fingerprint of the key + counter space that issued the counters
};
std::optional<CounterState> counter_state(soci::session& s, const std::string& type);
// Creates the row when missing and records the generator fingerprint.
void set_counter_generator(soci::session& s, const std::string& type, const std::string& generator);
// Atomically advances next_counter by n; returns the first counter of the leased block.
int64_t lease_counters(soci::session& s, store::Backend b, const std::string& type, int64_t n);
// The newest ID of `type` (created µs) and the lowest and highest counter of the IDs created in
// the `window_us` before it: how fast counters were being used (ids/restore.h). Reads the table.
struct CounterUseRow {
  std::optional<int64_t> newest_us;
  int64_t min_counter = 0, max_counter = 0;
};
CounterUseRow counter_use(soci::session& s, const std::string& type, int64_t window_us);
// Types with a counter row (those that have issued).
std::vector<std::string> counter_types(soci::session& s);
// Sets every UNASSIGNED ID back to ISSUED (status of an ID handed out, outcome unknown); returns
// how many.
int64_t hold_unassigned(soci::session& s, int64_t now_ms);

// ---- RID sequences per (centre, machine) ----
// The next sequence number: `initial` for a new pair, then +1 wrapping from `max` to `initial`.
int64_t next_rid_sequence(soci::session& s, store::Backend b, const std::string& centre,
                          const std::string& machine, int64_t initial, int64_t max, int64_t now_ms);

// ---- machine / centre / MISP / partner sequences ----
std::optional<int64_t> sequence_last(soci::session& s, store::Backend b, const std::string& kind);
void sequence_store(soci::session& s, const std::string& kind, std::optional<int64_t> previous,
                    int64_t value, int64_t now_ms);

// ---- licence keys ----
void insert_licence(soci::session& s, const LicenceRow& row);
std::optional<LicenceRow> find_licence(soci::session& s, store::Backend b, const std::string& key,
                                       bool for_update);
void update_licence(soci::session& s, const std::string& key, const std::string& status,
                    int64_t expires_ms, int64_t now_ms);

// ---- permissions mapped to a licence key, in the order they were mapped ----
std::vector<std::string> licence_permissions(soci::session& s, const std::string& key);
// Replaces the key's permissions by `permissions` (no duplicates).
void set_licence_permissions(soci::session& s, const std::string& key,
                             const std::vector<std::string>& permissions);

// ---- settings (generated issuance key) ----
std::optional<std::string> setting(soci::session& s, const std::string& name);
// Inserts; throws a unique violation when another process stored it first.
void insert_setting(soci::session& s, const std::string& name, const std::string& value);
void delete_setting(soci::session& s, const std::string& name);

}  // namespace registrar::ids
