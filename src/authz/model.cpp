#include "authz/model.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <set>

#include "authz/identifiers.h"
#include "core/error.h"

namespace registrar::authz {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
}

// A required, non-blank string property (the original's `required` / [JsonRequired] string).
std::string required_string(const Json& obj, const std::string& key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) throw core::invalid_argument(path + " is required", path);
  if (!it->is_string()) throw core::invalid_argument(path + " must be a string", path);
  std::string value = it->get<std::string>();
  if (blank(value)) throw core::invalid_argument(path + " must not be empty", path);
  return value;
}

std::optional<std::string> optional_string(const Json& obj, const std::string& key,
                                           const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw core::invalid_argument(path + " must be a string", path);
  return it->get<std::string>();
}

void require_object(const Json& body, const std::string& what, const std::string& field = {}) {
  if (!body.is_object()) throw core::invalid_argument(what + " must be a JSON object", field);
}

Lookup parse_lookup(const Json& body, const std::string& estate_field,
                    const std::string& recipient_field) {
  require_object(body, "request body");
  Lookup l;
  l.estate_field = estate_field;
  l.recipient_field = recipient_field;
  l.estate = required_string(body, estate_field, estate_field);
  l.recipient = optional_string(body, recipient_field, recipient_field);
  return l;
}

}  // namespace

std::string CollectiveReason::describe() const {
  if (rule == Rule::kAllProbateHeirs)
    return "collective proxy: individual proxies from all probate heirs (" + join(granted_by) + ")";
  if (granted_by.empty()) return "collective proxy: sole probate heir";
  return "collective proxy: probate heir with individual proxies from all other probate heirs (" +
         join(granted_by) + ")";
}

CollectivePlan plan_collective(const std::vector<Assignment>& rows, const RoleVocabulary& roles) {
  CollectivePlan plan;
  std::set<std::string> probate;  // P
  for (const auto& r : rows)
    if (r.role == roles.probate_certificate) probate.insert(r.recipient);

  std::map<std::string, std::set<std::string>> grants;  // recipient -> granting probate heirs (I')
  for (const auto& r : rows) {
    if (r.role != roles.individual_proxy) continue;
    if (!r.heir || !probate.count(*r.heir)) {
      plan.revoke_individual.push_back(r);
      continue;
    }
    grants[r.recipient].insert(*r.heir);
  }

  std::map<std::string, CollectiveReason> eligible;
  // (a) grants from every probate heir (grants are unique per heir, so the original's row count
  // equals the number of distinct granting heirs).
  for (const auto& [recipient, heirs] : grants) {
    if (!probate.empty() && heirs.size() == probate.size())
      eligible[recipient] = {
          recipient, CollectiveReason::Rule::kAllProbateHeirs, {heirs.begin(), heirs.end()}};
  }
  // (b) a probate heir with grants from every other probate heir (none needed from oneself).
  for (const auto& h : probate) {
    if (eligible.count(h)) continue;
    std::vector<std::string> givers;
    auto it = grants.find(h);
    if (it != grants.end())
      for (const auto& g : it->second)
        if (g != h) givers.push_back(g);
    if (givers.size() == probate.size() - 1)
      eligible[h] = {h, CollectiveReason::Rule::kAllOtherProbateHeirs, std::move(givers)};
  }

  std::set<std::string> have_collective;
  for (const auto& r : rows) {
    if (r.role != roles.collective_proxy) continue;
    have_collective.insert(r.recipient);
    if (!eligible.count(r.recipient)) plan.revoke_collective.push_back(r);
  }
  for (auto& [recipient, reason] : eligible) {
    if (!have_collective.count(recipient)) plan.grant_collective.push_back(recipient);
    plan.eligible.push_back(std::move(reason));
  }
  return plan;
}

Lookup parse_search_request(const Json& body) {
  return parse_lookup(body, "estateSsn", "recipientSsn");
}

Lookup parse_pip_request(const Json& body) {
  return parse_lookup(body, "from", "to");
}

void validate_lookup(const Lookup& l) {
  if (!is_valid_ssn(l.estate)) throw core::invalid_argument("Invalid EstateSsn", l.estate_field);
  if (l.recipient && !is_valid_ssn(*l.recipient))
    throw core::invalid_argument("Invalid RecipientSsn", l.recipient_field);
}

std::vector<Assignment> pip_rows(const std::vector<Assignment>& rows,
                                 const std::optional<std::string>& recipient) {
  if (!recipient) return rows;
  std::vector<Assignment> out;
  for (const auto& r : rows)
    if (r.recipient == *recipient) out.push_back(r);
  return out;
}

std::vector<RoleView> role_views(const std::vector<Assignment>& rows,
                                 const std::optional<std::string>& recipient,
                                 const RoleVocabulary& roles) {
  bool probate_issued = false;
  for (const auto& r : rows)
    if (r.role == roles.probate_certificate) probate_issued = true;
  std::vector<RoleView> out;
  for (const auto& r : rows) {
    if (recipient && r.recipient != *recipient) continue;
    out.push_back({r, roles.is_restricted(r.role, probate_issued)});
  }
  return out;
}

std::vector<RoleView> search_roles(const std::vector<Assignment>& rows, const Lookup& lookup,
                                   bool unfiltered, const RoleVocabulary& roles) {
  auto views = role_views(rows, lookup.recipient, roles);
  if (unfiltered || roles.superadmin.empty()) return views;
  std::erase_if(views, [&](const RoleView& v) { return v.assignment.role == roles.superadmin; });
  return views;
}

std::vector<Assignment> search_proxies(const std::vector<Assignment>& rows, const Lookup& lookup,
                                       const RoleVocabulary& roles) {
  std::vector<Assignment> out;
  for (const auto& r : rows)
    if (roles.is_proxy_role(r.role) && (!lookup.recipient || r.recipient == *lookup.recipient))
      out.push_back(r);
  return out;
}

namespace {

void append_2(std::string& out, unsigned v) {
  out += char('0' + v / 10);
  out += char('0' + v % 10);
}

// A JSON string literal; the values are SSNs and role codes, escaped all the same.
void append_json_string(std::string& out, std::string_view v) {
  out += '"';
  if (std::none_of(v.begin(), v.end(), [](char c) {
        return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
      })) {
    out.append(v);  // SSNs and role codes: nothing to escape
    out += '"';
    return;
  }
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\b') {
      out += "\\b";
    } else if (c == '\f') {
      out += "\\f";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[(c >> 4) & 0xf];
      out += hex[c & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

// Hand-rolled (no gmtime, no printf): it runs for every row of every lookup.
void append_created(std::string& out, core::SystemTime t) {
  using namespace std::chrono;
  auto micros = duration_cast<microseconds>(t.time_since_epoch());
  auto day = floor<days>(micros);
  year_month_day ymd{sys_days(day)};
  auto in_day = micros - day;
  auto secs = duration_cast<seconds>(in_day).count();
  long long frac = (in_day - seconds(secs)).count();
  int y = int(ymd.year());
  if (y < 0 || y > 9999) y = y < 0 ? 0 : 9999;
  append_2(out, unsigned(y / 100));
  append_2(out, unsigned(y % 100));
  out += '-';
  append_2(out, unsigned(ymd.month()));
  out += '-';
  append_2(out, unsigned(ymd.day()));
  out += 'T';
  append_2(out, unsigned(secs / 3600));
  out += ':';
  append_2(out, unsigned(secs / 60 % 60));
  out += ':';
  append_2(out, unsigned(secs % 60));
  if (frac != 0) {
    char digits[6];
    for (int i = 5; i >= 0; --i, frac /= 10) digits[i] = char('0' + frac % 10);
    int n = 6;
    while (digits[n - 1] == '0') --n;
    out += '.';
    out.append(digits, size_t(n));
  }
  out += "+00:00";
}

std::string format_created(core::SystemTime t) {
  std::string out;
  out.reserve(40);
  append_created(out, t);
  return out;
}

Json roles_search_response(const std::vector<RoleView>& views) {
  Json list = Json::array();
  for (const auto& v : views)
    list.push_back({{"estateSsn", v.assignment.estate},
                    {"recipientSsn", v.assignment.recipient},
                    {"role", v.assignment.role},
                    {"created", format_created(v.assignment.created)},
                    {"isRestricted", v.restricted}});
  return {{"roleAssignments", std::move(list)}};
}

Json proxies_search_response(const std::vector<Assignment>& rows) {
  Json list = Json::array();
  for (const auto& r : rows)
    list.push_back({{"estateSsn", r.estate},
                    {"heirSsn", r.heir ? Json(*r.heir) : Json(nullptr)},
                    {"recipientSsn", r.recipient},
                    {"urn:digitaltdodsbo:rolecode", r.role},
                    {"created", format_created(r.created)}});
  return {{"proxyAssignments", std::move(list)}};
}

Json pip_response(const std::vector<Assignment>& rows) {
  Json list = Json::array();
  for (const auto& r : rows)
    list.push_back({{"from", r.estate},
                    {"to", r.recipient},
                    {"urn:digitaltdodsbo:rolecode", r.role},
                    {"created", format_created(r.created)}});
  return {{"roleAssignments", std::move(list)}};
}

void append_pip_row(std::string& out, size_t index, std::string_view from, std::string_view to,
                    std::string_view role, core::SystemTime created) {
  out += index ? ",{\"created\":\"" : "{\"created\":\"";
  append_created(out, created);
  out += "\",\"from\":";
  append_json_string(out, from);
  out += ",\"to\":";
  append_json_string(out, to);
  out += ",\"urn:digitaltdodsbo:rolecode\":";
  append_json_string(out, role);
  out += '}';
}

std::string pip_response_text(const std::vector<Assignment>& rows) {
  std::string out;
  out.reserve(32 + rows.size() * 160);
  out += kPipOpen;
  for (size_t i = 0; i < rows.size(); ++i)
    append_pip_row(out, i, rows[i].estate, rows[i].recipient, rows[i].role, rows[i].created);
  out += kPipClose;
  return out;
}

ProxyChange parse_proxy_change(const Json& body, const std::string& wrapper) {
  require_object(body, "request body");
  auto it = body.find(wrapper);
  if (it == body.end() || it->is_null())
    throw core::invalid_argument(wrapper + " is required", wrapper);
  require_object(*it, wrapper, wrapper);
  ProxyChange c;
  c.wrapper = wrapper;
  c.estate = required_string(*it, "estateSsn", wrapper + ".estateSsn");
  c.heir = required_string(*it, "heirSsn", wrapper + ".heirSsn");
  c.recipient = required_string(*it, "recipientSsn", wrapper + ".recipientSsn");
  c.role =
      required_string(*it, "urn:digitaltdodsbo:rolecode", wrapper + ".urn:digitaltdodsbo:rolecode");
  return c;
}

void validate_proxy_change(const ProxyChange& c, const RoleVocabulary& roles) {
  const std::string& w = c.wrapper;
  if (c.role != roles.individual_proxy)
    throw core::invalid_argument("Can only assign " + roles.individual_proxy,
                                 w + ".urn:digitaltdodsbo:rolecode");
  if (!is_valid_ssn(c.estate)) throw core::invalid_argument("Invalid EstateSsn", w + ".estateSsn");
  if (!is_valid_ssn(c.recipient))
    throw core::invalid_argument("Invalid RecipientSsn", w + ".recipientSsn");
  if (!is_valid_ssn(c.heir)) throw core::invalid_argument("Invalid HeirSsn", w + ".heirSsn");
}

}  // namespace registrar::authz
