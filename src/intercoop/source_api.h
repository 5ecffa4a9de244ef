// The source side's API under /v1/intercoop: members (scope intercoop.scopes.admin) and the
// member's own transfers (scope intercoop.scopes.member, and the token's subject must be the
// member: a member acts only for themself). Errors as problem+json like the rest of /v1.
#pragma once

#include <string>

#include "http/router.h"
#include "intercoop/source_side.h"

namespace registrar::intercoop {

void add_source_routes(http::Router& router, SourceSide& side, const std::string& admin_scope,
                       const std::string& member_scope);

}  // namespace registrar::intercoop
