// Routes every registrar serves regardless of modules: health, readiness, metrics, API document.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "http/router.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::app {

// `openapi` is the document /openapi.yaml serves: routes are still being added when these are,
// so the caller writes it once every route is in and before the server starts. `internal` gets
// /readyz and /metrics: `router` itself, or the router of the admin listener
// (server.admin_listen), which then also gets a /healthz of its own.
// `actuator_bases`: Spring service bases (Module::actuator_bases) whose <base>/actuator/health
// `router` answers as an alias of /readyz in Spring's shape: {"status":"UP"} 200 or
// {"status":"DOWN"} 503, public like /readyz (no details: those stay on /readyz).
void add_builtin_routes(http::Router& router, http::Router& internal, store::Database& db,
                        std::vector<store::ModuleSchema> schemas, core::Metrics& metrics,
                        std::shared_ptr<const std::string> openapi,
                        const std::vector<std::string>& actuator_bases = {});

}  // namespace registrar::app
