// GET /v1/sync/pull without HTTP (docs/sync.md, "Pull", "Machine moves"): a page of what changed
// in the machine's scopes after the client's cursor, with the catch-up of a machine whose scopes
// changed (pull_plan.h), read in one statement against the cached machine (machine_cache.h).
// Blocking (database): call from workers.
#pragma once

#include <string>
#include <string_view>

#include "sync/machine_cache.h"

namespace registrar::sync {

// {"changes": [...], "cursor": "...", "more": bool, "scopes": [...]}, at most `limit` changes.
// Throws core::Error: kInvalidArgument naming "cursor" (malformed, or beyond the server's last
// change); kUnauthenticated when the machine is gone, deleted or inactive, or its signing key
// changed since the cache entry that authenticated the request (sign again); kUnavailable when
// the machine kept changing during the pull (retry).
Json pull_changes(MachineCache& machines, const std::string& machine_id, std::string_view cursor,
                  int limit);

// Records the machine's current scopes when they are not its latest record's (a move), at a new
// number of the change sequence; nothing when they are.
void record_machine_scopes(SyncService& service, const std::string& machine_id);

}  // namespace registrar::sync
