// MOSIP's sync handler routes other than clientsettings (spec mosip-ids-and-sync.md §6.1, §6.5;
// docs/sync.md "MOSIP routes"): configs, userdetails, the TPM public-key routes and
// latestidschema, and the entity files (mosip_snapshot.h), under /v1/syncdata with bearer scope
// `scope`. Errors are MOSIP's KER-SNC codes in the kernel envelope (HTTP 200); the /v1/syncdata
// error format (mosip::ErrorFormat) is registered by whoever owns the prefix.
#pragma once

#include <string>

#include "http/router.h"
#include "sync/mosip_snapshot.h"
#include "sync/service.h"

namespace registrar::sync {

// With the entity files of mosip_snapshot.h (signed and encrypted as `snapshots` says).
void add_mosip_routes(http::Router& router, SyncService& service, const std::string& scope,
                      SnapshotOptions snapshots);

}  // namespace registrar::sync
