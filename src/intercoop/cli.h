// `registrar intercoop peers import|add|list|disable|enable|export` and
// `registrar intercoop services add|list|disable|enable` (docs/intercoop.md).
#pragma once

#include "app/module.h"

namespace registrar::intercoop {

// Returns the `intercoop` command, for the source side's verbs (source_cli.h).
CLI::App* add_intercoop_commands(CLI::App& root, app::ServiceProvider& provider);

}  // namespace registrar::intercoop
