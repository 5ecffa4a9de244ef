// CLI verbs: registrar ids issue|validate|capacity.
#pragma once

#include "app/module.h"

namespace registrar::ids {

void add_ids_commands(CLI::App& root, app::ServiceProvider& provider);

}  // namespace registrar::ids
