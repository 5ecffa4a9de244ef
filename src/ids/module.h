// The ids module: identifier issuance and validation (MOSIP kernel ID generator / validator
// compatible). See docs in src/ids/*.h; config keys under ids.*.
#pragma once

#include <memory>

#include "app/module.h"

namespace registrar::ids {

std::unique_ptr<app::Module> make_module();

}  // namespace registrar::ids
