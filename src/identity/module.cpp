#include "identity/module.h"

#include "core/error.h"
#include "crypto/signature.h"
#include "identity/accounts.h"
#include "identity/authenticator.h"
#include "identity/challenges.h"
#include "identity/cli.h"
#include "identity/config.h"
#include "identity/keystore.h"
#include "identity/oauth_api.h"
#include "identity/store.h"
#include "identity/tokens.h"

namespace registrar::identity {

IdentityServices::~IdentityServices() = default;

std::unique_ptr<IdentityServices> build_identity(app::Services& s) {
  IdentityConfig c = read_identity_config(s.config);
  auto out = std::make_unique<IdentityServices>();
  MasterKey master = MasterKey::load(c.master_key, c.master_key_file, c.create_master_key);
  out->keys = std::make_unique<KeyStore>(s.db, s.clock, std::move(master), c.keys);
  out->accounts = std::make_unique<Accounts>(s.db, s.clock, c.hash_cost);
  out->tokens = std::make_unique<TokenService>(*out->keys, s.clock, c.tokens, &s.metrics);
  out->challenges = std::make_unique<ChallengeService>(s.db, s.clock, c.challenges);
  return out;
}

namespace {

class IdentityModule : public app::Module {
 public:
  std::string name() const override { return "identity"; }
  void declare_config(core::ConfigSchema& schema) const override {
    declare_identity_config(schema);
  }
  std::vector<store::Migration> migrations() const override { return identity_migrations(); }

  void start(app::Services& services) override {
    config_ = read_identity_config(services.config);
    identity_ = build_identity(services);
    identity_->keys->ensure_signing_key();
    authenticator_ = std::make_shared<BearerAuthenticator>(*identity_->tokens);
  }

  void add_routes(http::Router& router) override {
    add_oauth_routes(router, *identity_->accounts, *identity_->tokens);
    add_challenge_routes(router, *identity_->challenges, *identity_->accounts, *identity_->tokens,
                         config_.challenges);
  }

  std::shared_ptr<http::Authenticator> authenticator() override { return authenticator_; }

  void add_commands(CLI::App& root, app::ServiceProvider& provider) override {
    add_identity_commands(root, provider);
  }

 private:
  IdentityConfig config_;
  std::unique_ptr<IdentityServices> identity_;
  std::shared_ptr<BearerAuthenticator> authenticator_;
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<IdentityModule>();
}

}  // namespace registrar::identity
