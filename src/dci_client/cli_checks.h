// `registrar dci checks list|run|retry` and `registrar dci check --source CODE FILE`.
#pragma once

#include <functional>
#include <memory>

#include "app/module.h"
#include "dci_client/seams.h"

namespace CLI {
class App;
}

namespace registrar::dci_client {

// Builds a SourceClient over the CLI's services (cli_source_client.h; tests may pass another);
// empty: `run` and `check` say so instead of sending.
using SourceClientFactory = std::function<std::unique_ptr<SourceClient>(app::Services&)>;

void add_checks_commands(CLI::App& root, app::ServiceProvider& provider,
                         SourceClientFactory make_client);

}  // namespace registrar::dci_client
