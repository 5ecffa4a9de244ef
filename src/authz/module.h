// The authz module: who may act for whom in an estate (oed-authz compatible). Declares the
// `authz.*` configuration, the migrations, builds the AuthzService at start, and adds its routes
// (api.h) and CLI verbs (cli.h).
#pragma once

#include <memory>

#include "app/module.h"
#include "authz/batcher.h"
#include "authz/change_follower.h"
#include "authz/estate_cache.h"
#include "authz/service.h"

namespace registrar::authz {

class AuthzModule final : public app::Module {
 public:
  std::string name() const override { return "authz"; }
  // Its lookup routes authenticate with identity's bearer tokens.
  std::vector<std::string> dependencies() const override { return {"identity"}; }
  void declare_config(core::ConfigSchema& schema) const override;
  std::vector<store::Migration> migrations() const override;
  void start(app::Services& services) override;
  void add_routes(http::Router& router) override;
  void add_commands(CLI::App& root, app::ServiceProvider& provider) override;
  void stop() override;

  // The service built by start(); null before.
  AuthzService* service() { return service_.get(); }

 private:
  std::unique_ptr<AuthzService> service_;
  std::unique_ptr<EstateCache> cache_;  // null when authz.pip_cache_estates = 0
  std::unique_ptr<ChangeFollower> follower_;
  std::unique_ptr<LookupBatcher> batcher_;
};

std::unique_ptr<app::Module> make_module();

}  // namespace registrar::authz
