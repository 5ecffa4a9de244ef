#include "authz/vocabulary.h"

#include <algorithm>

#include "core/error.h"

namespace registrar::authz {
namespace {

constexpr const char* kKeys[] = {"court_prefix",     "probate_certificate", "proxy_prefix",
                                 "individual_proxy", "collective_proxy",    "superadmin",
                                 "unrestricted"};

bool starts_with(std::string_view s, std::string_view prefix) {
  return !prefix.empty() && s.substr(0, prefix.size()) == prefix;
}

void read_code(const Json& j, const char* key, std::string& out) {
  if (!j.contains(key)) return;
  if (!j[key].is_string())
    throw core::invalid_argument(std::string("authz.roles.") + key + " must be a string",
                                 std::string("authz.roles.") + key);
  out = j[key].get<std::string>();
}

void check(bool ok, const std::string& key, const std::string& message) {
  if (!ok)
    throw core::invalid_argument("authz.roles." + key + ": " + message, "authz.roles." + key);
}

void check_code(const std::string& key, const std::string& code, bool may_be_empty = false) {
  check(may_be_empty || !code.empty(), key, "must not be empty");
  check(code.size() <= kMaxRoleCodeLength, key,
        "longer than " + std::to_string(kMaxRoleCodeLength) + " characters");
}

void validate(const RoleVocabulary& v) {
  check_code("court_prefix", v.court_prefix);
  check_code("proxy_prefix", v.proxy_prefix);
  check_code("probate_certificate", v.probate_certificate);
  check_code("individual_proxy", v.individual_proxy);
  check_code("collective_proxy", v.collective_proxy);
  check_code("superadmin", v.superadmin, true);
  check(
      !starts_with(v.court_prefix, v.proxy_prefix) && !starts_with(v.proxy_prefix, v.court_prefix),
      "proxy_prefix", "court and proxy prefixes must not overlap");
  check(starts_with(v.probate_certificate, v.court_prefix), "probate_certificate",
        "must start with court_prefix");
  check(starts_with(v.individual_proxy, v.proxy_prefix), "individual_proxy",
        "must start with proxy_prefix");
  check(starts_with(v.collective_proxy, v.proxy_prefix), "collective_proxy",
        "must start with proxy_prefix");
  check(v.individual_proxy != v.collective_proxy, "collective_proxy",
        "must differ from individual_proxy");
  check(!starts_with(v.superadmin, v.court_prefix) && !starts_with(v.superadmin, v.proxy_prefix),
        "superadmin", "must start with neither the court nor the proxy prefix");
}

}  // namespace

RoleVocabulary RoleVocabulary::digitalt_dodsbo() {
  RoleVocabulary v;
  v.court_prefix = "urn:domstolene:digitaltdodsbo:";
  v.probate_certificate = "urn:domstolene:digitaltdodsbo:skifteattest";
  v.proxy_prefix = "urn:altinn:digitaltdodsbo:skiftefullmakt:";
  v.individual_proxy = "urn:altinn:digitaltdodsbo:skiftefullmakt:individuell";
  v.collective_proxy = "urn:altinn:digitaltdodsbo:skiftefullmakt:kollektiv";
  v.superadmin = "urn:altinn:digitaltdodsbo:superadmin";
  v.unrestricted = {v.probate_certificate, v.individual_proxy, v.collective_proxy};
  return v;
}

RoleVocabulary RoleVocabulary::from_json(const Json& j) {
  if (!j.is_object()) throw core::invalid_argument("authz.roles must be a table", "authz.roles");
  for (const auto& [key, value] : j.items()) {
    (void)value;
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
      throw core::invalid_argument("authz.roles." + key + " is not a known key",
                                   "authz.roles." + key);
  }
  RoleVocabulary v = digitalt_dodsbo();
  read_code(j, "court_prefix", v.court_prefix);
  read_code(j, "probate_certificate", v.probate_certificate);
  read_code(j, "proxy_prefix", v.proxy_prefix);
  read_code(j, "individual_proxy", v.individual_proxy);
  read_code(j, "collective_proxy", v.collective_proxy);
  read_code(j, "superadmin", v.superadmin);
  if (j.contains("unrestricted")) {
    const Json& u = j["unrestricted"];
    check(u.is_array(), "unrestricted", "must be a list of role codes");
    v.unrestricted.clear();
    for (const Json& code : u) {
      check(code.is_string(), "unrestricted", "must be a list of role codes");
      v.unrestricted.push_back(code.get<std::string>());
    }
  }
  validate(v);
  return v;
}

Json RoleVocabulary::to_json() const {
  return {{"court_prefix", court_prefix},         {"probate_certificate", probate_certificate},
          {"proxy_prefix", proxy_prefix},         {"individual_proxy", individual_proxy},
          {"collective_proxy", collective_proxy}, {"superadmin", superadmin},
          {"unrestricted", unrestricted}};
}

bool RoleVocabulary::is_court_role(std::string_view role) const {
  return starts_with(role, court_prefix);
}
bool RoleVocabulary::is_proxy_role(std::string_view role) const {
  return starts_with(role, proxy_prefix);
}
bool RoleVocabulary::is_unrestricted(std::string_view role) const {
  return std::find(unrestricted.begin(), unrestricted.end(), role) != unrestricted.end();
}

void declare_config(core::ConfigSchema& schema) {
  schema.add_json("authz.roles", RoleVocabulary::digitalt_dodsbo().to_json(),
                  "Role vocabulary: court_prefix, probate_certificate, proxy_prefix, "
                  "individual_proxy, collective_proxy, superadmin, unrestricted (missing keys keep "
                  "the Digitalt dødsbo codes).",
                  [](const core::ConfigValue& value) -> std::optional<std::string> {
                    try {
                      RoleVocabulary::from_json(std::get<Json>(value));
                      return std::nullopt;
                    } catch (const std::exception& e) {
                      return std::string(e.what());
                    }
                  });
  schema.add_secret("authz.event_secret",
                    "Shared secret the event endpoint expects in its query parameter; empty "
                    "refuses every event.");
  schema.add_string("authz.event_auth_parameter", "auth",
                    "Query parameter of the event endpoint that carries the shared secret.");
  schema.add_string("authz.lookup_scope", "altinn:dd:authlookup",
                    "Scope required by roles/search and proxies/search.");
  schema.add_string("authz.internal_scope", "altinn:dd:internal",
                    "Scope required by pip, proxies/add and proxies/remove.");
  schema.add_int("authz.pip_threads", 2,
                 "Batched PIP reads in flight at once, on the server's background threads "
                 "(server.background_threads); each holds a database session while reading.",
                 1, 64);
  schema.add_int("authz.pip_max_batch", 64, "Most PIP lookups read in one query.", 1, 1024);
  schema.add_int("authz.pip_cache_estates", 1'000'000,
                 "Estates the PIP keeps in memory (about 250 bytes each); 0 reads every lookup "
                 "from the database.",
                 0, 100'000'000);
  schema.add_int("authz.change_poll_ms", 100,
                 "How often the change feed is polled: changes made through other instances "
                 "leave this instance's PIP cache within about this long; after 5 polls without "
                 "success the cache stops answering until polling works again.",
                 10, 60'000);
}

AuthzSettings settings_from_config(const core::Config& config) {
  AuthzSettings s;
  s.roles = RoleVocabulary::from_json(config.json("authz.roles"));
  s.event_secret = config.str("authz.event_secret");
  s.event_auth_parameter = config.str("authz.event_auth_parameter");
  s.lookup_scope = config.str("authz.lookup_scope");
  s.internal_scope = config.str("authz.internal_scope");
  s.pip_threads = int(config.integer("authz.pip_threads"));
  s.pip_max_batch = int(config.integer("authz.pip_max_batch"));
  s.pip_cache_estates = config.integer("authz.pip_cache_estates");
  s.change_poll_ms = int(config.integer("authz.change_poll_ms"));
  return s;
}

}  // namespace registrar::authz
