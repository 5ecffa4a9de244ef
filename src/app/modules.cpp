// The one list of modules built into registrar. A new module adds its factory here.
#include "app/module.h"
#include "authz/module.h"
#include "identity/module.h"
#include "ids/module.h"

namespace registrar::app {

std::vector<std::unique_ptr<Module>> all_modules() {
  std::vector<std::unique_ptr<Module>> modules;
  modules.push_back(identity::make_module());
  modules.push_back(ids::make_module());
  modules.push_back(authz::make_authz_module());
  return modules;
}

}  // namespace registrar::app
