// `registrar intercoop peers import|add|list|disable|enable|export` and
// `registrar intercoop services add|list|disable|enable` (docs/intercoop.md).
#pragma once

#include "app/module.h"

namespace registrar::intercoop {

void add_intercoop_commands(CLI::App& root, app::ServiceProvider& provider);

}  // namespace registrar::intercoop
