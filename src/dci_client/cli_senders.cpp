#include "dci_client/cli_senders.h"

#include <CLI/CLI.hpp>

#include "dci/sender_admin.h"
#include "dci_client/cli_sources.h"
#include "dci_client/senders.h"

namespace registrar::dci_client {

void add_senders_commands(CLI::App& root, app::ServiceProvider& provider) {
  dci::add_sender_commands(dci_command(root), provider, {sender_table(), [](const core::Config& c) {
                                                           return read_senders_config(c).jwks;
                                                         }});
}

}  // namespace registrar::dci_client
