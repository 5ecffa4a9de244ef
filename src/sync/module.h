// The sync module (issue 16, docs/sync.md): master data for registration clients. The entity
// store and its admin API under /v1/masterdata, machines and their keys, MOSIP's sync handler
// routes under /v1/syncdata, and the exact change cursor under /v1/sync. Config keys under
// sync.*; CLI verbs under `registrar sync`.
#pragma once

#include <memory>

#include "app/module.h"

namespace registrar::sync {

std::unique_ptr<app::Module> make_module();

}  // namespace registrar::sync
