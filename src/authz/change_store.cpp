// SQL of the change feed (declared in store.h).
#include <cstdint>

#include "authz/store.h"
#include "store/database.h"

namespace registrar::authz::db {
namespace {

// The feed's PostgreSQL advisory-lock key: class "azcf", key 0. The estate locks use class
// "azlk", so the two never collide.
constexpr int32_t kFeedLockClass = 0x617a6366;

}  // namespace

void append_changes(soci::session& s, const std::vector<std::string>& estates,
                    core::SystemTime now) {
  if (estates.empty()) return;
  if (store::backend_of(s) == store::Backend::kPostgres) {
    int cls = kFeedLockClass, key = 0;
    s << "SELECT pg_advisory_xact_lock(:c, :k)", soci::use(cls), soci::use(key);
  }
  long long changed = core::to_unix_us(now);
  for (const auto& estate : estates)
    s << "INSERT INTO authz_changes (estate_ssn, changed_us) VALUES (:e, :t)", soci::use(estate),
        soci::use(changed);
  long long cutoff = core::to_unix_us(now - kChangeRetention);
  s << "DELETE FROM authz_changes WHERE changed_us < :t", soci::use(cutoff);
}

// A one-time query into vectors: one round trip on PostgreSQL, every poll interval.
std::vector<Change> read_changes(soci::session& s, int64_t after, size_t limit) {
  std::vector<long long> seqs(limit);
  std::vector<std::string> estates(limit);
  long long from = after;
  long long n = static_cast<long long>(limit);
  s << "SELECT seq, estate_ssn FROM authz_changes WHERE seq > :a ORDER BY seq LIMIT :n",
      soci::use(from), soci::use(n), soci::into(seqs), soci::into(estates);
  std::vector<Change> out(seqs.size());
  for (size_t i = 0; i < seqs.size(); ++i) out[i] = {seqs[i], std::move(estates[i])};
  return out;
}

int64_t last_change_seq(soci::session& s) {
  long long seq = 0;
  s << "SELECT COALESCE(MAX(seq), 0) FROM authz_changes", soci::into(seq);
  return seq;
}

}  // namespace registrar::authz::db
