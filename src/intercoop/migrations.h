// Every migration of module intercoop, in order: what the module applies, and what tests migrate
// with, so that a test database never lags behind the module's.
#pragma once

#include <vector>

#include "store/migrations.h"

namespace registrar::intercoop {

std::vector<store::Migration> intercoop_migrations();

}  // namespace registrar::intercoop
