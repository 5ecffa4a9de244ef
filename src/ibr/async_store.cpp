#include "ibr/async_store.h"

#include "dci/canonical_json.h"

namespace registrar::ibr {
namespace {

std::string canonical(const nlohmann::json& j) {
  std::string out;
  dci::append_canonical(out, j);
  return out;
}

constexpr const char* kTransactionColumns =
    "SELECT sender_id, correlation_id, transaction_id, message_id, action, status, response, "
    "created_us FROM ibr_transactions ";

Transaction transaction_of(const soci::row& r) {
  return {r.get<std::string>(0),
          r.get<std::string>(1),
          r.get<std::string>(2),
          r.get<std::string>(3),
          r.get<std::string>(4),
          r.get<std::string>(5),
          nlohmann::json::parse(r.get<std::string>(6)),
          core::from_unix_us(store::row_int(r, 7))};
}

constexpr const char* kSubscriptionColumns =
    "SELECT code, sender_id, reference_id, reg_event_type, id_type, id_value, notify_url, "
    "criteria, active, created_us FROM ibr_subscriptions ";

Subscription subscription_of(const soci::row& r) {
  return {r.get<std::string>(0),     r.get<std::string>(1),
          r.get<std::string>(2),     r.get<std::string>(3),
          r.get<std::string>(4),     r.get<std::string>(5),
          r.get<std::string>(6),     nlohmann::json::parse(r.get<std::string>(7)),
          store::row_int(r, 8) != 0, core::from_unix_us(store::row_int(r, 9))};
}

template <typename T, typename F>
std::optional<T> first(soci::rowset<soci::row>& rows, F&& read) {
  for (const auto& r : rows) return read(r);
  return std::nullopt;
}

}  // namespace

namespace db {

void insert_transaction(soci::session& s, const Transaction& t, core::SystemTime now) {
  long long us = core::to_unix_us(now);
  std::string response = canonical(t.response);
  s << "INSERT INTO ibr_transactions (sender_id, correlation_id, transaction_id, message_id, "
       "action, status, response, created_us, updated_us) "
       "VALUES (:s, :c, :t, :m, :a, :st, :r, :cr, :up)",
      soci::use(t.sender_id), soci::use(t.correlation_id), soci::use(t.transaction_id),
      soci::use(t.message_id), soci::use(t.action), soci::use(t.status), soci::use(response),
      soci::use(us), soci::use(us);
}

std::optional<Transaction> find_transaction(soci::session& s, const std::string& sender_id,
                                            const std::string& correlation_id) {
  soci::rowset<soci::row> rows = (s.prepare << std::string(kTransactionColumns) +
                                                   "WHERE sender_id = :s AND correlation_id = :c",
                                  soci::use(sender_id), soci::use(correlation_id));
  return first<Transaction>(rows, transaction_of);
}

std::optional<Transaction> latest_transaction(soci::session& s, const std::string& sender_id,
                                              const std::string& transaction_id) {
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kTransactionColumns) +
                        "WHERE sender_id = :s AND transaction_id = :t "
                        "ORDER BY created_us DESC, correlation_id LIMIT 1",
       soci::use(sender_id), soci::use(transaction_id));
  return first<Transaction>(rows, transaction_of);
}

void insert_subscription(soci::session& s, const Subscription& sub, core::SystemTime now) {
  long long us = core::to_unix_us(now);
  std::string criteria = canonical(sub.criteria);
  s << "INSERT INTO ibr_subscriptions (code, sender_id, reference_id, reg_event_type, id_type, "
       "id_value, notify_url, criteria, active, created_us, updated_us) "
       "VALUES (:c, :s, :r, :e, :t, :v, :u, :cr, 1, :cu, :uu)",
      soci::use(sub.code), soci::use(sub.sender_id), soci::use(sub.reference_id),
      soci::use(sub.reg_event_type), soci::use(sub.id_type), soci::use(sub.id_value),
      soci::use(sub.notify_url), soci::use(criteria), soci::use(us), soci::use(us);
}

std::optional<Subscription> find_subscription(soci::session& s, const std::string& code) {
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kSubscriptionColumns) + "WHERE code = :c", soci::use(code));
  return first<Subscription>(rows, subscription_of);
}

std::optional<Subscription> same_subscription(soci::session& s, const Subscription& sub) {
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kSubscriptionColumns) +
                        "WHERE sender_id = :s AND active = 1 AND reg_event_type = :e AND "
                        "id_type = :t AND id_value = :v",
       soci::use(sub.sender_id), soci::use(sub.reg_event_type), soci::use(sub.id_type),
       soci::use(sub.id_value));
  return first<Subscription>(rows, subscription_of);
}

void end_subscription(soci::session& s, const std::string& code, core::SystemTime now) {
  long long us = core::to_unix_us(now);
  s << "UPDATE ibr_subscriptions SET active = 0, updated_us = :u WHERE code = :c", soci::use(us),
      soci::use(code);
}

std::vector<Subscription> active_subscriptions(soci::session& s, const std::string& except_sender) {
  std::vector<Subscription> out;
  soci::rowset<soci::row> rows =
      (s.prepare << std::string(kSubscriptionColumns) +
                        "WHERE active = 1 AND sender_id <> :s ORDER BY created_us, code",
       soci::use(except_sender));
  for (const auto& r : rows) out.push_back(subscription_of(r));
  return out;
}

}  // namespace db
}  // namespace registrar::ibr
