// The baseline: the same rows in PostgreSQL, shaped as MOSIP keeps them (spec §6.4: one row per
// entity row with lang_code, regcntr_id and the audit sextet cr_by, cr_dtimes, upd_by,
// upd_dtimes, is_deleted, del_dtimes), queried as MOSIP's sync handler queries them (§6.3: one
// SELECT per entity, the three BETWEENs plus the entity's scoping). For brevity one table with an
// entity_name column stands for MOSIP's per-entity tables; its primary key (entity_name, id,
// lang_code) and an index (entity_name, regcntr_id) stand for their keys (MOSIP's centre mapping
// tables are keyed by regcntr_id first). Like MOSIP's tables it has no index on the *_dtimes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sync/store.h"
#include "workload.h"

namespace registrar::sync_bench {

// Loads every row of `shape` (batch b created at t0_us + b seconds, as the registrar's loader
// writes them), then applies `changes` at t1_us. Returns the load's seconds. Throws
// std::runtime_error on a PostgreSQL error.
double load_mosip_baseline(const std::string& pg_url, const Shape& shape, size_t batch,
                           const MachineKeys& keys, int64_t t0_us,
                           const std::vector<sync::RowWrite>& changes, int64_t t1_us);

// One client sync as MOSIP runs it (clientsettings' v1 entities, centre 0's machine), as a pgbench
// script (one transaction = one sync): the window [from_us, to_us].
std::string mosip_sync_script(int64_t from_us, int64_t to_us);

}  // namespace registrar::sync_bench
