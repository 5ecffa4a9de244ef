#include "dci_client/cli_senders.h"

#include <CLI/CLI.hpp>

#include "dci/sender_admin.h"
#include "dci_client/senders.h"

namespace registrar::dci_client {

void add_senders_commands(CLI::App& root, app::ServiceProvider& provider) {
  // The module's three parts each add verbs under `registrar dci`: the first one creates it.
  auto named = root.get_subcommands([](CLI::App* a) { return a->get_name() == "dci"; });
  CLI::App* dci = named.empty() ? nullptr : named.front();
  if (!dci) {
    dci = root.add_subcommand("dci", "DCI client: duplication checks against external IBRs.");
    dci->require_subcommand(1);
  }
  dci::add_sender_commands(*dci, provider, {sender_table(), [](const core::Config& c) {
                                              return read_senders_config(c).jwks;
                                            }});
}

}  // namespace registrar::dci_client
