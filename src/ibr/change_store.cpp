// SQL of the beneficiary change feed (declared in store.h): one row per put or delete, read by
// every instance's index follower (index_follower.h).
#include <cstdint>

#include "ibr/store.h"

namespace registrar::ibr {
namespace {

// The feed's PostgreSQL advisory-lock key: class "ibcf", key 0 (authz uses "azcf").
constexpr int32_t kFeedLockClass = 0x69626366;

std::string changes_table(const char* seq_column) {
  return std::string("CREATE TABLE ibr_changes (") + seq_column +
         ", sender_id VARCHAR(255) NOT NULL, reference_id VARCHAR(255) NOT NULL,"
         " changed_us BIGINT NOT NULL)";
}

}  // namespace

store::Migration ibr_change_feed_migration(int version) {
  store::Migration feed;
  feed.version = version;
  feed.description = "change feed of beneficiaries for the duplicate-detection index";
  feed.statements.push_back(changes_table("seq INTEGER PRIMARY KEY AUTOINCREMENT"));
  feed.postgres_statements.push_back(changes_table("seq BIGSERIAL PRIMARY KEY"));
  for (auto* list : {&feed.statements, &feed.postgres_statements})
    list->emplace_back("CREATE INDEX ibr_changes_time ON ibr_changes (changed_us)");
  return feed;
}

namespace db {

void append_change(soci::session& s, const std::string& sender_id, const std::string& reference_id,
                   core::SystemTime now) {
  if (store::backend_of(s) == store::Backend::kPostgres) {
    int cls = kFeedLockClass, key = 0;
    s << "SELECT pg_advisory_xact_lock(:c, :k)", soci::use(cls), soci::use(key);
  }
  long long changed = core::to_unix_us(now);
  s << "INSERT INTO ibr_changes (sender_id, reference_id, changed_us) VALUES (:s, :r, :t)",
      soci::use(sender_id), soci::use(reference_id), soci::use(changed);
}

void prune_changes(soci::session& s, core::SystemTime now) {
  long long cutoff = core::to_unix_us(now - kIbrChangeRetention);
  s << "DELETE FROM ibr_changes WHERE changed_us < :t", soci::use(cutoff);
}

// A one-time query into vectors: one round trip on PostgreSQL per page.
std::vector<Change> read_changes(soci::session& s, int64_t after, size_t limit) {
  std::vector<long long> seqs(limit);
  std::vector<std::string> senders(limit), references(limit);
  long long from = after;
  long long n = static_cast<long long>(limit);
  s << "SELECT seq, sender_id, reference_id FROM ibr_changes WHERE seq > :a ORDER BY seq "
       "LIMIT :n",
      soci::use(from), soci::use(n), soci::into(seqs), soci::into(senders), soci::into(references);
  std::vector<Change> out(seqs.size());
  for (size_t i = 0; i < seqs.size(); ++i)
    out[i] = {seqs[i], std::move(senders[i]), std::move(references[i])};
  return out;
}

int64_t last_change_seq(soci::session& s) {
  long long seq = 0;
  s << "SELECT COALESCE(MAX(seq), 0) FROM ibr_changes", soci::into(seq);
  return seq;
}

}  // namespace db
}  // namespace registrar::ibr
