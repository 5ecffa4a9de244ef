#include "ibr/person_record.h"

#include <algorithm>
#include <cctype>

#include "ibr/enrollment.h"

namespace registrar::ibr {

namespace {

using Json = nlohmann::json;

const Json* member(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string text(const Json& obj, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (const Json* v = member(obj, k)) {
      if (v->is_string() && !v->get_ref<const std::string&>().empty()) return v->get<std::string>();
      if (v->is_number()) return v->dump();
    }
  return "";
}

const Json& person_of(const Json& record) {
  if (const Json* m = member(record, "member"))
    if (const Json* d = member(*m, "demographic_info"))
      if (const Json* p = member(*d, "person"); p && p->is_object()) return *p;
  if (const Json* d = member(record, "demographic_info"))
    if (const Json* p = member(*d, "person"); p && p->is_object()) return *p;
  if (const Json* p = member(record, "person"); p && p->is_object()) return *p;
  return record;
}

std::string name_of(const Json& person) {
  const Json* n = member(person, "name");
  if (!n) return "";
  if (n->is_string()) return n->get<std::string>();
  std::string out;
  for (const auto& part :
       {text(*n, {"given_name", "first_name"}), text(*n, {"second_name", "middle_name"}),
        text(*n, {"surname", "family_name", "last_name"})}) {
    if (part.empty()) continue;
    if (!out.empty()) out.push_back(' ');
    out += part;
  }
  return out;
}

std::string location_of(const Json& person) {
  std::string code = text(person, {"sub_region_code", "location_code", "location"});
  if (!code.empty()) return code;
  if (const Json* a = member(person, "address"); a && a->is_object())
    return text(*a, {"sub_region_code", "location_code", "location"});
  return "";
}

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

std::optional<matching::BirthDate> parse_birth_date(std::string_view t) {
  if (auto cut = t.find_first_of("T "); cut != std::string_view::npos) t = t.substr(0, cut);
  matching::BirthDate d;
  if (t.size() < 4 || !all_digits(t.substr(0, 4))) return std::nullopt;
  d.year = static_cast<uint16_t>(std::stoi(std::string(t.substr(0, 4))));
  if (t.size() == 4) return d;
  if (t.size() < 7 || t[4] != '-' || !all_digits(t.substr(5, 2))) return std::nullopt;
  int month = std::stoi(std::string(t.substr(5, 2)));
  if (month < 1 || month > 12) return std::nullopt;
  d.month = static_cast<uint8_t>(month);
  if (t.size() == 7) return d;
  if (t.size() != 10 || t[7] != '-' || !all_digits(t.substr(8, 2))) return std::nullopt;
  int day = std::stoi(std::string(t.substr(8, 2)));
  if (day < 1 || day > 31) return std::nullopt;
  d.day = static_cast<uint8_t>(day);
  return d;
}

std::optional<matching::Sex> parse_sex(std::string_view t) {
  std::string s(t);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "f" || s == "female" || s == "2") return matching::Sex::kFemale;
  if (s == "m" || s == "male" || s == "1") return matching::Sex::kMale;
  if (s == "o" || s == "other") return matching::Sex::kOther;
  return std::nullopt;
}

PersonFields person_fields(const Json& record) {
  PersonFields f;
  const Json& p = person_of(record);
  f.name = name_of(p);
  if (auto b = parse_birth_date(text(p, {"birth_date", "date_of_birth", "dob"}))) f.birth = *b;
  if (auto s = parse_sex(text(p, {"sex", "gender"}))) f.sex = *s;
  f.location = location_of(p);
  for (auto& id : identifiers_of(record))
    f.identifiers.push_back({std::move(id.type), std::move(id.value)});
  return f;
}

matching::Person to_person(const PersonFields& f, matching::NameNormalizer& normalizer) {
  return {normalizer.tokens(f.name), f.birth, f.sex, f.location, f.identifiers};
}

}  // namespace registrar::ibr
