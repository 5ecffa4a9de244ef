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
  return authz_migrations();
}

void AuthzModule::start(app::Services& services) {
  service_ = std::make_unique<AuthzService>(services.db, services.clock,
                                            settings_from_config(services.config));
  const AuthzSettings& settings = service_->settings();
  if (settings.pip_cache_estates > 0) {
    cache_ = std::make_unique<EstateCache>(size_t(settings.pip_cache_estates), &services.metrics);
    // Local writes evict at once (read-your-writes); the follower brings other instances' ones.
    service_->set_change_listener([cache = cache_.get()](const std::vector<std::string>& estates) {
      for (const auto& e : estates) cache->evict(e);
    });
    follower_ = std::make_unique<ChangeFollower>(services.db, *cache_,
                                                 std::chrono::milliseconds(settings.change_poll_ms),
                                                 &services.metrics, &services.background);
    services.metrics.gauge("registrar_authz_pip_cache_estates", "Estates in the PIP cache.",
                           [cache = cache_.get()] { return double(cache->size()); });
    services.metrics.gauge(
        "registrar_authz_pip_cache_fresh",
        "1 while the PIP cache answers (the change feed was polled recently), else 0.",
        [cache = cache_.get()] {
          return cache->fresh(std::chrono::steady_clock::now()) ? 1.0 : 0.0;
        });
  }
  batcher_ = std::make_unique<LookupBatcher>(*service_, services.background, settings.pip_threads,
                                             size_t(settings.pip_max_batch), cache_.get());
}

void AuthzModule::add_routes(http::Router& router) {
  add_authz_routes(router, *service_, *batcher_, cache_.get());
}

// The cache itself stays until the module goes: the metrics gauges read it.
void AuthzModule::stop() {
  batcher_.reset();
  follower_.reset();
}

void AuthzModule::add_commands(CLI::App& root, app::ServiceProvider& provider) {
  add_authz_commands(root, provider);
}

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<AuthzModule>();
}

}  // namespace registrar::authz
