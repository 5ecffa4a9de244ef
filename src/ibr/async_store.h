// SQL of the async operations: the transactions a sender started (search, txn-status, subscribe,
// unsubscribe) and its subscriptions. Tables from async_migration() (outbox_store.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "store/database.h"

namespace registrar::ibr {

struct Transaction {
  std::string sender_id;
  std::string correlation_id;  // what our ACK returned; unique per sender
  std::string transaction_id;  // the sender's
  std::string message_id;      // header.message_id of the request
  std::string action;          // search, txn-status, subscribe, unsubscribe
  std::string status;          // RequestStatus of the answer: succ or rjct
  nlohmann::json response;     // the message our callback carries
  core::SystemTime created;
};

struct Subscription {
  std::string code;
  std::string sender_id;
  std::string reference_id;
  std::string reg_event_type;  // as the spec spells it: enrollement | enrollement_status_change
  std::string id_type;         // "*": any
  std::string id_value;        // "*": any
  std::string notify_url;
  nlohmann::json criteria;  // subscribe_criteria as sent
  bool active = true;
  core::SystemTime created;
};

namespace db {

void insert_transaction(soci::session& s, const Transaction& t, core::SystemTime now);
std::optional<Transaction> find_transaction(soci::session& s, const std::string& sender_id,
                                            const std::string& correlation_id);
// The sender's latest transaction with this transaction id.
std::optional<Transaction> latest_transaction(soci::session& s, const std::string& sender_id,
                                              const std::string& transaction_id);

void insert_subscription(soci::session& s, const Subscription& sub, core::SystemTime now);
std::optional<Subscription> find_subscription(soci::session& s, const std::string& code);
// An active subscription of the same sender with the same event and filter (wherever its
// notifications go), if any.
std::optional<Subscription> same_subscription(soci::session& s, const Subscription& sub);
void end_subscription(soci::session& s, const std::string& code, core::SystemTime now);
// Active subscriptions of every sender but `except_sender`.
std::vector<Subscription> active_subscriptions(soci::session& s, const std::string& except_sender);

}  // namespace db
}  // namespace registrar::ibr
