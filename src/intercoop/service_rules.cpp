#include "intercoop/service_rules.h"

#include "core/error.h"

namespace registrar::intercoop {

namespace {

constexpr int64_t kMaxWindowS = 366 * 86'400;

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

bool equal_folded(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// A scalar as text ('01022' stays a string; 8001 becomes "8001"); nullopt for a list or map.
std::optional<std::string> text_of(const yaml::Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return std::nullopt;
}

bool passes(const AvailabilityRule& rule, const std::string& value) {
  for (const auto& v : rule.values)
    if (equal_folded(v, value)) return true;
  for (const auto& p : rule.prefixes)
    if (value.compare(0, p.size(), p) == 0) return true;
  return false;
}

std::vector<std::string> strings(const yaml::Value& json, const std::string& part) {
  std::vector<std::string> out;
  if (json.is_null()) return out;
  if (!json.is_array()) throw core::invalid_argument(part + " must be a list of text", part);
  for (const auto& v : json) {
    if (!v.is_string() || v.get<std::string>().empty())
      throw core::invalid_argument(part + " must be a list of non-empty text", part);
    out.push_back(v.get<std::string>());
  }
  return out;
}

int64_t count_of(const yaml::Value& limits, const char* key, int64_t fallback, int64_t low,
                 int64_t high) {
  auto it = limits.find(key);
  if (it == limits.end() || it->is_null()) return fallback;
  std::string part = std::string("limits.") + key;
  if (!it->is_number_integer() || it->get<int64_t>() < low || it->get<int64_t>() > high)
    throw core::invalid_argument(part + " must be a whole number from " + std::to_string(low) +
                                     " to " + std::to_string(high),
                                 part);
  return it->get<int64_t>();
}

}  // namespace

std::optional<Unavailable> unavailable_for(const yaml::Value& payload, const ServiceRules& rules) {
  if (!rules.roles.empty()) {
    std::string seen;
    bool allowed = false;
    auto it = payload.is_object() ? payload.find("peerroles") : payload.end();
    if (it != payload.end()) {
      // A list of roles, or (leniently) one role as text.
      const yaml::Value roles = it->is_array() ? *it : yaml::Value::array({*it});
      for (const auto& r : roles) {
        auto role = text_of(r);
        if (!role) continue;
        seen += (seen.empty() ? "" : ",") + *role;
        for (const auto& wanted : rules.roles) allowed = allowed || equal_folded(wanted, *role);
      }
    }
    if (!allowed) return Unavailable{"peerroles", seen};
  }
  for (const auto& rule : rules.availability) {
    auto it = payload.is_object() ? payload.find(rule.field) : payload.end();
    std::optional<std::string> value = it == payload.end() ? std::nullopt : text_of(*it);
    if (!value || !passes(rule, *value)) return Unavailable{rule.field, value.value_or("")};
  }
  return std::nullopt;
}

std::optional<std::string> member_key(const yaml::Value& payload) {
  if (!payload.is_object()) return std::nullopt;
  for (const char* key : {"innerid", "nif"}) {
    auto it = payload.find(key);
    if (it == payload.end()) continue;
    if (auto text = text_of(*it); text && !text->empty()) return *text;
  }
  return std::nullopt;
}

yaml::Value rules_to_json(const ServiceRules& rules) {
  yaml::Value out = yaml::Value::object();
  if (!rules.roles.empty()) out["roles"] = rules.roles;
  if (!rules.availability.empty()) {
    yaml::Value list = yaml::Value::array();
    for (const auto& r : rules.availability) {
      yaml::Value rule = {{"field", r.field}};
      if (!r.values.empty()) rule["values"] = r.values;
      if (!r.prefixes.empty()) rule["prefixes"] = r.prefixes;
      list.push_back(std::move(rule));
    }
    out["availability"] = std::move(list);
  }
  if (rules.limits.any()) {
    yaml::Value limits = yaml::Value::object();
    if (rules.limits.per_member > 0) limits["per_member"] = rules.limits.per_member;
    if (rules.limits.per_peer > 0) limits["per_peer"] = rules.limits.per_peer;
    limits["window_s"] = rules.limits.window_s;
    out["limits"] = std::move(limits);
  }
  return out;
}

ServiceRules rules_from_json(const yaml::Value& json) {
  ServiceRules rules;
  if (json.is_null()) return rules;
  if (!json.is_object()) throw core::invalid_argument("rules must be an object", "rules");
  for (const auto& [key, _] : json.items())
    if (key != "roles" && key != "availability" && key != "limits")
      throw core::invalid_argument("rules: unknown part '" + key + "'", "rules");
  if (auto it = json.find("roles"); it != json.end()) rules.roles = strings(*it, "roles");
  if (auto it = json.find("availability"); it != json.end() && !it->is_null()) {
    if (!it->is_array())
      throw core::invalid_argument("availability must be a list of rules", "availability");
    for (const auto& r : *it) {
      if (!r.is_object() || !r.contains("field") || !r["field"].is_string() ||
          r["field"].get<std::string>().empty())
        throw core::invalid_argument("each availability rule needs a field", "availability");
      AvailabilityRule rule{r["field"].get<std::string>(),
                            strings(r.value("values", yaml::Value()), "availability.values"),
                            strings(r.value("prefixes", yaml::Value()), "availability.prefixes")};
      if (rule.values.empty() && rule.prefixes.empty())
        throw core::invalid_argument(
            "availability rule for " + rule.field + ": give values or prefixes", "availability");
      rules.availability.push_back(std::move(rule));
    }
  }
  if (auto it = json.find("limits"); it != json.end() && !it->is_null()) {
    if (!it->is_object()) throw core::invalid_argument("limits must be an object", "limits");
    rules.limits.per_member = count_of(*it, "per_member", 0, 0, 1'000'000'000);
    rules.limits.per_peer = count_of(*it, "per_peer", 0, 0, 1'000'000'000);
    rules.limits.window_s = count_of(*it, "window_s", 86'400, 1, kMaxWindowS);
  }
  return rules;
}

}  // namespace registrar::intercoop
