// `registrar ibr ...`: the trusted senders from the command line.
#pragma once

#include "app/module.h"

namespace registrar::ibr {

void add_ibr_commands(CLI::App& root, app::ServiceProvider& provider);

}  // namespace registrar::ibr
