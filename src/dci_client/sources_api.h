// The data-source administration API under /v1/dci/sources (bearer scope dci_client.scopes.admin,
// RFC 9457 problems): create, list, get, replace (PUT), set the state, activate, deactivate,
// delete. Secrets go in and never come out: a source shows only whether each one is set.
#pragma once

#include <string>

#include "dci_client/data_sources.h"
#include "http/router.h"

namespace registrar::dci_client {

void add_sources_routes(http::Router& router, DataSources& sources, const std::string& scope);

}  // namespace registrar::dci_client
