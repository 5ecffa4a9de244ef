#include "dci_client/module.h"

#include "core/error.h"
#include "core/log.h"
#include "dci/sender_admin.h"
#include "dci_client/answer_trust.h"
#include "dci_client/batches_api.h"
#include "dci_client/callback_api.h"
#include "dci_client/check_service.h"
#include "dci_client/check_store.h"
#include "dci_client/checks_api.h"
#include "dci_client/checks_config.h"
#include "dci_client/cli_checks.h"
#include "dci_client/cli_senders.h"
#include "dci_client/cli_source_client.h"
#include "dci_client/cli_sources.h"
#include "dci_client/config.h"
#include "dci_client/data_sources.h"
#include "dci_client/senders.h"
#include "dci_client/source_client.h"
#include "dci_client/sources_api.h"
#include "dci_client/sources_store.h"
#include "services/sealing.h"
#include "services/signing.h"

namespace registrar::dci_client {
namespace {

class DciClientModule final : public app::Module {
 public:
  std::string name() const override { return "dci_client"; }
  // identity: the key our requests are signed with (services::Signing), the sealing of data
  // sources' secrets (services::Sealing) and the bearer tokens of the admin routes.
  std::vector<std::string> dependencies() const override { return {"identity"}; }

  void declare_config(core::ConfigSchema& schema) const override {
    declare_dci_client_config(schema);
    declare_senders_config(schema);
    declare_checks_config(schema);
  }

  std::vector<store::Migration> migrations() const override {
    std::vector<store::Migration> all;
    all.push_back(sources_migration());         // v1: data sources
    all.push_back(senders_migration());         // v2: trusted IBR senders
    all.push_back(checks_migration());          // v3: duplication checks
    all.push_back(checks_indexes_migration());  // v4: partial indexes
    return all;
  }

  void start(app::Services& s) override {
    clock_ = &s.clock;
    settings_ = read_dci_client_config(s.config);
    sender_settings_ = read_senders_config(s.config);
    if (sender_settings_.allow_unsigned)
      log::warn("dci_client_allow_unsigned",
                {{"why",
                  "dci_client.allow_unsigned is on: unsigned IBR callbacks are accepted from any "
                  "sender_id. Development only."}});

    // Data sources and the client that posts to them (seams.h: SourceClient).
    sources_ = std::make_unique<DataSources>(s.db, s.clock, &s.registry.find<services::Sealing>());
    sources_->reload();
    client_ = HttpSourceClient::create(*sources_, s.registry.find<services::Signing>(),
                                       s.http_client, s.background, s.clock, settings_.client);
    client_->ensure_keys();
    // A source saved through the API gets its sender id's key (in our JWKS) at once.
    sources_->on_saved([client = client_.get()](const DataSource& d) { client->ensure_key(d); });
    // Another instance's change to the sources or senders reaches this one within the reload
    // interval.
    sources_reload_ = s.background.every(
        settings_.client.sources_reload,
        [sources = sources_.get()] {
          try {
            sources->reload();
          } catch (const std::exception& e) {
            log::warn("dci_client_sources_reload_failed", {{"error", core::loggable_message(e)}});
          }
        },
        settings_.client.sources_reload);

    // Trusted IBR senders: whose callbacks we accept.
    senders_ = std::make_unique<dci::TrustedSenders>(s.db, s.clock, sender_table());
    senders_->reload();
    senders_reload_ = s.background.every(
        sender_settings_.reload,
        [senders = senders_.get()] {
          try {
            senders->reload();
          } catch (const std::exception& e) {
            log::warn("dci_client_senders_reload_failed", {{"error", core::loggable_message(e)}});
          }
        },
        sender_settings_.reload);
    sender_keys_ = std::make_unique<dci::SenderKeys>(s.http_client, s.db, s.clock,
                                                     sender_settings_.jwks, sender_table());
    // One §7.8 decision for callbacks (the route's authenticator) and sync answers (the trust).
    callback_auth_ = make_callback_authenticator(*senders_, sender_keys_.get(), s.clock,
                                                 sender_settings_.allow_unsigned);
    answer_trust_ = std::make_unique<SignedAnswerTrust>(*sources_, callback_auth_);

    // Duplication checks: sent through client_, completed by callbacks (the CallbackSink).
    checks_ = std::make_unique<CheckService>(s.db, s.clock, s.background, client_.get(),
                                             read_checks_config(s.config), answer_trust_.get());
    checks_->start_sweeper();
  }

  void add_routes(http::Router& router) override {
    router.set_tag("dci_client");
    add_sources_routes(router, *sources_, settings_.admin_scope);
    router.add_authenticator(kCallbackAuthenticator, callback_auth_);
    add_callback_routes(router, *checks_, *clock_, kCallbackAuthenticator);
    add_checks_routes(router, *checks_);
    add_batches_routes(router, *checks_);
    dci::add_sender_admin_routes(router, "/v1/dci/senders", sender_settings_.admin_scope, *senders_,
                                 *sender_keys_);
  }

  // Every active data source (an IBR we send searches to) answers at its base URL.
  void doctor(const app::DoctorContext& ctx, app::DoctorReport& report) const override {
    if (!ctx.db || !ctx.schema_current) return;
    auto sources = ctx.db->read([](soci::session& s) { return db::all_sources(s); });
    for (const auto& d : sources)
      if (d.active) report.reachable("dci source " + d.code, d.base_url, {}, d.verify_tls);
  }

  void add_commands(CLI::App& root, app::ServiceProvider& provider) override {
    add_sources_commands(root, provider);
    add_senders_commands(root, provider);
    add_checks_commands(root, provider, make_cli_source_client);
  }

  void stop() override {
    // Checks first: answers still arriving are handed to them.
    if (checks_) checks_->stop();
    senders_reload_.cancel();
    sources_reload_.cancel();
    if (client_) client_->stop();
  }

 private:
  const core::Clock* clock_ = nullptr;
  DciClientSettings settings_;
  SenderSettings sender_settings_;
  std::unique_ptr<DataSources> sources_;
  std::shared_ptr<HttpSourceClient> client_;
  std::unique_ptr<dci::TrustedSenders> senders_;
  std::unique_ptr<dci::SenderKeys> sender_keys_;
  std::shared_ptr<dci::SignatureAuthenticator> callback_auth_;
  std::unique_ptr<SignedAnswerTrust> answer_trust_;
  // Also the CallbackSink the callback routes hand verified on-search callbacks to.
  std::unique_ptr<CheckService> checks_;
  core::Job sources_reload_;
  core::Job senders_reload_;
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<DciClientModule>();
}

}  // namespace registrar::dci_client
