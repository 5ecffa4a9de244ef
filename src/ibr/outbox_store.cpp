#include "ibr/outbox_store.h"

#include <algorithm>
#include <cmath>

#include "core/random.h"

namespace registrar::ibr {
namespace {

const char* kAsyncTables[] = {
    // sender_id is the system the envelope goes to; body is exactly the signed bytes (canonical
    // JSON, ASCII), so a retry sends what was signed even after a key rotation.
    "CREATE TABLE ibr_outbox ("
    " id VARCHAR(64) PRIMARY KEY,"
    " transaction_id VARCHAR(255) NOT NULL,"
    " correlation_id VARCHAR(255) NOT NULL,"
    " message_id VARCHAR(64) NOT NULL,"
    " action VARCHAR(64) NOT NULL,"
    " sender_id VARCHAR(255) NOT NULL,"
    " target_url VARCHAR(2048) NOT NULL,"
    " body TEXT NOT NULL,"
    " attempts INTEGER NOT NULL,"
    " next_attempt_us BIGINT NOT NULL,"
    " state VARCHAR(16) NOT NULL,"
    " last_error TEXT NOT NULL,"
    " lease_owner VARCHAR(64),"
    " lease_until_us BIGINT,"
    " created_us BIGINT NOT NULL,"
    " updated_us BIGINT NOT NULL)",
    "CREATE INDEX ibr_outbox_due ON ibr_outbox (state, next_attempt_us)",
    "CREATE INDEX ibr_outbox_txn ON ibr_outbox (sender_id, correlation_id)",
    // One row per async request (search, txn-status, subscribe, unsubscribe), named by the
    // correlation id its ACK returned; `response` is the message its callback carries.
    "CREATE TABLE ibr_transactions ("
    " sender_id VARCHAR(255) NOT NULL,"
    " correlation_id VARCHAR(255) NOT NULL,"
    " transaction_id VARCHAR(255) NOT NULL,"
    " message_id VARCHAR(255) NOT NULL,"
    " action VARCHAR(64) NOT NULL,"
    " status VARCHAR(16) NOT NULL,"
    " response TEXT NOT NULL,"
    " created_us BIGINT NOT NULL,"
    " updated_us BIGINT NOT NULL,"
    " PRIMARY KEY (sender_id, correlation_id))",
    "CREATE INDEX ibr_transactions_txn ON ibr_transactions (sender_id, transaction_id)",
    // A sender's standing interest in enrollment events about people matching (id_type,
    // id_value), "*" matching any; notifications go to notify_url.
    "CREATE TABLE ibr_subscriptions ("
    " code VARCHAR(64) PRIMARY KEY,"
    " sender_id VARCHAR(255) NOT NULL,"
    " reference_id VARCHAR(255) NOT NULL,"
    " reg_event_type VARCHAR(64) NOT NULL,"
    " id_type VARCHAR(255) NOT NULL,"
    " id_value VARCHAR(255) NOT NULL,"
    " notify_url VARCHAR(2048) NOT NULL,"
    " criteria TEXT NOT NULL,"
    " active INTEGER NOT NULL,"
    " created_us BIGINT NOT NULL,"
    " updated_us BIGINT NOT NULL)",
    "CREATE INDEX ibr_subscriptions_sender ON ibr_subscriptions (sender_id)",
    // Where a sender's callbacks may go (docs/ibr.md, "Callback URLs"); "" when unregistered.
    "ALTER TABLE ibr_senders ADD COLUMN callback_url VARCHAR(2048) NOT NULL DEFAULT ''",
};

constexpr const char* kOutboxColumns =
    "SELECT id, transaction_id, correlation_id, message_id, action, sender_id, target_url, body, "
    "attempts, next_attempt_us, state, last_error, lease_owner, lease_until_us, created_us, "
    "updated_us FROM ibr_outbox ";

OutboxState state_of(const std::string& s) {
  if (s == "delivered") return OutboxState::kDelivered;
  if (s == "failed") return OutboxState::kFailed;
  return OutboxState::kPending;
}

OutboxRow row_of(const soci::row& r) {
  OutboxRow o;
  o.id = r.get<std::string>(0);
  o.message = {r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3),
               r.get<std::string>(4), r.get<std::string>(5), r.get<std::string>(6),
               r.get<std::string>(7)};
  o.attempts = store::row_int(r, 8);
  o.next_attempt = core::from_unix_us(store::row_int(r, 9));
  o.state = state_of(r.get<std::string>(10));
  o.last_error = r.get<std::string>(11);
  o.lease_owner = store::row_optional<std::string>(r, 12).value_or("");
  o.lease_until = store::row_optional<core::SystemTime>(r, 13);
  o.created = core::from_unix_us(store::row_int(r, 14));
  o.updated = core::from_unix_us(store::row_int(r, 15));
  return o;
}

}  // namespace

store::Migration async_migration() {
  store::Migration m;
  m.version = kAsyncMigrationVersion;
  m.description = "outbox, async transactions, subscriptions, senders' callback URL";
  for (const char* sql : kAsyncTables) m.statements.emplace_back(sql);
  return m;
}

std::string_view outbox_state_name(OutboxState state) {
  switch (state) {
    case OutboxState::kDelivered:
      return "delivered";
    case OutboxState::kFailed:
      return "failed";
    case OutboxState::kPending:
      break;
  }
  return "pending";
}

std::chrono::milliseconds outbox_backoff(int64_t attempts, std::chrono::milliseconds base,
                                         std::chrono::milliseconds cap, double unit) {
  double d = double(base.count());
  // Doubling past the cap is pointless (and 2^64 overflows).
  for (int64_t i = 1; i < attempts && d < double(cap.count()); ++i) d *= 2;
  d = std::min(d, double(cap.count()));
  unit = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(int64_t(std::llround(d / 2 + d / 2 * unit)));
}

namespace db {

std::string enqueue_outbox(soci::session& s, const OutboxMessage& m, core::SystemTime now) {
  std::string id = core::uuid_v4();
  long long us = core::to_unix_us(now);
  s << "INSERT INTO ibr_outbox (id, transaction_id, correlation_id, message_id, action, "
       "sender_id, target_url, body, attempts, next_attempt_us, state, last_error, lease_owner, "
       "lease_until_us, created_us, updated_us) VALUES (:id, :t, :c, :m, :a, :s, :u, :b, 0, :n, "
       "'pending', '', NULL, NULL, :cr, :up)",
      soci::use(id), soci::use(m.transaction_id), soci::use(m.correlation_id),
      soci::use(m.message_id), soci::use(m.action), soci::use(m.sender_id), soci::use(m.target_url),
      soci::use(m.body), soci::use(us), soci::use(us), soci::use(us);
  return id;
}

std::vector<OutboxRow> claim_outbox(soci::session& s, const std::string& owner, size_t limit,
                                    core::SystemTime now, core::SystemTime lease_until) {
  long long now_us = core::to_unix_us(now), until_us = core::to_unix_us(lease_until);
  long long lim = static_cast<long long>(limit);
  std::vector<std::string> candidates;
  {
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT id FROM ibr_outbox WHERE state = 'pending' AND next_attempt_us <= :n "
                      "AND (lease_until_us IS NULL OR lease_until_us < :n2) "
                      "ORDER BY next_attempt_us, created_us, id LIMIT :l",
         soci::use(now_us), soci::use(now_us), soci::use(lim));
    for (const auto& r : rows) candidates.push_back(r.get<std::string>(0));
  }
  std::vector<OutboxRow> out;
  for (const auto& id : candidates) {
    // Re-checked here: on PostgreSQL a concurrent claimer's UPDATE makes this one wait, then
    // re-evaluate the WHERE on the new row version, and find the lease taken.
    soci::statement st =
        (s.prepare << "UPDATE ibr_outbox SET lease_owner = :o, lease_until_us = :u, "
                      "updated_us = :n WHERE id = :id AND state = 'pending' AND "
                      "(lease_until_us IS NULL OR lease_until_us < :n2)",
         soci::use(owner), soci::use(until_us), soci::use(now_us), soci::use(id),
         soci::use(now_us));
    st.execute(true);
    if (st.get_affected_rows() != 1) continue;
    if (auto row = find_outbox(s, id)) out.push_back(std::move(*row));
  }
  return out;
}

bool mark_outbox_delivered(soci::session& s, const std::string& id, core::SystemTime now) {
  long long us = core::to_unix_us(now);
  soci::statement st =
      (s.prepare << "UPDATE ibr_outbox SET state = 'delivered', attempts = attempts + 1, "
                    "last_error = '', lease_owner = NULL, lease_until_us = NULL, updated_us = :n "
                    "WHERE id = :id AND state = 'pending'",
       soci::use(us), soci::use(id));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

std::optional<OutboxState> mark_outbox_failed(soci::session& s, const std::string& id,
                                              const std::string& owner, const std::string& error,
                                              int64_t max_attempts, core::SystemTime retry_at,
                                              core::SystemTime now) {
  auto row = find_outbox(s, id);
  // A claimer whose lease ran out (and was taken over) no longer speaks for the row.
  if (!row || row->state != OutboxState::kPending || row->lease_owner != owner) return std::nullopt;
  long long attempts = row->attempts + 1;
  OutboxState next = attempts >= max_attempts ? OutboxState::kFailed : OutboxState::kPending;
  std::string state(outbox_state_name(next));
  long long retry_us = core::to_unix_us(retry_at), us = core::to_unix_us(now);
  std::string text = error.size() > 1000 ? error.substr(0, 1000) : error;
  s << "UPDATE ibr_outbox SET attempts = :a, state = :st, last_error = :e, next_attempt_us = :r, "
       "lease_owner = NULL, lease_until_us = NULL, updated_us = :n WHERE id = :id",
      soci::use(attempts), soci::use(state), soci::use(text), soci::use(retry_us), soci::use(us),
      soci::use(id);
  return next;
}

std::optional<OutboxRow> find_outbox(soci::session& s, const std::string& id) {
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kOutboxColumns) + "WHERE id = :id", soci::use(id));
  for (const auto& r : rows) return row_of(r);
  return std::nullopt;
}

std::vector<OutboxRow> outbox_of(soci::session& s, const std::string& sender_id,
                                 const std::string& correlation_id) {
  std::vector<OutboxRow> out;
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kOutboxColumns) +
                        "WHERE sender_id = :s AND correlation_id = :c ORDER BY created_us, id",
       soci::use(sender_id), soci::use(correlation_id));
  for (const auto& r : rows) out.push_back(row_of(r));
  return out;
}

}  // namespace db
}  // namespace registrar::ibr
