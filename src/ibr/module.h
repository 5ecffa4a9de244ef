// The ibr module: an Integrated Beneficiary Registry over SPDCI DCI (docs/ibr.md). Config keys
// under ibr.*.
#pragma once

#include <memory>

#include "app/module.h"

namespace registrar::ibr {

std::unique_ptr<app::Module> make_module();

}  // namespace registrar::ibr
