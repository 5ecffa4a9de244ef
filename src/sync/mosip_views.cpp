#include "sync/mosip_views.h"

#include <map>

namespace registrar::sync {
namespace {

std::string string_field(const Json& data, const char* name) {
  auto it = data.find(name);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int config_level(const Json& data) {
  if (!string_field(data, "machineId").empty()) return 2;
  if (!string_field(data, "regCenterId").empty()) return 1;
  return 0;
}

// A decimal as (integer part without leading zeros, fraction without trailing zeros).
struct Decimal {
  std::string whole, fraction;
};
std::optional<Decimal> parse_decimal(std::string_view text) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  for (std::string_view part : {whole, fraction})
    for (char c : part)
      if (c < '0' || c > '9') return std::nullopt;
  if (dot != std::string_view::npos && (whole.empty() || fraction.empty())) return std::nullopt;
  while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  return Decimal{std::string(whole), std::string(fraction)};
}

int sign(int v) {
  return v < 0 ? -1 : (v > 0 ? 1 : 0);
}

}  // namespace

Json merge_configurations(const std::vector<Json>& rows) {
  std::map<std::string, std::pair<int, std::string>> merged;  // name -> (level, value)
  for (const auto& data : rows) {
    std::string name = string_field(data, "name");
    if (name.empty()) continue;
    int level = config_level(data);
    auto [it, fresh] = merged.try_emplace(name, level, string_field(data, "value"));
    if (!fresh && level > it->second.first) it->second = {level, string_field(data, "value")};
  }
  Json out = Json::object();
  for (const auto& [name, entry] : merged) out[name] = entry.second;
  return out;
}

Json user_detail(const Json& data, bool active, bool deleted, const std::string& lang) {
  auto or_null = [&](const char* name) -> Json {
    auto it = data.find(name);
    return it == data.end() ? Json(nullptr) : *it;
  };
  Json roles = data.contains("roles") && data["roles"].is_array() ? data["roles"] : Json::array();
  return {{"userName", or_null("id")},   {"mail", or_null("mail")},
          {"mobile", or_null("mobile")}, {"langCode", lang.empty() ? Json(nullptr) : Json(lang)},
          {"name", or_null("name")},     {"userPassword", nullptr},
          {"roles", std::move(roles)},   {"isActive", active},
          {"isDeleted", deleted},        {"regCenterId", or_null("regCenterId")}};
}

bool is_id_version(std::string_view text) {
  return parse_decimal(text).has_value();
}

std::optional<int> compare_id_versions(std::string_view a, std::string_view b) {
  auto x = parse_decimal(a), y = parse_decimal(b);
  if (!x || !y) return std::nullopt;
  if (x->whole.size() != y->whole.size()) return x->whole.size() < y->whole.size() ? -1 : 1;
  if (int c = x->whole.compare(y->whole)) return sign(c);
  return sign(x->fraction.compare(y->fraction));  // no trailing zeros: lexicographic is numeric
}

std::optional<size_t> pick_id_schema(const std::vector<SchemaCandidate>& rows,
                                     std::string_view wanted, std::string_view domain,
                                     std::string_view type) {
  bool latest = compare_id_versions(wanted, "0") == 0;
  const SchemaCandidate* best = nullptr;
  std::string best_version;
  for (const auto& row : rows) {
    std::string version = string_field(row.data, "idVersion");
    if (!is_id_version(version)) continue;  // not a number MOSIP clients could read
    std::string d = string_field(row.data, "domain"), t = string_field(row.data, "type");
    if (!domain.empty() && !d.empty() && d != domain) continue;
    if (!type.empty() && !t.empty() && t != type) continue;
    if (!latest) {
      if (compare_id_versions(version, wanted) == 0) return row.index;
      continue;
    }
    if (!best || compare_id_versions(version, best_version) > 0) {
      best = &row;
      best_version = version;
    }
  }
  if (!best) return std::nullopt;
  return best->index;
}

}  // namespace registrar::sync
