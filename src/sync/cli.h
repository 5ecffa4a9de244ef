// `registrar sync ...`: machines (add with their public keys, list) and bulk import / export of
// master data (JSON lines or CSV), for initial loads. docs/sync.md has examples.
#pragma once

#include "app/module.h"

namespace registrar::sync {

void add_sync_commands(CLI::App& root, app::ServiceProvider& provider);

}  // namespace registrar::sync
