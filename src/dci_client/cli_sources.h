// `registrar dci sources add|list`: the data sources from the command line. `add` starts identity
// (app::ServiceProvider::started) so that secrets are sealed with the master key as the API does.
#pragma once

#include "app/module.h"

namespace registrar::dci_client {

// The `registrar dci` command the module's verbs go under (created on first use).
CLI::App& dci_command(CLI::App& root);

void add_sources_commands(CLI::App& root, app::ServiceProvider& provider);

}  // namespace registrar::dci_client
