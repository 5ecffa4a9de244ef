#include "authz/module.h"

#include "authz/api.h"
#include "authz/cli.h"
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
  const AuthzSettings& settings = service_->settings();
  batcher_ = std::make_unique<LookupBatcher>(*service_, settings.pip_threads,
                                             size_t(settings.pip_max_batch));
}

void AuthzModule::add_routes(http::Router& router) {
  add_authz_routes(router, *service_, *batcher_);
}

void AuthzModule::add_commands(CLI::App& root, app::ServiceProvider& provider) {
  add_authz_commands(root, provider);
}

std::unique_ptr<app::Module> make_authz_module() {
  return std::make_unique<AuthzModule>();
}

}  // namespace registrar::authz
