// The one list of modules built into registrar. A new module adds its factory here (and its
// folder to the module list in src/CMakeLists.txt); the order does not matter, App starts them
// by their dependencies(). A module left out with -DREGISTRAR_SKIP_MODULES is not compiled in.
#include "app/module.h"
#ifdef REGISTRAR_WITH_AUTHZ
#include "authz/module.h"
#endif
#ifdef REGISTRAR_WITH_DCI_CLIENT
#include "dci_client/module.h"
#endif
#ifdef REGISTRAR_WITH_IBR
#include "ibr/module.h"
#endif
#ifdef REGISTRAR_WITH_IDENTITY
#include "identity/module.h"
#endif
#ifdef REGISTRAR_WITH_IDS
#include "ids/module.h"
#endif
#ifdef REGISTRAR_WITH_INTERCOOP
#include "intercoop/module.h"
#endif
#ifdef REGISTRAR_WITH_SYNC
#include "sync/module.h"
#endif

namespace registrar::app {

std::vector<std::unique_ptr<Module>> all_modules() {
  std::vector<std::unique_ptr<Module>> modules;
#ifdef REGISTRAR_WITH_IDENTITY
  modules.push_back(identity::make_module());
#endif
#ifdef REGISTRAR_WITH_IDS
  modules.push_back(ids::make_module());
#endif
#ifdef REGISTRAR_WITH_AUTHZ
  modules.push_back(authz::make_module());
#endif
#ifdef REGISTRAR_WITH_IBR
  modules.push_back(ibr::make_module());
#endif
#ifdef REGISTRAR_WITH_DCI_CLIENT
  modules.push_back(dci_client::make_module());
#endif
#ifdef REGISTRAR_WITH_INTERCOOP
  modules.push_back(intercoop::make_module());
#endif
#ifdef REGISTRAR_WITH_SYNC
  modules.push_back(sync::make_module());
#endif
  return modules;
}

}  // namespace registrar::app
