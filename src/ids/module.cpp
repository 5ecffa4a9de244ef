#include "ids/module.h"

#include "ids/api.h"
#include "ids/cli.h"
#include "ids/config.h"
#include "ids/service.h"
#include "ids/store.h"

namespace registrar::ids {

namespace {

class IdsModule : public app::Module {
 public:
  std::string name() const override { return "ids"; }
  void declare_config(core::ConfigSchema& schema) const override { declare_ids_config(schema); }
  std::vector<store::Migration> migrations() const override { return ids_migrations(); }

  void start(app::Services& s) override {
    // read_ids_config validates every policy: one that admits no ID refuses the start.
    service_ = std::make_unique<IdsService>(read_ids_config(s.config), s.db, s.clock, s.background,
                                            &s.metrics);
  }

  void add_routes(http::Router& router) override {
    add_ids_routes(router, *service_);
    add_mosip_routes(router, *service_);
  }

  void add_commands(CLI::App& root, app::ServiceProvider& provider) override {
    add_ids_commands(root, provider);
  }

  void stop() override {
    if (service_) service_->stop();
  }

 private:
  std::unique_ptr<IdsService> service_;
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<IdsModule>();
}

}  // namespace registrar::ids
