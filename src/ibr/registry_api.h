// The registry as operators read it (the console's IBR page): stored enrollments filtered and
// paged on the server, one beneficiary, and its duplicate candidates, under /v1/ibr/enrollments
// with the bearer scope ibr.scopes.admin and problem+json errors. docs/ibr.md, "Reading the
// registry".
#pragma once

#include <string>

#include "http/router.h"
#include "ibr/beneficiary_index.h"
#include "store/database.h"

namespace registrar::ibr {

void add_registry_view_routes(http::Router& router, store::Database& db, BeneficiaryIndex& index,
                              const std::string& scope);

}  // namespace registrar::ibr
