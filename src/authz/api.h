// HTTP routes of the authz module, with the paths, shapes and status codes of oed-authz:
//   POST /api/v1/eventhandler?auth=<secret>            CloudEvents 1.0; 200 empty body
//   POST /api/v1/authorization/proxies/add             internal scope; 201 {"proxyAssignments"}
//   POST /api/v1/authorization/proxies/remove          internal scope; 204
//   POST /api/v1/authorization/roles/search            lookup scope;   200 {"roleAssignments"}
//   POST /api/v1/authorization/proxies/search          lookup scope;   200 {"proxyAssignments"}
//   POST /api/v1/pip                                   internal scope; 200 {"roleAssignments"}
// Parsing and response shapes live in model.h; the handlers only glue them to the service.
#pragma once

#include "authz/batcher.h"
#include "authz/estate_cache.h"
#include "authz/service.h"
#include "http/router.h"

namespace registrar::authz {

// The PIP is answered from `cache` when it has the estate (null: no cache), else through
// `batcher` (its route completes asynchronously).
void add_authz_routes(http::Router& router, AuthzService& service, LookupBatcher& batcher,
                      EstateCache* cache);

}  // namespace registrar::authz
