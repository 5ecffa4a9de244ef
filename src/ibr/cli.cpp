#include "ibr/cli.h"

#include <CLI/CLI.hpp>

#include "dci/sender_admin.h"
#include "ibr/config.h"
#include "ibr/senders.h"

namespace registrar::ibr {

void add_ibr_commands(CLI::App& root, app::ServiceProvider& provider) {
  auto* ibr = root.add_subcommand("ibr", "Integrated Beneficiary Registry (DCI).");
  ibr->require_subcommand(1);
  add_seed_commands(*ibr, provider);
  dci::add_sender_commands(*ibr, provider, {ibr_sender_table(), [](const core::Config& c) {
                                              return read_ibr_config(c).jwks;
                                            }});
}

}  // namespace registrar::ibr
