#include "sync/mosip_selection.h"

#include <algorithm>

namespace registrar::sync {

std::vector<std::string> entity_scopes(const Entity& e, const MachineContext& m) {
  switch (e.scope) {
    case ScopeRule::kGlobal:
    case ScopeRule::kTemplateModule:
      return {""};
    case ScopeRule::kCentreField:
      return {"c:" + m.centre};
    case ScopeRule::kMachineId:
      return {"m:" + m.id};
    case ScopeRule::kLocationField:
      // MOSIP also asks the centre's lang_code to be the machine's; a machine has one centre,
      // and the centre's holidayLocationCode names the location whatever its language.
      if (m.holiday_location.empty()) return {};
      return {"l:" + m.holiday_location};
    case ScopeRule::kConfigLevel:  // configurations: served by /configs, not clientsettings
      return m.centre.empty() ? std::vector<std::string>{"", "m:" + m.id}
                              : std::vector<std::string>{"", "c:" + m.centre, "m:" + m.id};
  }
  return {};
}

std::vector<db::WindowQuery> client_settings_queries(const MachineContext& m, bool v2,
                                                     const std::vector<const Entity*>& full,
                                                     const SyncWindow& window,
                                                     const std::vector<const Entity*>& skip) {
  std::vector<db::WindowQuery> out;
  for (const Entity& e : catalogue()) {
    if (e.mosip_name.empty() || !(v2 ? e.in_v2 : e.in_v1)) continue;
    if (std::find(skip.begin(), skip.end(), &e) != skip.end()) continue;
    const bool whole = std::find(full.begin(), full.end(), &e) != full.end();
    const int64_t from = whole ? 0 : window.from_us;
    if (from > window.to_us) continue;  // a client that synced after the last boundary
    for (const auto& scope : entity_scopes(e, m)) {
      auto same = std::find_if(out.begin(), out.end(), [&](const db::WindowQuery& q) {
        return q.scope == scope && q.from_us == from;
      });
      if (same == out.end()) same = out.insert(out.end(), {scope, {}, from, window.to_us});
      same->entities.push_back(e.name);
    }
  }
  return out;
}

}  // namespace registrar::sync
