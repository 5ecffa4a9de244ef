// The master-data admin API under /v1/masterdata (bearer token with sync.scopes.admin; errors as
// problem+json): the entity catalogue, and per entity list (filters, paging), one row, create,
// create-or-replace (optionally at a version), soft delete, and bulk import / export as JSON
// lines. docs/sync.md lists them with examples.
#pragma once

#include <string>

#include "http/router.h"
#include "sync/service.h"

namespace registrar::sync {

void add_admin_routes(http::Router& router, SyncService& service, const std::string& scope);

}  // namespace registrar::sync
