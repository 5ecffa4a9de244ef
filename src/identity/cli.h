// CLI verbs of the identity module: keys, clients, users, token.
#pragma once

#include "app/module.h"

namespace registrar::identity {

void add_identity_commands(CLI::App& root, app::ServiceProvider& provider);

}  // namespace registrar::identity
