#include "dci_client/search_query.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

Json eq(const std::string& attr, Json value) {
  return {{attr, {{"$eq", std::move(value)}}}};
}

Json expression_query(const Registrant& r) {
  Json terms = Json::array();
  Json ids = Json::array();
  for (const auto& id : r.identifiers)
    ids.push_back(eq("identifier", {{"identifier_type", id.type}, {"identifier_value", id.value}}));
  // Several identifiers: a person who holds any of them is the same registrant (OpenSPP asked
  // once per identifier and took any answer, §4).
  if (ids.size() == 1)
    terms.push_back(std::move(ids[0]));
  else if (ids.size() > 1)
    terms.push_back({{"$or", std::move(ids)}});
  if (!r.given_name.empty()) terms.push_back(eq("given_name", r.given_name));
  if (!r.other_names.empty()) terms.push_back(eq("second_name", r.other_names));
  if (!r.family_name.empty()) terms.push_back(eq("family_name", r.family_name));
  if (!r.birth_date.empty()) terms.push_back(eq("birth_date", r.birth_date));
  if (!r.sex.empty()) terms.push_back(eq("sex", r.sex));
  if (!r.location.empty()) terms.push_back(eq("location", r.location));
  return {{"type", "ns:org:QueryType:NoSql"},
          {"value",
           {{"expression", {{"collection", "Person"}, {"query", {{"$and", std::move(terms)}}}}}}}};
}

}  // namespace

std::string query_type_for(const Registrant& r) {
  return r.identifiers.size() == 1 && !r.has_person() ? "idtype-value" : "expression";
}

Json search_item(const Registrant& r, const std::string& reference_id, core::SystemTime now,
                 const QueryOptions& options) {
  std::string type = query_type_for(r);
  Json query = type == "idtype-value"
                   ? Json{{"type", r.identifiers[0].type}, {"value", r.identifiers[0].value}}
                   : expression_query(r);
  return {{"reference_id", reference_id},
          {"timestamp", core::format_rfc3339(now, true)},
          {"search_criteria",
           {{"version", "1.0.0"},
            {"reg_type", options.reg_type},
            {"query_type", type},
            {"query", std::move(query)},
            {"pagination", {{"page_size", options.page_size}, {"page_number", 1}}}}},
          {"locale", options.locale}};
}

Json search_request(const std::string& transaction_id, Json items,
                    const std::string& correlation_id) {
  Json m = {{"transaction_id", transaction_id}, {"search_request", std::move(items)}};
  if (!correlation_id.empty()) m["correlation_id"] = correlation_id;
  return m;
}

}  // namespace registrar::dci_client
