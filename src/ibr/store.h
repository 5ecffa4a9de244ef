// The ibr module's SQL: the trusted senders' table (its rows are read and written by
// dci/trusted_senders.h), and the beneficiaries senders report with their
// identifiers and programme enrollments. Only this file and store.cpp see SOCI; the services call
// these functions inside db.write / db.read.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dci/senders.h"
#include "ibr/records.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::ibr {

std::vector<store::Migration> ibr_migrations();
// Version 4: the beneficiary change feed (change_store.cpp). Its own function so that the version
// can be renumbered alone; ibr_migrations() appends it.
store::Migration ibr_change_feed_migration(int version);

// How long change-feed rows are kept. A follower that missed more than this rebuilds its index
// from the table instead of following the feed (index_follower.h).
inline constexpr std::chrono::hours kIbrChangeRetention{24};

namespace db {

// The beneficiary's stored form, or nullopt. Deleted ones are returned (deleted = true), so a
// repeated deletion is recognised as such.
std::optional<StoredBeneficiary> find_beneficiary(soci::session& s, const std::string& sender_id,
                                                  const std::string& reference_id);
// Replaces the beneficiary with `b`: its record, identifiers and enrollments, and appends it to
// the change feed (same transaction: the caller's db.write).
void put_beneficiary(soci::session& s, const Beneficiary& b, core::SystemTime now);
// Marks it deleted and removes its identifiers and enrollments (a deleted person is not found);
// appends it to the change feed.
void delete_beneficiary(soci::session& s, const std::string& sender_id,
                        const std::string& reference_id, core::SystemTime now);

// Beneficiaries (not deleted) holding identifier (type, value) — any type when `type` is "" —
// ordered by sender and reference,
// `limit` from `offset`; `total` receives the count of all.
std::vector<StoredBeneficiary> find_by_identifier(soci::session& s, const std::string& type,
                                                  const std::string& value, int64_t offset,
                                                  int64_t limit, int64_t& total);
std::vector<Enrollment> enrollments_of(soci::session& s, const std::string& sender_id,
                                       const std::string& reference_id);

// The same two lookups for the many items of one search request: each statement is prepared
// once, on first use, and run per item (SQLite spent more time preparing these than running
// them). Lives no longer than the caller's session lease; one thread.
class IdentifierLookup {
 public:
  explicit IdentifierLookup(soci::session& s);
  ~IdentifierLookup();
  IdentifierLookup(const IdentifierLookup&) = delete;
  IdentifierLookup& operator=(const IdentifierLookup&) = delete;
  std::vector<StoredBeneficiary> find(const std::string& type, const std::string& value,
                                      int64_t offset, int64_t limit, int64_t& total);
  std::vector<Enrollment> enrollments(const std::string& sender_id,
                                      const std::string& reference_id);

 private:
  struct Statements;
  soci::session& s_;
  std::unique_ptr<Statements> st_;
};

// The change feed (change_store.cpp). append_change: one row for (sender, reference). On
// PostgreSQL it first takes a transaction-scoped advisory lock, so feed writers commit one at a
// time and commit order equals seq order (a follower that has seen seq n has seen every seq
// below it); the lock is held to the commit, so ibr writers are serialised on PostgreSQL.
void append_change(soci::session& s, const std::string& sender_id, const std::string& reference_id,
                   core::SystemTime now);
// Drops feed rows older than kIbrChangeRetention (once per write transaction is enough).
void prune_changes(soci::session& s, core::SystemTime now);

struct Change {
  int64_t seq = 0;
  std::string sender_id;
  std::string reference_id;
};
// Feed rows with seq > after, ascending, at most `limit`.
std::vector<Change> read_changes(soci::session& s, int64_t after, size_t limit);
// The highest seq in the feed (0 when empty).
int64_t last_change_seq(soci::session& s);

// Live (not deleted) beneficiaries after (sender_id, reference_id) in key order, at most
// `limit`: a keyset page, so that a registry of millions is streamed, not loaded at once. Start
// with "", "".
std::vector<StoredBeneficiary> beneficiaries_after(soci::session& s, const std::string& sender_id,
                                                   const std::string& reference_id, size_t limit);
int64_t count_beneficiaries(soci::session& s);

}  // namespace db
}  // namespace registrar::ibr
