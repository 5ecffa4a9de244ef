// The target side's admin API under /v1/intercoop (bearer token with the scope
// intercoop.scopes.admin; errors as problem+json): peers (list, add, one, enable / disable, the
// §4.1 descriptor out and in) and services (list, add, one). The CLI verbs do the same.
#pragma once

#include <string>

#include "http/router.h"
#include "intercoop/target_admin.h"

namespace registrar::intercoop {

void add_admin_routes(http::Router& router, TargetAdmin& admin, const std::string& scope);

}  // namespace registrar::intercoop
