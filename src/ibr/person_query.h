// The `expression` and `predicate` query types of a SearchRequest (dci-ibr.md §3.1) read as a
// person to look for: attribute conditions on names, birth date, sex, location and identifiers,
// all joined by "and". Pure.
//
// predicate: [{seq_num, expression1: {attribute_name, operator, attribute_value}, condition,
//              expression2}] (every item and every condition "and"; operator "eq").
// expression: {type, value: {expression: {collection, query: {"$and": [{attr: {"$eq": v}}...]}}}}
//             (or query: {attr: v, attr: {"$eq": v}, ...}).
//
// Attribute names (case-insensitive): name, full_name, given_name, first_name, second_name,
// middle_name, surname, family_name, last_name (the values make up one name); birth_date, dob,
// date_of_birth ("1980-04-12", "1980-04", "1980"); yob, birth_year; sex, gender; location,
// location_code, sub_region_code. identifier / person_identifier: a value of any identifier
// type, or {identifier_type, identifier_value}. Any other attribute name is an identifier type
// ("UIN", "NID", ...) with its value.
// "$or": [terms...] joins identifier conditions only (one term, one identifier): a person who
// holds any of them. A registrant known by several identifiers is asked that way (OpenSPP asked
// once per identifier, §4); names and dates are never OR-ed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ibr/matching/person.h"
#include "ibr/records.h"

namespace registrar::ibr {

struct PersonQuery {
  std::string name;  // every name condition's value, space-separated
  matching::BirthDate birth;
  matching::Sex sex = matching::Sex::kUnknown;
  std::string location;
  std::vector<Identifier> identifiers;  // all held ("and"); type "" = any type
  // Each group an "$or": one of its identifiers held.
  std::vector<std::vector<Identifier>> identifier_alternatives;
  bool has_identifier() const { return !identifiers.empty() || !identifier_alternatives.empty(); }
  bool has_person() const {
    return !name.empty() || birth.year != 0 || sex != matching::Sex::kUnknown || !location.empty();
  }
};

// The query, or the reason it cannot be answered (a message naming the member at fault).
struct PersonQueryResult {
  PersonQuery query;
  std::string problem;  // "" when usable
};

PersonQueryResult read_predicate_query(const nlohmann::json& query);
PersonQueryResult read_expression_query(const nlohmann::json& query);

}  // namespace registrar::ibr
