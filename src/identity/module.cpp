#include "identity/module.h"

#include <unistd.h>

#include "core/error.h"
#include "crypto/signature.h"
#include "identity/accounts.h"
#include "identity/admin_api.h"
#include "identity/authenticator.h"
#include "identity/challenges.h"
#include "identity/cli.h"
#include "identity/config.h"
#include "identity/keystore.h"
#include "identity/module_keys.h"
#include "identity/oauth_api.h"
#include "identity/provided.h"
#include "identity/revocation.h"
#include "identity/revocation_api.h"
#include "identity/store.h"
#include "identity/tokens.h"

namespace registrar::identity {

IdentityServices::~IdentityServices() = default;

std::unique_ptr<IdentityServices> build_identity(app::Services& s) {
  IdentityConfig c = read_identity_config(s.config);
  auto out = std::make_unique<IdentityServices>();
  MasterKey master = MasterKey::load(c.master_key, c.master_key_file, c.create_master_key);
  out->keys = std::make_unique<KeyStore>(s.db, s.clock, std::move(master), c.keys);
  out->revocations = std::make_unique<Revocations>(s.db, s.clock, c.revocation);
  out->accounts = std::make_unique<Accounts>(s.db, s.clock, c.hash_cost, c.login);
  out->accounts->set_revocations(out->revocations.get());
  out->tokens = std::make_unique<TokenService>(*out->keys, s.clock, c.tokens, &s.metrics);
  out->tokens->set_revocations(out->revocations.get());
  // A key retired on another instance (or by the CLI): stop signing with it here too.
  out->revocations->on_keys_changed([keys = out->keys.get()] { keys->reload(); });
  out->challenges = std::make_unique<ChallengeService>(s.db, s.clock, c.challenges);
  out->module_keys =
      std::make_unique<ModuleKeys>(s.db, s.clock, out->keys->master_key(), *out->keys);
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
    identity_->module_keys->load();
    // From here on no request waits for the database or an issuer to learn a key.
    identity_->keys->refresh_in_background(services.background);
    identity_->revocations->reload();
    identity_->revocations->refresh_in_background(services.background);
    identity_->tokens->refresh_in_background(services.background, services.http_client);
    authenticator_ = std::make_shared<BearerAuthenticator>(*identity_->tokens);
    sealing_ = std::make_unique<MasterKeySealing>(identity_->keys->master_key());
    authentication_ =
        std::make_unique<AccountAuthentication>(*identity_->accounts, *identity_->tokens);
    services.registry.provide<services::Signing>(*identity_->module_keys, name());
    services.registry.provide<services::Sealing>(*sealing_, name());
    services.registry.provide<services::Authentication>(*authentication_, name());
  }

  void add_routes(http::Router& router) override {
    router.add_authenticator(http::kBearerAuthenticator, authenticator_);
    add_oauth_routes(router, *identity_->accounts, *identity_->tokens, *identity_->module_keys,
                     config_.public_clients);
    add_revocation_routes(router, *identity_->accounts, *identity_->tokens, *identity_->revocations,
                          config_.admin_scope);
    add_admin_routes(router, *identity_->accounts, *identity_->keys, config_.admin_scope);
    add_challenge_routes(router, *identity_->challenges, *identity_->accounts, *identity_->tokens,
                         config_.challenges);
  }

  void add_commands(CLI::App& root, app::ServiceProvider& provider) override {
    add_identity_commands(root, provider);
  }

  // The master key (whoever reads it opens every sealed key) and the trusted issuers' key sets.
  void doctor(const app::DoctorContext& ctx, app::DoctorReport& report) const override {
    IdentityConfig c = read_identity_config(ctx.config);
    if (!c.master_key.empty()) {
      report.ok("identity.master_key", "given by the configuration or the environment");
    } else if (::access(c.master_key_file.c_str(), F_OK) == 0) {
      report.secret_file("identity.master_key_file", c.master_key_file);
    } else if (c.create_master_key) {
      report.warn("identity.master_key_file",
                  c.master_key_file +
                      ": does not exist yet; `serve` creates it (back it up with "
                      "the database: one is useless without the other)");
    } else {
      report.fail("identity.master_key_file", c.master_key_file + ": does not exist");
    }
    for (const auto& t : c.tokens.trusted)
      report.reachable("identity issuer " + t.issuer, t.jwks_url, t.ca_file);
  }

  void stop() override {
    if (!identity_) return;
    identity_->tokens->stop_refresh();
    identity_->revocations->stop_refresh();
    identity_->keys->stop_refresh();
  }

 private:
  IdentityConfig config_;
  std::unique_ptr<IdentityServices> identity_;
  std::shared_ptr<BearerAuthenticator> authenticator_;
  std::unique_ptr<MasterKeySealing> sealing_;
  std::unique_ptr<AccountAuthentication> authentication_;
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<IdentityModule>();
}

}  // namespace registrar::identity
