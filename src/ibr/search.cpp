#include "ibr/search.h"

#include "core/error.h"

namespace registrar::ibr {

namespace {

using Json = nlohmann::json;

void reject(SearchItem& item, std::string code, std::string message) {
  if (!item.reject_code.empty()) return;  // the first problem is the one reported
  item.reject_code = std::move(code);
  item.reject_message = std::move(message);
}

std::string text_of(const Json& v) {
  return json_text(v);
}

// page_size required, page_number 1 by default; the spec samples send numbers as strings too.
std::optional<int64_t> int_of(const Json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    return std::stoll(s);
  }
  return std::nullopt;
}

void read_pagination(SearchItem& item, const Json& criteria, int64_t max_page_size) {
  auto p = criteria.find("pagination");
  if (p == criteria.end() || p->is_null()) return;
  if (!p->is_object()) return reject(item, "rjct.pagination.invalid", "pagination is an object");
  if (auto size = p->find("page_size"); size != p->end()) {
    auto n = int_of(*size);
    if (!n || *n < 1 || *n > max_page_size)
      return reject(item, "rjct.pagination.invalid",
                    "page_size must be 1 to " + std::to_string(max_page_size));
    item.page_size = *n;
  }
  if (auto number = p->find("page_number"); number != p->end()) {
    auto n = int_of(*number);
    if (!n || *n < 1) return reject(item, "rjct.pagination.invalid", "page_number starts at 1");
    item.page_number = *n;
  }
}

void read_idtype_value(SearchItem& item, const Json& query) {
  if (!query.is_object())
    return reject(item, "rjct.search_criteria.invalid", "query must be {type, value}");
  item.id.type = query.contains("type") ? text_of(query["type"]) : "";
  item.id.value = query.contains("value") ? text_of(query["value"]) : "";
  if (item.id.type.empty() || item.id.value.empty())
    reject(item, "rjct.search_criteria.invalid", "query needs a type and a value");
}

SearchItem read_item(const Json& in, int64_t max_page_size) {
  SearchItem item;
  if (!in.is_object()) {
    reject(item, "rjct.search_criteria.invalid", "a search_request item must be an object");
    return item;
  }
  // Required, but the spec's own samples send "": echoed as given.
  if (!in.contains("reference_id"))
    reject(item, "rjct.reference_id.invalid", "reference_id is required");
  else
    item.reference_id = text_of(in["reference_id"]);
  item.locale = in.contains("locale") ? text_of(in["locale"]) : "";
  auto criteria = in.find("search_criteria");
  if (criteria == in.end() || !criteria->is_object()) {
    reject(item, "rjct.search_criteria.invalid", "search_criteria is required");
    return item;
  }
  if (auto c = criteria->find("consent"); c != criteria->end()) item.consent = *c;
  if (auto a = criteria->find("authorize"); a != criteria->end()) item.authorize = *a;
  item.query_type = criteria->contains("query_type") ? text_of((*criteria)["query_type"]) : "";
  auto query = criteria->find("query");
  if (item.query_type == "idtype-value") {
    read_idtype_value(item, query == criteria->end() ? Json() : *query);
  } else if (item.query_type == "expression" || item.query_type == "predicate") {
    if (query == criteria->end()) {
      reject(item, "rjct.search_criteria.invalid", "query is required");
      return item;
    }
    PersonQueryResult r = item.query_type == "predicate" ? read_predicate_query(*query)
                                                         : read_expression_query(*query);
    if (!r.problem.empty()) reject(item, "rjct.search_criteria.invalid", r.problem);
    item.person = std::move(r.query);
  } else {
    reject(item, "rjct.search_criteria.invalid",
           item.query_type.empty() ? "query_type is required"
                                   : "query_type " + item.query_type + " is not supported");
    return item;
  }
  read_pagination(item, *criteria, max_page_size);
  return item;
}

std::string transaction_of(const Json& message) {
  return message_transaction_id(message);
}

}  // namespace

std::string json_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return "";
}

std::string message_transaction_id(const Json& message) {
  if (!message.is_object()) throw core::invalid_argument("message must be an object", "message");
  auto tx = message.find("transaction_id");
  if (tx == message.end() || !(tx->is_string() || tx->is_number()))
    throw core::invalid_argument("transaction_id is required", "message.transaction_id");
  return json_text(*tx);
}

SearchRequest parse_search_request(const Json& message, int64_t max_page_size) {
  SearchRequest out;
  out.transaction_id = transaction_of(message);
  auto list = message.find("search_request");
  if (list == message.end() || !list->is_array())
    throw core::invalid_argument("search_request must be a list", "message.search_request");
  for (const auto& in : *list) out.items.push_back(read_item(in, max_page_size));
  return out;
}

SearchRequest parse_enrolled_request(const Json& message, int64_t max_page_size) {
  SearchRequest out;
  out.transaction_id = transaction_of(message);
  auto criteria = message.find("enrolled_criteria");
  if (criteria == message.end() || !criteria->is_object())
    throw core::invalid_argument("enrolled_criteria is required", "message.enrolled_criteria");
  SearchItem item;
  item.page_size = max_page_size;
  // Whatever query_type it names, the query is a person_identifier lookup: answered as one.
  item.query_type = "idtype-value";
  auto query = criteria->find("query");
  if (query != criteria->end() && query->is_object()) {
    if (query->value("attribute_name", "") == "person_identifier" &&
        query->value("operator", "") == "eq" && query->contains("attribute_value"))
      item.id.value = text_of((*query)["attribute_value"]);
    else if (auto p = query->find("person_identifier");
             p != query->end() && p->is_object() && p->contains("eq"))
      item.id.value = text_of((*p)["eq"]);
  }
  if (item.id.value.empty())
    reject(item, "rjct.search_criteria.invalid",
           "query must be person_identifier eq <value> (the only query served yet)");
  out.items.push_back(std::move(item));
  return out;
}

Json reg_record(const StoredBeneficiary& b, const std::vector<Enrollment>& enrollments) {
  Json record = b.record;
  if (!record.is_object()) record = Json::object();
  Json programs = Json::array();
  for (const auto& e : enrollments)
    programs.push_back({{"name", e.programme_name.empty() ? e.programme_id : e.programme_name},
                        {"id", e.programme_id},
                        {"status", e.status}});
  record["programs"] = std::move(programs);
  return record;
}

Json search_response_item(const SearchItem& item, const SearchResult* result,
                          const std::string& timestamp) {
  Json out = {{"reference_id", item.reference_id}, {"timestamp", timestamp}};
  if (!item.locale.empty()) out["locale"] = item.locale;
  // The purpose the requester declared travels back with its answer, so that whoever stores the
  // answer keeps why it was asked (the spec defines no place for it; members are open).
  if (!item.consent.is_null()) out["consent"] = item.consent;
  if (!item.authorize.is_null()) out["authorize"] = item.authorize;
  if (!item.reject_code.empty() || !result) {
    out["status"] = "rjct";
    out["status_reason_code"] = item.reject_code;
    out["status_reason_message"] = item.reject_message;
    return out;
  }
  out["status"] = "succ";
  out["data"] = {{"version", "1.0.0"},
                 {"reg_type", "ns:org:RegistryType:IBR"},
                 {"reg_record_type", "Beneficiary"},
                 {"reg_records", result->records}};
  out["pagination"] = {{"page_size", item.page_size},
                       {"page_number", item.page_number},
                       {"total_count", result->total}};
  return out;
}

}  // namespace registrar::ibr
