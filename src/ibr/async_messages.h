// Reading the messages of the async operations other than search (dci-ibr.md §3.4–3.5):
// TxnStatusRequest, SubscribeRequest and UnSubscribeRequest. Pure.
//
// Each parser throws core::Error(kInvalidArgument) naming the member when the message itself is
// malformed (nothing is then stored and the caller answers ERR); a subscribe item it cannot serve
// is marked rejected with the spec's SubscribeStatusReasonCode instead.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace registrar::ibr {

struct TxnStatusQuery {
  std::string transaction_id;  // of the status request itself
  std::string reference_id;
  std::string txn_type;         // as sent: search, subscribe ("subscibe" in the release spec)...
  std::string attribute_type;   // transaction_id | correlation_id | reference_id_list
  std::string attribute_value;  // "" for reference_id_list (not supported: answered rjct)
};
TxnStatusQuery parse_txn_status_request(const nlohmann::json& message);

struct SubscribeItem {
  std::string reference_id;
  std::string reg_event_type;  // normalised to the spec's spelling (enrollement...)
  std::string id_type;         // filter {type, value}; "*" matches any
  std::string id_value;
  nlohmann::json criteria;  // subscribe_criteria as sent
  std::string locale;
  std::string reject_code;  // "" when the item can be served
  std::string reject_message;
};
struct SubscribeRequest {
  std::string transaction_id;
  std::vector<SubscribeItem> items;
};
SubscribeRequest parse_subscribe_request(const nlohmann::json& message);

struct UnsubscribeRequest {
  std::string transaction_id;
  std::vector<std::string> codes;
};
// subscription_codes (the spec), or OpenSPP's subscription_code.
UnsubscribeRequest parse_unsubscribe_request(const nlohmann::json& message);

// The correlation id a client chose in its request message ("" when none): OpenSPP's server
// echoes it in the ACK and the callback (dci-ibr.md §12.5).
std::string requested_correlation_id(const nlohmann::json& message);

}  // namespace registrar::ibr
