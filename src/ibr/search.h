// Reading a SearchRequest (dci-ibr.md §3.1) and shaping the SearchResponse (§3.2). Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ibr/person_query.h"
#include "ibr/records.h"

namespace registrar::ibr {

struct SearchItem {
  std::string reference_id;
  std::string query_type;
  Identifier id;       // the idtype-value query
  PersonQuery person;  // the expression and predicate queries (person_query.h)
  int64_t page_size = 10;
  int64_t page_number = 1;  // 1-based
  std::string locale;
  nlohmann::json consent;    // null when absent; echoed in the response's item
  nlohmann::json authorize;  // likewise
  // Set when the item cannot be answered: its reject reason (SearchReason wire name) and text.
  std::string reject_code;
  std::string reject_message;
};

struct SearchRequest {
  std::string transaction_id;
  std::vector<SearchItem> items;
};

// A string member as sent, a number or boolean in its JSON text, anything else "".
std::string json_text(const nlohmann::json& value);
// Every request message is an object with a transaction_id (a number in some samples). Throws
// core::Error(kInvalidArgument) naming the member otherwise.
std::string message_transaction_id(const nlohmann::json& message);

// Throws core::Error(kInvalidArgument) naming the member when the message is malformed; an item
// it cannot answer (unknown query type, a query it cannot read, bad pagination) is marked
// rejected (rjct.search_criteria.invalid with a message naming the member) instead.
SearchRequest parse_search_request(const nlohmann::json& message, int64_t max_page_size);

// An EnrolledRequest (§3.4: "which programmes is this person in"): one item whose identifier has
// any type (id.type ""), from `enrolled_criteria.query` in either of the spec's forms,
// {attribute_name: person_identifier, operator: eq, attribute_value} or
// {person_identifier: {eq: value}}; page size `max_page_size`. Throws core::Error
// (kInvalidArgument) for a malformed message; an unsupported query marks the item rejected.
SearchRequest parse_enrolled_request(const nlohmann::json& message, int64_t max_page_size);

// One found beneficiary as a reg_record: the record as its sender reported it, plus OpenSPP's
// `programs: [{name, id, status}]` (its client reads only that, §3.3).
nlohmann::json reg_record(const StoredBeneficiary& b, const std::vector<Enrollment>& enrollments);

struct SearchResult {
  std::vector<nlohmann::json> records;
  int64_t total = 0;
};

// The search_response item for `item`: rjct with its reason, or succ with the records and the
// pagination (page_size, page_number, total_count).
nlohmann::json search_response_item(const SearchItem& item, const SearchResult* result,
                                    const std::string& timestamp);

}  // namespace registrar::ibr
