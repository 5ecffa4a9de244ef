// The checks' admin API under /v1/dci/checks (bearer scopes from CheckSettings; errors as
// problem+json). docs/dci-client.md "Duplication checks" describes each route.
#pragma once

#include "dci_client/check_service.h"
#include "http/router.h"

namespace registrar::dci_client {

void add_checks_routes(http::Router& router, CheckService& checks);

}  // namespace registrar::dci_client
