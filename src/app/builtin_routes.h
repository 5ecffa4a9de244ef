// Routes every registrar serves regardless of modules: health, readiness, metrics, API document.
#pragma once

#include <vector>

#include "core/metrics.h"
#include "http/router.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::app {

void add_builtin_routes(http::Router& router, store::Database& db,
                        std::vector<store::ModuleSchema> schemas, core::Metrics& metrics);

}  // namespace registrar::app
