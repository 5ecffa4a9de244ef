// The authz module's role vocabulary and settings. The role codes live in configuration (key
// `authz.roles`, a JSON/TOML table) so that another registry can reuse the module; the defaults
// are the Digitalt dødsbo codes of the original oed-authz.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"

namespace registrar::authz {

using Json = nlohmann::json;

// Longest role code the store accepts (the original's varchar(60)).
inline constexpr size_t kMaxRoleCodeLength = 60;

struct RoleVocabulary {
  // Roles written by court events start with this prefix; each estate event fully replaces the
  // estate's rows whose role starts with it.
  std::string court_prefix;
  // The probate certificate ("skifteattest"): its holders are the estate's probate heirs.
  std::string probate_certificate;
  // Proxy roles start with this prefix (proxies/search returns exactly those).
  std::string proxy_prefix;
  // The only proxy role the API can add or remove; rows carry the granting heir.
  std::string individual_proxy;
  // Derived by the collective rule; never written through the API.
  std::string collective_proxy;
  // Hidden from roles/search unless unfiltered ("" = no such role).
  std::string superadmin;
  // Roles never flagged `isRestricted`; every other role is restricted once the estate has a
  // probate certificate (the original's ProbateAndProxyRoles set).
  std::vector<std::string> unrestricted;

  // The Digitalt dødsbo codes.
  static RoleVocabulary digitalt_dodsbo();
  // Keys missing from `j` keep the Digitalt dødsbo value; unknown keys and inconsistent codes
  // throw core::Error(kInvalidArgument) naming the key.
  static RoleVocabulary from_json(const Json& j);
  Json to_json() const;

  bool is_court_role(std::string_view role) const;
  bool is_proxy_role(std::string_view role) const;
  bool is_unrestricted(std::string_view role) const;
  // isRestricted of a row, given whether the estate has a probate certificate.
  bool is_restricted(std::string_view role, bool probate_issued) const {
    return probate_issued && !is_unrestricted(role);
  }
};

// Everything the module reads from configuration.
struct AuthzSettings {
  RoleVocabulary roles = RoleVocabulary::digitalt_dodsbo();
  // Shared secret of the event endpoint; empty refuses every event.
  std::string event_secret;
  // Query parameter that carries the secret (the original's OedEventAuthQueryParameter).
  std::string event_auth_parameter = "auth";
  std::string lookup_scope = "altinn:dd:authlookup";  // roles/search, proxies/search
  std::string internal_scope = "altinn:dd:internal";  // pip, proxies/add, proxies/remove
  // PIP lookups are batched (see batcher.h): threads that read batches, and the largest batch.
  int pip_threads = 2;
  int pip_max_batch = 64;
  // Estates the PIP keeps in memory (estate_cache.h); 0 reads every lookup from the database.
  int64_t pip_cache_estates = 1'000'000;
  // How often the change feed is polled (change_follower.h): the bound on how long another
  // instance's change can go unseen; the cache stops answering after 5 polls without success.
  int change_poll_ms = 100;
};

// Declares the `authz.*` keys.
void declare_config(core::ConfigSchema& schema);
// Reads them (after Config::load has checked them).
AuthzSettings settings_from_config(const core::Config& config);

}  // namespace registrar::authz
