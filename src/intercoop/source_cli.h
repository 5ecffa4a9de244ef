// The source side's CLI verbs under `registrar intercoop`: `descriptor` (ours, for a peer's
// operator), `members import FILE.csv`, `members list`, and `peers services add|list` (what a
// remote peer's services need, when its descriptor does not say).
#pragma once

#include "app/module.h"

namespace registrar::intercoop {

void add_source_commands(CLI::App& intercoop, app::ServiceProvider& provider);

}  // namespace registrar::intercoop
