#include "ibr/async_messages.h"

#include "core/error.h"
#include "ibr/search.h"

namespace registrar::ibr {

namespace {

using Json = nlohmann::json;

const Json& member(const Json& object, const char* key, const std::string& field) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null())
    throw core::invalid_argument(std::string(key) + " is required", field);
  return *it;
}

std::string string_member(const Json& object, const char* key, const std::string& field) {
  const Json& v = member(object, key, field);
  if (!v.is_string() || v.get_ref<const std::string&>().empty())
    throw core::invalid_argument(std::string(key) + " must be a non-empty string", field);
  return v.get<std::string>();
}

// The spec spells the events "enrollement" (dci-ibr.md §12.12); the correct spelling is read too.
std::string event_type(const std::string& sent) {
  if (sent == "enrollement" || sent == "enrollment") return "enrollement";
  if (sent == "enrollement_status_change" || sent == "enrollment_status_change")
    return "enrollement_status_change";
  return "";
}

void reject(SubscribeItem& item, std::string code, std::string message) {
  if (!item.reject_code.empty()) return;
  item.reject_code = std::move(code);
  item.reject_message = std::move(message);
}

SubscribeItem read_subscribe_item(const Json& in) {
  SubscribeItem item;
  if (!in.is_object()) {
    reject(item, "rjct.notify_details.invalid", "a subscribe_request item must be an object");
    return item;
  }
  if (!in.contains("reference_id"))
    reject(item, "rjct.reference_id.invalid", "reference_id is required");
  else
    item.reference_id = json_text(in["reference_id"]);
  item.locale = in.contains("locale") ? json_text(in["locale"]) : "";
  auto c = in.find("subscribe_criteria");
  if (c == in.end() || !c->is_object()) {
    reject(item, "rjct.notify_details.invalid", "subscribe_criteria is required");
    return item;
  }
  item.criteria = *c;
  std::string sent = c->contains("reg_event_type") ? json_text((*c)["reg_event_type"]) : "";
  item.reg_event_type = event_type(sent);
  if (item.reg_event_type.empty())
    reject(item, "rjct.notify_types.invalid",
           "reg_event_type is enrollement or enrollement_status_change");
  std::string filter_type = c->contains("filter_type") ? json_text((*c)["filter_type"]) : "";
  auto f = c->find("filter");
  if (!filter_type.empty() && filter_type != "idtype-value")
    reject(item, "rjct.notify_details.invalid",
           "filter_type " + filter_type + " is not supported (idtype-value is)");
  else if (f == c->end() || !f->is_object() || !f->contains("type") || !f->contains("value"))
    reject(item, "rjct.notify_details.invalid", "filter is {type, value} (\"*\" for any)");
  else {
    item.id_type = json_text((*f)["type"]);
    item.id_value = json_text((*f)["value"]);
    if (item.id_type.empty() || item.id_value.empty())
      reject(item, "rjct.notify_details.invalid", "filter type and value must not be empty");
  }
  return item;
}

}  // namespace

TxnStatusQuery parse_txn_status_request(const Json& message) {
  TxnStatusQuery q;
  q.transaction_id = message_transaction_id(message);
  const Json& r = member(message, "txnstatus_request", "message.txnstatus_request");
  if (!r.is_object())
    throw core::invalid_argument("txnstatus_request must be an object",
                                 "message.txnstatus_request");
  q.reference_id = r.contains("reference_id") ? json_text(r["reference_id"]) : "";
  q.txn_type = string_member(r, "txn_type", "message.txnstatus_request.txn_type");
  q.attribute_type = string_member(r, "attribute_type", "message.txnstatus_request.attribute_type");
  const Json& v = member(r, "attribute_value", "message.txnstatus_request.attribute_value");
  if (q.attribute_type == "transaction_id" || q.attribute_type == "correlation_id") {
    q.attribute_value = json_text(v);
    if (q.attribute_value.empty())
      throw core::invalid_argument("attribute_value must be the id",
                                   "message.txnstatus_request.attribute_value");
  } else if (q.attribute_type != "reference_id_list") {
    throw core::invalid_argument(
        "attribute_type is transaction_id, correlation_id or reference_id_list",
        "message.txnstatus_request.attribute_type");
  }
  return q;
}

SubscribeRequest parse_subscribe_request(const Json& message) {
  SubscribeRequest out;
  out.transaction_id = message_transaction_id(message);
  const Json& items = member(message, "subscribe_request", "message.subscribe_request");
  if (!items.is_array() || items.empty())
    throw core::invalid_argument("subscribe_request must be a non-empty array",
                                 "message.subscribe_request");
  for (const auto& in : items) out.items.push_back(read_subscribe_item(in));
  return out;
}

UnsubscribeRequest parse_unsubscribe_request(const Json& message) {
  UnsubscribeRequest out;
  out.transaction_id = message_transaction_id(message);
  // The spec's name, else OpenSPP's (dci-ibr.md §3.5).
  const char* key =
      message.contains("subscription_codes") ? "subscription_codes" : "subscription_code";
  std::string field = std::string("message.") + key;
  const Json& codes = member(message, key, "message.subscription_codes");
  if (!codes.is_array() || codes.empty())
    throw core::invalid_argument("subscription_codes must be a non-empty array", field);
  for (const auto& c : codes) {
    if (!c.is_string() || c.get_ref<const std::string&>().empty())
      throw core::invalid_argument("each subscription code is a non-empty string", field);
    out.codes.push_back(c.get<std::string>());
  }
  return out;
}

std::string requested_correlation_id(const Json& message) {
  if (!message.is_object()) return "";
  auto c = message.find("correlation_id");
  if (c == message.end()) return "";
  std::string id = json_text(*c);
  return id.size() <= 255 ? id : "";
}

}  // namespace registrar::ibr
