// `registrar dci sources add|list`: the data sources from the command line. CLI verbs get no
// module services, so no master key to seal with (app/cli_services.h): a secret given here is
// refused with a message that points to the admin API, unless a Sealing is in the registry.
#pragma once

#include "app/module.h"

namespace registrar::dci_client {

// The `dci` command shared by the module's parts (created by whichever part adds to it first).
CLI::App& dci_command(CLI::App& root);

void add_sources_commands(CLI::App& root, app::ServiceProvider& provider);

}  // namespace registrar::dci_client
