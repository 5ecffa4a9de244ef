// Which rows a machine's clientsettings answer holds (docs/sync.md, "MOSIP clientsettings"; spec
// mosip-ids-and-sync.md §6.3), as the statements that select them. Pure: no I/O.
#pragma once

#include <string>
#include <vector>

#include "sync/catalogue.h"
#include "sync/mosip_window.h"
#include "sync/service.h"
#include "sync/store.h"

namespace registrar::sync {

// The scopes that hold an entity's rows for this machine (catalogue.h scope_of).
std::vector<std::string> entity_scopes(const Entity& e, const MachineContext& m);

// The statements for the entities clientsettings sends (v1's or v2's), over `window`; the
// entities in `full` over [0, window.to] instead (v2's fullSyncEntities). Entities that share a
// scope and a window share a statement: a handful of statements, not one per entity. The
// entities in `skip` are left out (v2's URL entries: their rows are in a file).
std::vector<db::WindowQuery> client_settings_queries(const MachineContext& m, bool v2,
                                                     const std::vector<const Entity*>& full,
                                                     const SyncWindow& window,
                                                     const std::vector<const Entity*>& skip = {});

}  // namespace registrar::sync
