#include "dci_client/module.h"

#include "core/log.h"
#include "dci_client/cli_sources.h"
#include "dci_client/config.h"
#include "dci_client/data_sources.h"
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
  }
  std::vector<store::Migration> migrations() const override {
    std::vector<store::Migration> all;
    all.push_back(sources_migration());  // v1: data sources
    return all;
  }

  void start(app::Services& s) override {
    settings_ = read_dci_client_config(s.config);
    // Data sources and the client that posts to them (seams.h: SourceClient).
    sources_ = std::make_unique<DataSources>(s.db, s.clock, &s.registry.find<services::Sealing>());
    sources_->reload();
    client_ = HttpSourceClient::create(*sources_, s.registry.find<services::Signing>(),
                                       s.http_client, s.background, s.clock, settings_.client);
    client_->ensure_keys();
    // A source saved through the API gets its sender id's key (in our JWKS) at once.
    sources_->on_saved([client = client_.get()](const DataSource& d) { client->ensure_key(d); });
    // Another instance's change to the sources reaches this one within the reload interval.
    sources_reload_ = s.background.every(
        settings_.client.sources_reload,
        [sources = sources_.get()] {
          try {
            sources->reload();
          } catch (const std::exception& e) {
            log::warn("dci_client_sources_reload_failed", {{"error", e.what()}});
          }
        },
        settings_.client.sources_reload);
  }

  void add_routes(http::Router& router) override {
    router.set_tag("dci_client");
    add_sources_routes(router, *sources_, settings_.admin_scope);
  }

  void add_commands(CLI::App& root, app::ServiceProvider& provider) override {
    add_sources_commands(root, provider);
  }

  void stop() override {
    sources_reload_.cancel();
    if (client_) client_->stop();
  }

 private:
  DciClientSettings settings_;
  std::unique_ptr<DataSources> sources_;
  std::shared_ptr<HttpSourceClient> client_;
  core::Job sources_reload_;
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<DciClientModule>();
}

}  // namespace registrar::dci_client
