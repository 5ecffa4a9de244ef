// The one list of modules built into registrar. A new module adds its factory here.
#include "app/module.h"

namespace registrar::app {

std::vector<std::unique_ptr<Module>> all_modules() {
  std::vector<std::unique_ptr<Module>> modules;
  return modules;
}

}  // namespace registrar::app
