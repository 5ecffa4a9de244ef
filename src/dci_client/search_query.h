// The SearchRequest we send for duplication checks (dci-ibr.md §3.1, §4): one search_request
// item per registrant, its reference_id tying the answer back to the check. Pure.
//
// Query type: `idtype-value` {type, value} when the registrant has exactly one identifier and
// nothing else (all an OpenSPP peer understands, §4); otherwise the spec's `expression`
// {type, value: {expression: {collection, query: {"$and": [{attr: {"$eq": v}}...]}}}}, which our
// IBR answers from its duplicate index (docs/ibr.md "Duplicate search"): an identifier as
// {"identifier": {"$eq": {identifier_type, identifier_value}}} (several in one {"$or": [...]}:
// any of them held), the name parts, birth date, sex and location as their own attributes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "dci_client/registrant.h"

namespace registrar::dci_client {

// What goes into every item besides the registrant.
struct QueryOptions {
  std::string reg_type = "ns:org:RegistryType:IBR";
  int page_size = 10;  // OpenSPP asks for 10 records
  std::string locale = "eng";
};

// The search_criteria.query_type this registrant is asked with.
std::string query_type_for(const Registrant& r);

nlohmann::json search_item(const Registrant& r, const std::string& reference_id,
                           core::SystemTime now, const QueryOptions& options);

// {transaction_id, search_request: items} (and correlation_id when given: the async path chooses
// it, §12.5).
nlohmann::json search_request(const std::string& transaction_id, nlohmann::json items,
                              const std::string& correlation_id = "");

}  // namespace registrar::dci_client
