#include "authz/module.h"

#include "authz/store.h"
#include "authz/vocabulary.h"

namespace registrar::authz {

void AuthzModule::declare_config(core::ConfigSchema& schema) const {
  authz::declare_config(schema);
}

std::vector<store::Migration> AuthzModule::migrations() const {
  return db::migrations();
}

void AuthzModule::start(app::Services& services) {
  service_ = std::make_unique<AuthzService>(services.db, services.clock,
                                            settings_from_config(services.config));
}

std::unique_ptr<app::Module> make_authz_module() {
  return std::make_unique<AuthzModule>();
}

}  // namespace registrar::authz
