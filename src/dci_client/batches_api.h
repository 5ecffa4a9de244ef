// Batch runs through HTTP (the console's CSV upload): POST /v1/dci/batches creates one check per
// registrant of a CSV or JSONL file and sends them; GET /v1/dci/batches/{id} tells the progress
// and the results, line by line. The same keys as `registrar dci check` (batch.h): a file
// posted again for the same source resumes rather than duplicates. docs/dci-client.md,
// "Batches through the API".
#pragma once

#include "dci_client/check_service.h"
#include "http/router.h"

namespace registrar::dci_client {

void add_batches_routes(http::Router& router, CheckService& checks);

}  // namespace registrar::dci_client
