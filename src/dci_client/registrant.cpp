#include "dci_client/registrant.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

std::string trimmed(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// A string member, or "" when absent or null. `where` prefixes the field an error names.
std::string text(const Json& j, const char* key, const std::string& where = "") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return trimmed(it->get<std::string>());
  throw core::invalid_argument(where + key + " must be a string", where + key);
}

// A code (a reference, an identifier value, a location): a string, or a whole number taken as
// its decimal digits, as a spreadsheet turned into JSON writes a column of digits. SPDCI types
// an identifier value as a string (dci_IdentifierTypeValue) and OpenSPP keeps it in a char
// field, so the text is what is stored and sent. A fraction or an exponent is refused: its text
// ("1000.0", "1e+25") is not the digits anyone wrote.
std::string code(const Json& j, const char* key, const std::string& where = "") {
  auto it = j.find(key);
  if (it != j.end() && it->is_number()) {
    if (it->is_number_integer()) return it->dump();
    throw core::invalid_argument(where + key + " must be a string or a whole number", where + key);
  }
  return text(j, key, where);
}

bool digits(const std::string& s, size_t from, size_t n) {
  if (s.size() < from + n) return false;
  for (size_t i = from; i < from + n; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// The forms the IBR's person query reads (docs/ibr.md): YYYY, YYYY-MM, YYYY-MM-DD.
bool valid_date(const std::string& d) {
  if (d.size() == 4) return digits(d, 0, 4);
  if (d.size() == 7) return digits(d, 0, 4) && d[4] == '-' && digits(d, 5, 2);
  return d.size() == 10 && digits(d, 0, 4) && d[4] == '-' && digits(d, 5, 2) && d[7] == '-' &&
         digits(d, 8, 2);
}

bool valid_sex(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s == "f" || s == "m" || s == "o" || s == "female" || s == "male" || s == "other";
}

RegistrantId read_id(const std::string& type, const std::string& value, const std::string& where) {
  // OpenSPP's constraint messages (§8.1).
  if (type.empty())
    throw core::invalid_argument("Identifier type cannot be empty.", where + "type");
  if (value.empty())
    throw core::invalid_argument("Identifier value cannot be empty.", where + "value");
  return {type, value};
}

}  // namespace

Registrant registrant_from_json(const Json& j) {
  if (!j.is_object()) throw core::invalid_argument("a registrant is a JSON object");
  Registrant r;
  r.reference = code(j, "reference");
  if (auto ids = j.find("identifiers"); ids != j.end() && !ids->is_null()) {
    if (!ids->is_array())
      throw core::invalid_argument("identifiers must be a list of {type, value}", "identifiers");
    for (size_t i = 0; i < ids->size(); ++i) {
      const Json& id = (*ids)[i];
      std::string where = "identifiers[" + std::to_string(i) + "].";
      if (!id.is_object()) throw core::invalid_argument("an identifier is {type, value}", where);
      r.identifiers.push_back(read_id(text(id, "type", where), code(id, "value", where), where));
    }
  }
  if (j.contains("identifier_type") || j.contains("identifier_value"))
    r.identifiers.push_back(
        read_id(text(j, "identifier_type"), code(j, "identifier_value"), "identifier_"));
  r.given_name = text(j, "given_name");
  r.family_name = text(j, "family_name");
  r.other_names = text(j, "other_names");
  r.birth_date = text(j, "birth_date");
  r.sex = text(j, "sex");
  r.location = code(j, "location");
  if (!r.birth_date.empty() && !valid_date(r.birth_date))
    throw core::invalid_argument("birth_date must be YYYY-MM-DD, YYYY-MM or YYYY", "birth_date");
  if (!r.sex.empty() && !valid_sex(r.sex))
    throw core::invalid_argument("sex must be F, M, O, female, male or other", "sex");
  // The IBR's fuzzy search starts from the name: without a name or an identifier nobody can
  // answer.
  if (r.identifiers.empty() && r.given_name.empty() && r.family_name.empty() &&
      r.other_names.empty())
    throw core::invalid_argument("a registrant needs an identifier or a name", "identifiers");
  return r;
}

Json registrant_to_json(const Registrant& r, bool with_identifier_values) {
  Json ids = Json::array();
  for (const auto& id : r.identifiers) {
    Json one = {{"type", id.type}};
    if (with_identifier_values) one["value"] = id.value;
    ids.push_back(std::move(one));
  }
  return {{"reference", r.reference},
          {"identifiers", std::move(ids)},
          {"given_name", r.given_name},
          {"family_name", r.family_name},
          {"other_names", r.other_names},
          {"birth_date", r.birth_date},
          {"sex", r.sex},
          {"location", r.location}};
}

}  // namespace registrar::dci_client
