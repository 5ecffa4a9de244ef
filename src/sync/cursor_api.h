// The exact change cursor (docs/sync.md, "Pull", "Push"): GET /v1/sync/pull and POST
// /v1/sync/push for registration machines authenticated by their signature (machine_auth.h).
// push_changes and cursor_pull.h's pull_changes are the routes' logic without HTTP, so that
// tests drive them directly; both block (database): call from workers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"
#include "http/router.h"
#include "sync/service.h"

namespace registrar::sync {

inline constexpr int kDefaultPullLimit = 1000;
inline constexpr int kMaxPullLimit = 5000;
inline constexpr size_t kMaxPushChanges = 500;

struct CursorSettings {
  int64_t machine_auth_skew_s = 300;
  // Entities (admin names) a machine may push.
  std::vector<std::string> push_entities = {"holidays", "registration_center_user_machines",
                                            "machines"};
};

void declare_cursor_config(core::ConfigSchema& schema);
CursorSettings read_cursor_settings(const core::Config& config);

// {"results": [...]}, one per change, each applied on its own. Throws core::Error
// (kInvalidArgument) naming the part of a malformed body.
Json push_changes(SyncService& service, const MachineContext& machine,
                  const std::vector<std::string>& entities, const Json& body);

// Registers the "sync-machine" authenticator and the two routes.
void add_cursor_routes(http::Router& router, SyncService& service, const CursorSettings& settings);

}  // namespace registrar::sync
