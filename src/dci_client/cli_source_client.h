// The SourceClient a CLI verb sends with (`registrar dci checks run`, `registrar dci check`):
// the data sources read from the database, identity's signing keys (the verb starts identity:
// app::ServiceProvider::started) and the CLI's HTTP client and Background.
#pragma once

#include <memory>

#include "app/module.h"
#include "dci_client/seams.h"

namespace registrar::dci_client {

// Throws core::Error when identity is not started in `services` (no signing key to sign with).
std::unique_ptr<SourceClient> make_cli_source_client(app::Services& services);

}  // namespace registrar::dci_client
