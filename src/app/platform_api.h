// The platform's own API for operators and the console: which modules this process serves and
// the audit log, paged on the server. Needs a bearer authenticator (the identity module): without
// one these routes are not added.
#pragma once

#include <string>
#include <vector>

#include "http/router.h"
#include "store/database.h"

namespace registrar::app {

struct PlatformApiSettings {
  std::string version;
  std::vector<std::string> modules;
  std::string audit_scope = "audit:read";  // audit.scope
};

// GET /v1/platform/info (any authenticated caller) and GET /v1/audit/events (audit_scope).
void add_platform_api(http::Router& router, store::Database& db, PlatformApiSettings settings);

}  // namespace registrar::app
