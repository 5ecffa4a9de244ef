#include "sync/mosip_url_entries.h"

#include <algorithm>
#include <cctype>

namespace registrar::sync {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool listed(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// MOSIP's client adds keyindex itself (as a query parameter) and sends its bearer token when
// auth-required is "true"; "Authorization:OAUTH" is MOSIP's own configured value.
std::string url_detail(std::string url, bool encrypted, std::string_view headers) {
  Json detail = {{"url", std::move(url)},
                 {"auth-required", "true"},
                 {"auth-token", "Authorization:OAUTH"},
                 {"encrypted", encrypted ? "true" : "false"},
                 {"headers", std::string(headers)}};
  return detail.dump();
}

std::string trimmed_base(const UrlEntrySettings& s) {
  std::string base = s.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

}  // namespace

std::optional<std::string> canonical_file_name(std::string_view name) {
  if (iequals(name, kDynamicFileName)) return std::string(kDynamicFileName);
  const Entity* e = find_entity_by_mosip_name(name);
  if (!e || e->dynamic || !e->in_v2) return std::nullopt;
  return e->mosip_name;
}

bool sent_as_url(const UrlEntrySettings& s, std::string_view canonical, bool delta) {
  if (!listed(s.entities, canonical)) return false;
  return !delta || listed(s.on_delta, canonical);
}

std::string entity_url_detail(const UrlEntrySettings& s, std::string_view canonical) {
  return url_detail(trimmed_base(s) + "/v1/syncdata/clientsettings/" + std::string(canonical),
                    s.encrypted, "");
}

std::string script_url_detail(const UrlEntrySettings& s, std::string_view script) {
  return url_detail(trimmed_base(s) + "/v1/syncdata/scripts/" + std::string(script), false, "");
}

bool valid_script_name(std::string_view name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace registrar::sync
