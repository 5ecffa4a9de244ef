// The operators' lists under /v1/intercoop (scope intercoop.scopes.admin), paged on the server
// for the console: the transfers this target received and every member's consent log. Both
// show field names, never the values: an operator sees what went where, the data stays with
// the member's own log and the target's service flow.
#pragma once

#include <string>

#include "http/router.h"
#include "store/database.h"

namespace registrar::intercoop {

void add_list_routes(http::Router& router, store::Database& db, const std::string& admin_scope);

}  // namespace registrar::intercoop
