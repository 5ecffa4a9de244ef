// `registrar ibr ...`: the trusted senders from the command line; `ibr seed` and `ibr dedup`
// (cli_seed.cpp).
#pragma once

#include "app/module.h"

namespace registrar::ibr {

void add_ibr_commands(CLI::App& root, app::ServiceProvider& provider);
// Adds `seed` and `dedup` under `ibr`.
void add_seed_commands(CLI::App& ibr, app::ServiceProvider& provider);

}  // namespace registrar::ibr
