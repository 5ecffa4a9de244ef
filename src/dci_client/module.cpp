#include "dci_client/module.h"

#include "core/log.h"
#include "dci/sender_admin.h"
#include "dci_client/callback_api.h"
#include "dci_client/cli_senders.h"
#include "dci_client/senders.h"

namespace registrar::dci_client {
namespace {

class DciClientModule final : public app::Module {
 public:
  std::string name() const override { return "dci_client"; }
  // identity: the key our requests are signed with (services::Signing), the sealing of data
  // sources' secrets (services::Sealing) and the bearer tokens of the admin routes.
  std::vector<std::string> dependencies() const override { return {"identity"}; }

  void declare_config(core::ConfigSchema& schema) const override { declare_senders_config(schema); }

  std::vector<store::Migration> migrations() const override {
    std::vector<store::Migration> m;
    // Version 1 is the data sources' (the data-source part); until it lands here, an empty
    // migration holds its number. MERGE: replace this line with the data sources' migration.
    m.push_back({1, "(reserved: data sources)", {}, {}});
    m.push_back(senders_migration());  // 2
    return m;
  }

  void start(app::Services& s) override {
    clock_ = &s.clock;
    sender_settings_ = read_senders_config(s.config);
    if (sender_settings_.allow_unsigned)
      log::warn("dci_client_allow_unsigned",
                {{"why",
                  "dci_client.allow_unsigned is on: unsigned IBR callbacks are accepted from any "
                  "sender_id. Development only."}});
    senders_ = std::make_unique<dci::TrustedSenders>(s.db, s.clock, sender_table());
    senders_->reload();
    // Another instance's change to the senders reaches this one within the reload interval.
    senders_reload_ = s.background.every(
        sender_settings_.reload,
        [senders = senders_.get()] {
          try {
            senders->reload();
          } catch (const std::exception& e) {
            log::warn("dci_client_senders_reload_failed", {{"error", e.what()}});
          }
        },
        sender_settings_.reload);
    sender_keys_ = std::make_unique<dci::SenderKeys>(s.http_client, s.db, s.clock,
                                                     sender_settings_.jwks, sender_table());
    // Until the checks part provides the sink, callbacks are acked as matching no check.
    if (!callback_sink_) callback_sink_ = std::make_unique<NoChecksSink>();
  }

  void add_routes(http::Router& router) override {
    router.add_authenticator(kCallbackAuthenticator,
                             make_callback_authenticator(*senders_, sender_keys_.get(), *clock_,
                                                         sender_settings_.allow_unsigned));
    add_callback_routes(router, *callback_sink_, *clock_, kCallbackAuthenticator);
    dci::add_sender_admin_routes(router, "/v1/dci/senders", sender_settings_.admin_scope, *senders_,
                                 *sender_keys_);
  }

  void add_commands(CLI::App& root, app::ServiceProvider& provider) override {
    add_senders_commands(root, provider);
  }

  void stop() override { senders_reload_.cancel(); }

 private:
  const core::Clock* clock_ = nullptr;
  SenderSettings sender_settings_;
  std::unique_ptr<dci::TrustedSenders> senders_;
  std::unique_ptr<dci::SenderKeys> sender_keys_;
  std::unique_ptr<CallbackSink> callback_sink_;
  core::Job senders_reload_;
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<DciClientModule>();
}

}  // namespace registrar::dci_client
