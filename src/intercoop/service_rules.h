// A target service's rules beyond its required fields (issue 15; docs/intercoop.md "Service
// rules"): which members may use it (their roles, where they live) and how often (per member and
// per peer, in a sliding window). Pure: the receiver applies them in its batch transaction and
// counts earlier transfers through target_store (db::count_limited).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "intercoop/yaml_scalar.h"

namespace registrar::intercoop {

// A payload field whose text must equal one of `values` (ASCII case-insensitive: `ES`, `es`) or
// start with one of `prefixes` (postal codes: "08" for Barcelona).
struct AvailabilityRule {
  std::string field;
  std::vector<std::string> values;
  std::vector<std::string> prefixes;
};

struct ServiceLimits {
  int64_t per_member = 0;  // accepted transfers of one member (originpeer + member_key); 0: none
  int64_t per_peer = 0;    // accepted transfers from one peer; 0: none
  int64_t window_s = 86'400;
  bool any() const { return per_member > 0 || per_peer > 0; }
};

struct ServiceRules {
  std::vector<std::string> roles;  // the payload's `peerroles` must name one; empty: any
  std::vector<AvailabilityRule> availability;  // every rule must pass
  ServiceLimits limits;
};

// Why a payload may not use the service: the field and the value found ("" when absent).
struct Unavailable {
  std::string field;
  std::string value;
};
// The first rule the payload fails (roles first), or nullopt. A rule's field the payload lacks
// fails with value "".
std::optional<Unavailable> unavailable_for(const yaml::Value& payload, const ServiceRules& rules);

// Who "a member" is for per-member limits: the payload's `innerid` (the member number at the
// source), else its `nif`, as text; nullopt when it has neither.
std::optional<std::string> member_key(const yaml::Value& payload);

// The rules as stored and as the admin API shows them:
// {"roles": [...], "availability": [{"field", "values", "prefixes"}],
//  "limits": {"per_member", "per_peer", "window_s"}}; empty parts are left out.
yaml::Value rules_to_json(const ServiceRules& rules);
// Throws core::Error(kInvalidArgument) naming the part ("roles", "availability",
// "limits.window_s", ...) that is malformed. Null or absent parts keep their defaults.
ServiceRules rules_from_json(const yaml::Value& json);

}  // namespace registrar::intercoop
