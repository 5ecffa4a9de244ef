#include "ibr/person_query.h"

#include <algorithm>
#include <cctype>

#include "ibr/person_record.h"

namespace registrar::ibr {

namespace {

using Json = nlohmann::json;

enum class Attribute { kName, kBirthDate, kBirthYear, kSex, kLocation, kAnyIdentifier, kOther };

Attribute attribute_of(std::string lower) {
  static const char* const kNames[] = {"name",       "full_name",   "given_name",
                                       "first_name", "second_name", "middle_name",
                                       "surname",    "family_name", "last_name"};
  for (const char* n : kNames)
    if (lower == n) return Attribute::kName;
  if (lower == "birth_date" || lower == "dob" || lower == "date_of_birth")
    return Attribute::kBirthDate;
  if (lower == "yob" || lower == "birth_year") return Attribute::kBirthYear;
  if (lower == "sex" || lower == "gender") return Attribute::kSex;
  if (lower == "location" || lower == "location_code" || lower == "sub_region_code")
    return Attribute::kLocation;
  if (lower == "identifier" || lower == "person_identifier") return Attribute::kAnyIdentifier;
  return Attribute::kOther;
}

std::string scalar_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  return "";
}

// Adds `attribute == value` to `q`; returns the problem, or "".
std::string add_condition(PersonQuery& q, const std::string& attribute, const Json& value) {
  std::string lower = attribute;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Attribute a = attribute_of(lower);
  if (a == Attribute::kAnyIdentifier && value.is_object()) {
    Identifier id{scalar_text(value.value("identifier_type", Json())),
                  scalar_text(value.value("identifier_value", Json()))};
    if (id.value.empty()) return attribute + ": needs identifier_value";
    q.identifiers.push_back(std::move(id));
    return "";
  }
  std::string text = scalar_text(value);
  if (text.empty()) return attribute + ": attribute_value must be a non-empty string or number";
  switch (a) {
    case Attribute::kName:
      if (!q.name.empty()) q.name.push_back(' ');
      q.name += text;
      return "";
    case Attribute::kBirthDate: {
      auto d = parse_birth_date(text);
      if (!d) return attribute + ": a date YYYY-MM-DD, YYYY-MM or YYYY";
      q.birth = *d;
      return "";
    }
    case Attribute::kBirthYear: {
      auto d = parse_birth_date(text);
      if (!d || d->month != 0) return attribute + ": a year YYYY";
      if (q.birth.year == 0) q.birth = *d;
      return "";
    }
    case Attribute::kSex: {
      auto s = parse_sex(text);
      if (!s) return attribute + ": F, M or O (female, male, other)";
      q.sex = *s;
      return "";
    }
    case Attribute::kLocation:
      q.location = text;
      return "";
    case Attribute::kAnyIdentifier:
      q.identifiers.push_back({"", text});
      return "";
    case Attribute::kOther:
      q.identifiers.push_back({attribute, text});
      return "";
  }
  return "";
}

std::string read_expression1(PersonQuery& q, const Json& e, const std::string& where) {
  if (!e.is_object()) return where + " must be {attribute_name, operator, attribute_value}";
  auto name = e.find("attribute_name");
  if (name == e.end() || !name->is_string() || name->get_ref<const std::string&>().empty())
    return where + ".attribute_name is required";
  auto op_member = e.find("operator");
  if (op_member != e.end() && !op_member->is_string()) return where + ".operator must be a string";
  std::string op = op_member == e.end() ? "" : op_member->get<std::string>();
  if (op != "eq")
    return where + ".operator " + (op.empty() ? "is required" : op + " is not supported") +
           " (only eq: a duplicate search compares values)";
  auto value = e.find("attribute_value");
  if (value == e.end()) return where + ".attribute_value is required";
  std::string problem = add_condition(q, name->get<std::string>(), *value);
  return problem.empty() ? "" : where + "." + problem;
}

PersonQueryResult finish(PersonQueryResult r) {
  if (!r.problem.empty()) return r;
  if (!r.query.has_identifier() && r.query.name.empty())
    r.problem =
        "query needs a name or an identifier condition (the fuzzy search starts from "
        "the name)";
  return r;
}

}  // namespace

PersonQueryResult read_predicate_query(const Json& query) {
  PersonQueryResult r;
  if (query.is_string()) {
    r.problem =
        "query: a predicate as a CEL string is not supported; send a list of "
        "{expression1, condition, expression2}";
    return r;
  }
  if (!query.is_array() || query.empty()) {
    r.problem =
        "query: a predicate is a non-empty list of {seq_num, expression1, condition, "
        "expression2}";
    return r;
  }
  for (size_t i = 0; i < query.size() && r.problem.empty(); ++i) {
    const Json& item = query[i];
    std::string where = "query[" + std::to_string(i) + "]";
    if (!item.is_object() || !item.contains("expression1")) {
      r.problem = where + ".expression1 is required";
      break;
    }
    r.problem = read_expression1(r.query, item["expression1"], where + ".expression1");
    if (!r.problem.empty()) break;
    auto e2 = item.find("expression2");
    if (e2 == item.end() || e2->is_null()) continue;
    auto condition_member = item.find("condition");
    if (condition_member != item.end() && !condition_member->is_string()) {
      r.problem = where + ".condition must be a string";
      break;
    }
    std::string condition =
        condition_member == item.end() ? "and" : condition_member->get<std::string>();
    if (condition != "and") {
      r.problem = where + ".condition " + condition + " is not supported (only and)";
      break;
    }
    r.problem = read_expression1(r.query, *e2, where + ".expression2");
  }
  return finish(std::move(r));
}

namespace {

std::string read_mongo_terms(PersonQuery& q, const Json& terms, const std::string& where);

// "$or": [terms...], each one identifier condition.
std::string read_identifier_alternatives(PersonQuery& q, const Json& terms,
                                         const std::string& where) {
  if (!terms.is_array() || terms.empty()) return where + " must be a non-empty list";
  std::vector<Identifier> group;
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string at = where + "[" + std::to_string(i) + "]";
    PersonQuery one;
    std::string p = read_mongo_terms(one, terms[i], at);
    if (!p.empty()) return p;
    if (one.has_person() || !one.identifier_alternatives.empty() || one.identifiers.size() != 1)
      return at +
             ": $or joins identifier conditions only, one per term (names, dates, sex and "
             "location are always and-ed)";
    group.push_back(std::move(one.identifiers[0]));
  }
  q.identifier_alternatives.push_back(std::move(group));
  return "";
}

// {attr: value} or {attr: {"$eq": value}}, one or more attributes.
std::string read_mongo_terms(PersonQuery& q, const Json& terms, const std::string& where) {
  if (!terms.is_object()) return where + " must be an object of conditions";
  for (const auto& [attr, cond] : terms.items()) {
    if (attr == "$or") {
      std::string p = read_identifier_alternatives(q, cond, where + ".$or");
      if (!p.empty()) return p;
      continue;
    }
    if (attr == "$and") {
      if (!cond.is_array()) return where + ".$and must be a list";
      for (size_t i = 0; i < cond.size(); ++i) {
        std::string p = read_mongo_terms(q, cond[i], where + ".$and[" + std::to_string(i) + "]");
        if (!p.empty()) return p;
      }
      continue;
    }
    if (!attr.empty() && attr[0] == '$')
      return where + "." + attr + " is not supported (only $and, $or and $eq)";
    const Json* value = &cond;
    if (cond.is_object() && !cond.empty() && cond.begin().key().starts_with("$")) {
      if (cond.size() != 1 || !cond.contains("$eq"))
        return where + "." + attr + ": only $eq is supported";
      value = &cond["$eq"];
    }
    std::string p = add_condition(q, attr, *value);
    if (!p.empty()) return where + "." + p;
  }
  return "";
}

}  // namespace

PersonQueryResult read_expression_query(const Json& query) {
  PersonQueryResult r;
  const Json* value = query.is_object() && query.contains("value") ? &query["value"] : nullptr;
  const Json* expression = value && value->is_object() && value->contains("expression")
                               ? &(*value)["expression"]
                               : nullptr;
  if (!expression || !expression->is_object() || !expression->contains("query")) {
    r.problem = "query: an expression is {type, value: {expression: {collection, query}}}";
    return r;
  }
  r.problem = read_mongo_terms(r.query, (*expression)["query"], "query.value.expression.query");
  return finish(std::move(r));
}

}  // namespace registrar::ibr
