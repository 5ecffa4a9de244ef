#include "authz/report.h"

#include <algorithm>

namespace registrar::authz {

const char* rule_name(CollectiveReason::Rule rule) {
  return rule == CollectiveReason::Rule::kAllProbateHeirs ? "all_probate_heirs"
                                                          : "all_other_probate_heirs";
}

Json collective_reason_json(const CollectiveReason& reason) {
  return {{"kind", "collective"},
          {"recipient", reason.recipient},
          {"rule", rule_name(reason.rule)},
          {"granted_by", reason.granted_by},
          {"description", reason.describe()}};
}

namespace {

Json reason_of(const Assignment& a, const EstateReport& r, const RoleVocabulary& roles) {
  if (a.role == roles.individual_proxy)
    return {{"kind", "individual"}, {"granted_by", a.heir ? Json(*a.heir) : Json(nullptr)}};
  if (a.role == roles.collective_proxy) {
    auto it = std::find_if(r.collective.begin(), r.collective.end(),
                           [&](const CollectiveReason& c) { return c.recipient == a.recipient; });
    if (it != r.collective.end()) return collective_reason_json(*it);
    return {{"kind", "collective"},
            {"recipient", a.recipient},
            {"rule", nullptr},
            {"granted_by", Json::array()},
            {"description",
             "no longer eligible under the collective rule (revoked at the next change of the "
             "estate)"}};
  }
  if (roles.is_court_role(a.role)) return {{"kind", "court"}};
  return {{"kind", "other"}};
}

}  // namespace

Json estate_report_json(const EstateReport& r, const RoleVocabulary& roles) {
  Json role_rows = Json::array(), proxy_rows = Json::array(), pending = Json::array();
  for (const auto& a : r.rows) {
    Json row = {{"recipient", a.recipient},
                {"role", a.role},
                {"created", format_created(a.created)},
                {"justification", a.justification},
                {"reason", reason_of(a, r, roles)}};
    (roles.is_proxy_role(a.role) ? proxy_rows : role_rows).push_back(std::move(row));
  }
  for (const auto& c : r.collective) {
    bool held = std::any_of(r.rows.begin(), r.rows.end(), [&](const Assignment& a) {
      return a.role == roles.collective_proxy && a.recipient == c.recipient;
    });
    if (!held) pending.push_back(collective_reason_json(c));
  }
  Json cursors = Json::array();
  for (const auto& [type, time] : r.cursors)
    cursors.push_back({{"type", type}, {"last_processed", format_created(time)}});
  // The codes a client needs to act on the report (the individual proxy is what proxies/add
  // takes; probate certificate holders are the heirs who may grant it).
  Json vocabulary = {{"probate_certificate", roles.probate_certificate},
                     {"individual_proxy", roles.individual_proxy},
                     {"collective_proxy", roles.collective_proxy}};
  return {{"estate", r.estate},
          {"vocabulary", std::move(vocabulary)},
          {"roles", std::move(role_rows)},
          {"proxies", std::move(proxy_rows)},
          {"pending", std::move(pending)},
          {"cursors", std::move(cursors)}};
}

}  // namespace registrar::authz
