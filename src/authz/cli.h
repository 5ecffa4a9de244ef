// CLI verbs of the authz module: `registrar authz show <estate>`.
#pragma once

#include "app/module.h"

namespace registrar::authz {

void add_authz_commands(CLI::App& root, app::ServiceProvider& provider);

}  // namespace registrar::authz
