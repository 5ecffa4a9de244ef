#include "ibr/async.h"

#include "core/error.h"
#include "core/random.h"
#include "ibr/callback_url.h"
#include "ibr/outbox_store.h"
#include "ibr/search.h"

namespace registrar::ibr {

namespace {

using Json = nlohmann::json;
using dci::RequestStatus;

// The spec's Beneficiary registry type (dci-ibr.md §12.7).
constexpr const char* kRegType = "ns:org:RegistryType:IBR";

std::string status_name(RequestStatus s) {
  return std::string(dci::wire_name(s));
}

int64_t count_status(const Json& items, const char* status) {
  int64_t n = 0;
  for (const auto& i : items)
    if (i.value("status", "") == status) ++n;
  return n;
}

Json callbacks_json(const std::vector<OutboxRow>& rows) {
  Json out = Json::array();
  for (const auto& r : rows) {
    Json c = {{"message_id", r.message.message_id},
              {"action", r.message.action},
              {"state", std::string(outbox_state_name(r.state))},
              {"attempts", r.attempts},
              {"last_error", r.last_error},
              {"updated", core::format_rfc3339(r.updated)}};
    if (r.state == OutboxState::kPending) c["next_attempt"] = core::format_rfc3339(r.next_attempt);
    out.push_back(std::move(c));
  }
  return out;
}

Json subscription_info(const Subscription& sub, const std::string& ts, const std::string& locale) {
  Json info = sub.criteria;  // version, reg_type, frequency... as the subscriber sent them
  info["code"] = sub.code;
  info["status"] = "subscribe";
  info["timestamp"] = ts;
  info["reg_event_type"] = sub.reg_event_type;
  if (!locale.empty()) info["locale"] = locale;
  return info;
}

}  // namespace

AsyncOperations::AsyncOperations(store::Database& db, const core::Clock& clock, IbrService& service,
                                 const AnswerSigner& answers, const Senders& senders)
    : db_(db), clock_(clock), service_(service), answers_(answers), senders_(senders) {}

std::string AsyncOperations::target_for(const dci::MsgHeader& header,
                                        const std::string& sender_id) const {
  auto snapshot = senders_.snapshot();
  auto it = snapshot->find(sender_id);
  return callback_target(header.sender_uri, it == snapshot->end() ? "" : it->second.callback_url);
}

dci::Ack AsyncOperations::accept(const dci::Envelope& request, const std::string& sender_id,
                                 const Compute& compute) {
  const dci::MsgHeader& h = request.common();
  std::string target = target_for(h, sender_id);
  std::string transaction_id = message_transaction_id(request.message);
  std::string correlation = requested_correlation_id(request.message);
  if (correlation.empty()) correlation = core::uuid_v4();
  std::string action = response_action(h.action);
  core::SystemTime now = clock_.now();
  db_.write([&](soci::session& s) {
    if (db::find_transaction(s, sender_id, correlation))
      throw core::invalid_argument("correlation_id " + correlation + " was already used",
                                   "message.correlation_id");
    Answer a = compute(s, correlation, target);
    a.message["correlation_id"] = correlation;
    SignedEnvelope env = answers_.callback(h, action, a.status, a.message, a.total, a.completed);
    db::insert_transaction(s,
                           {sender_id, correlation, transaction_id, h.message_id, h.action,
                            status_name(a.status), a.message, now},
                           now);
    db::enqueue_outbox(
        s, {transaction_id, correlation, env.message_id, action, sender_id, target, env.body}, now);
  });
  if (on_queued_) on_queued_();
  dci::Ack ack;
  ack.status = dci::AckStatus::kAck;
  ack.timestamp = dci::format_message_ts(now);
  ack.correlation_id = correlation;
  return ack;
}

dci::Ack AsyncOperations::search(const dci::Envelope& request, const std::string& sender_id) {
  return accept(request, sender_id, [&](soci::session& s, const std::string&, const std::string&) {
    Answer a;
    a.message = service_.search_in(s, request.message);
    const Json& items = a.message["search_response"];
    a.total = int64_t(items.size());
    a.completed = count_status(items, "succ");
    return a;
  });
}

AsyncOperations::Answer AsyncOperations::status_of(soci::session& s, const std::string& sender_id,
                                                   const TxnStatusQuery& q,
                                                   const std::string& correlation_id) {
  // A sender sees its own transactions only.
  std::optional<Transaction> t;
  if (q.attribute_type == "correlation_id")
    t = db::find_transaction(s, sender_id, q.attribute_value);
  else if (q.attribute_type == "transaction_id")
    t = db::latest_transaction(s, sender_id, q.attribute_value);
  Json response = {{"txn_type", q.txn_type}};
  Answer a;
  a.total = 1;
  if (!t) {
    a.status = RequestStatus::kRjct;
    response["txn_status"] = {
        {"transaction_id", q.attribute_value},
        {"status", "rjct"},
        {"status_reason_message", q.attribute_type == "reference_id_list"
                                      ? "reference_id_list is not supported: ask by "
                                        "transaction_id or correlation_id"
                                      : "no transaction " + q.attribute_value}};
  } else {
    a.completed = 1;
    response["txn_status"] = t->response;
    // Not in the spec: the transaction and the delivery of its callbacks (docs/compatibility.md).
    response["transaction"] = {{"transaction_id", t->transaction_id},
                               {"correlation_id", t->correlation_id},
                               {"message_id", t->message_id},
                               {"action", t->action},
                               {"status", t->status},
                               {"created", core::format_rfc3339(t->created)}};
    response["callbacks"] = callbacks_json(db::outbox_of(s, sender_id, t->correlation_id));
  }
  a.message = {{"transaction_id", q.transaction_id},
               {"correlation_id", correlation_id},
               {"txnstatus_response", std::move(response)}};
  return a;
}

dci::Ack AsyncOperations::txn_status(const dci::Envelope& request, const std::string& sender_id) {
  TxnStatusQuery q = parse_txn_status_request(request.message);
  return accept(request, sender_id,
                [&](soci::session& s, const std::string& correlation, const std::string&) {
                  return status_of(s, sender_id, q, correlation);
                });
}

std::string AsyncOperations::sync_txn_status(const dci::Envelope& request,
                                             const std::string& sender_id) {
  TxnStatusQuery q = parse_txn_status_request(request.message);
  std::string correlation = core::uuid_v4();
  Answer a = db_.read([&](soci::session& s) { return status_of(s, sender_id, q, correlation); });
  return answers_.answer(request.common(), "txn-on-status", a.status, a.message, a.total,
                         a.completed);
}

dci::Ack AsyncOperations::subscribe(const dci::Envelope& request, const std::string& sender_id) {
  SubscribeRequest req = parse_subscribe_request(request.message);
  return accept(
      request, sender_id, [&](soci::session& s, const std::string&, const std::string& target) {
        core::SystemTime now = clock_.now();
        std::string ts = dci::format_message_ts(now);
        Json items = Json::array();
        for (const auto& item : req.items) {
          Json r = {{"reference_id", item.reference_id}, {"timestamp", ts}};
          if (!item.locale.empty()) r["locale"] = item.locale;
          Subscription sub{core::uuid_v4(),
                           sender_id,
                           item.reference_id,
                           item.reg_event_type,
                           item.id_type,
                           item.id_value,
                           notify_url_for(target),
                           item.criteria,
                           true,
                           now};
          std::optional<Subscription> existing;
          if (item.reject_code.empty()) existing = db::same_subscription(s, sub);
          if (!item.reject_code.empty() || existing) {
            r["status"] = "rjct";
            r["status_reason_code"] = existing ? "rjct.event.already_subscribed" : item.reject_code;
            r["status_reason_message"] =
                existing ? "already subscribed as " + existing->code : item.reject_message;
            if (existing) r["subscription_code"] = existing->code;
          } else {
            db::insert_subscription(s, sub, now);
            r["status"] = "succ";
            r["subscriptions"] = Json::array({subscription_info(sub, ts, item.locale)});
            r["subscription_code"] = sub.code;  // what OpenSPP's client reads
          }
          items.push_back(std::move(r));
        }
        Answer a;
        a.total = int64_t(items.size());
        a.completed = count_status(items, "succ");
        a.status = a.completed > 0 ? RequestStatus::kSucc : RequestStatus::kRjct;
        a.message = {{"transaction_id", req.transaction_id},
                     {"subscribe_response", std::move(items)}};
        return a;
      });
}

dci::Ack AsyncOperations::unsubscribe(const dci::Envelope& request, const std::string& sender_id) {
  UnsubscribeRequest req = parse_unsubscribe_request(request.message);
  return accept(request, sender_id, [&](soci::session& s, const std::string&, const std::string&) {
    core::SystemTime now = clock_.now();
    Json statuses = Json::array();
    std::vector<std::string> unknown, already;
    for (const auto& code : req.codes) {
      auto sub = db::find_subscription(s, code);
      // Another sender's code is as unknown as a made-up one.
      if (!sub || sub->sender_id != sender_id) {
        unknown.push_back(code);
        continue;
      }
      if (!sub->active)
        already.push_back(code);
      else
        db::end_subscription(s, code, now);
      statuses.push_back({{"code", code}, {"status", "unsubscribe"}});
    }
    Answer a;
    a.total = int64_t(req.codes.size());
    a.completed = a.total - int64_t(unknown.size() + already.size());
    Json msg = {{"transaction_id", req.transaction_id},
                {"timestamp", dci::format_message_ts(now)},
                {"status", "succ"},
                {"subscription_status", std::move(statuses)}};
    auto refuse = [&](const char* code, const std::vector<std::string>& which, const char* what) {
      std::string list;
      for (const auto& c : which) list += (list.empty() ? "" : ", ") + c;
      msg["status"] = "rjct";
      msg["status_reason_code"] = code;
      msg["status_reason_message"] = std::string(what) + list;
    };
    if (!unknown.empty())
      refuse("rjct.subscription_code.invalid", unknown, "no subscription of yours: ");
    else if (!already.empty())
      refuse("rjct.event.already_unsubscribed", already, "already ended: ");
    a.status = msg["status"] == "succ" ? RequestStatus::kSucc : RequestStatus::kRjct;
    a.message = std::move(msg);
    return a;
  });
}

void AsyncOperations::notify(soci::session& s, const std::string& transaction_id,
                             const std::vector<UpdateEvent>& events) {
  if (events.empty()) return;
  // A sender is not told about its own updates.
  auto subscriptions = db::active_subscriptions(s, events.front().sender_id);
  if (subscriptions.empty()) return;
  core::SystemTime now = clock_.now();
  std::string ts = dci::format_message_ts(now);
  bool queued = false;
  for (const auto& sub : subscriptions) {
    Json items = Json::array();
    for (const auto& ev : events) {
      const char* type = ev.created ? "enrollement" : "enrollement_status_change";
      if (sub.reg_event_type != type || !subscription_matches(sub, ev.identifiers)) continue;
      Json record = reg_record(ev.record, ev.enrollments);
      if (ev.deleted) record["deleted"] = true;
      items.push_back({{"reference_id", sub.reference_id},
                       {"timestamp", ts},
                       {"subscription_code", sub.code},
                       {"data",
                        {{"version", "1.0.0"},
                         {"reg_type", kRegType},
                         {"reg_event_type", type},
                         {"reg_record_type", "Beneficiary"},
                         {"reg_records", Json::array({std::move(record)})}}}});
    }
    if (items.empty()) continue;
    std::string notify_txn = core::uuid_v4();
    int64_t n = int64_t(items.size());
    Json message = {{"transaction_id", notify_txn},
                    {"source_transaction_id", transaction_id},
                    {"notify_event", std::move(items)}};
    SignedEnvelope env = answers_.request("notify", sub.sender_id, message, n);
    // Correlated by the subscription code: txn/status does not list notifications.
    db::enqueue_outbox(
        s,
        {notify_txn, sub.code, env.message_id, "notify", sub.sender_id, sub.notify_url, env.body},
        now);
    queued = true;
  }
  // Before the commit: the job may miss these rows now; its next poll finds them.
  if (queued && on_queued_) on_queued_();
}

}  // namespace registrar::ibr
