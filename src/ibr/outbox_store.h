// The durable outbox of signed envelopes we POST to other systems (on-search, txn-on-status,
// on-subscribe, on-unsubscribe callbacks and notify), and the ibr migration that adds it with the
// async transactions and the subscriptions. Rows are written inside the db.write transaction that
// produced them; the delivery job (outbox.h) claims due rows under a lease, so that two instances
// on one PostgreSQL never deliver the same row at the same time, and a row whose lease expired
// (its instance died) is claimed again: delivery is at least once.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::ibr {

// The migration adding ibr_outbox, ibr_transactions, ibr_subscriptions and senders'
// callback_url. Its version is this one constant (renumber it here when merging).
inline constexpr int kAsyncMigrationVersion = 5;
store::Migration async_migration();

enum class OutboxState { kPending, kDelivered, kFailed };
std::string_view outbox_state_name(OutboxState state);

// What a producer hands to the outbox.
struct OutboxMessage {
  std::string transaction_id;
  std::string correlation_id;
  std::string message_id;  // the envelope's header.message_id
  std::string action;      // header.action: on-search, notify...
  std::string sender_id;   // the system the envelope goes to (our caller, or a subscriber)
  std::string target_url;
  std::string body;  // exactly the bytes that were signed
};

struct OutboxRow {
  std::string id;
  OutboxMessage message;
  int64_t attempts = 0;
  core::SystemTime next_attempt;
  OutboxState state = OutboxState::kPending;
  std::string last_error;
  std::string lease_owner;
  std::optional<core::SystemTime> lease_until;
  core::SystemTime created;
  core::SystemTime updated;
};

// The delay before attempt `attempts + 1` after `attempts` failed ones (≥ 1): base · 2^(attempts-1)
// capped at `cap`, then "equal jitter" — half of it fixed, the other half scaled by `unit`
// (uniform in [0, 1)) — so that many rows that failed together do not come back together. Pure.
std::chrono::milliseconds outbox_backoff(int64_t attempts, std::chrono::milliseconds base,
                                         std::chrono::milliseconds cap, double unit);

namespace db {

// Inserts a pending row due at `now`; returns its id.
std::string enqueue_outbox(soci::session& s, const OutboxMessage& m, core::SystemTime now);

// Leases up to `limit` pending rows due at `now` whose lease is absent or expired to `owner`
// until `lease_until`, oldest due first (a total order, so racing claimers lock rows in the same
// order and cannot deadlock). Each row is taken by a conditional UPDATE that
// re-checks the lease, so of two instances racing for a row exactly one gets it.
std::vector<OutboxRow> claim_outbox(soci::session& s, const std::string& owner, size_t limit,
                                    core::SystemTime now, core::SystemTime lease_until);

// Marks a row delivered and drops its lease (false when it is no longer pending).
bool mark_outbox_delivered(soci::session& s, const std::string& id, core::SystemTime now);

// Records a failed attempt of `owner`'s claim: attempts + 1, last_error, lease dropped; `failed`
// when the attempts reach `max_attempts`, else pending again at `retry_at`. Returns the new
// state; nullopt when the row is no longer pending or no longer leased to `owner` (its lease ran
// out and another instance claimed it).
std::optional<OutboxState> mark_outbox_failed(soci::session& s, const std::string& id,
                                              const std::string& owner, const std::string& error,
                                              int64_t max_attempts, core::SystemTime retry_at,
                                              core::SystemTime now);

std::optional<OutboxRow> find_outbox(soci::session& s, const std::string& id);
// The rows a transaction produced (sender's correlation id), oldest first.
std::vector<OutboxRow> outbox_of(soci::session& s, const std::string& sender_id,
                                 const std::string& correlation_id);

}  // namespace db
}  // namespace registrar::ibr
