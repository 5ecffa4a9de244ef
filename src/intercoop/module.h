// The intercoop module's target side (issue 15, docs/intercoop.md): peers and services, the
// /intercoop routes that receive signed 1.0 packages, the continuation page, and the purge of
// expired transfers. Config keys under intercoop.*; CLI verbs under `registrar intercoop`.
#pragma once

#include <memory>

#include "app/module.h"

namespace registrar::intercoop {

std::unique_ptr<app::Module> make_module();

}  // namespace registrar::intercoop
