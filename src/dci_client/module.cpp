#include "dci_client/module.h"

#include "dci_client/check_service.h"
#include "dci_client/check_store.h"
#include "dci_client/checks_api.h"
#include "dci_client/checks_config.h"
#include "dci_client/cli_checks.h"

namespace registrar::dci_client {
namespace {

class DciClientModule final : public app::Module {
 public:
  std::string name() const override { return "dci_client"; }
  // identity: the key our requests are signed with (services::Signing), the sealing of data
  // sources' secrets (services::Sealing) and the bearer tokens of the admin routes.
  std::vector<std::string> dependencies() const override { return {"identity"}; }

  void declare_config(core::ConfigSchema& schema) const override { declare_checks_config(schema); }

  std::vector<store::Migration> migrations() const override {
    std::vector<store::Migration> m;
    // PLACEHOLDERS for v1 (data sources) and v2 (trusted senders) until those parts merge:
    // replace these two lines with their migrations.
    m.push_back({1, "reserved: data sources", {}, {}});
    m.push_back({2, "reserved: trusted senders", {}, {}});
    m.push_back(checks_migration());
    return m;
  }

  void start(app::Services& s) override {
    // TODO(merge): the data-source part's SourceClient goes here (nullptr: runs refuse).
    SourceClient* client = nullptr;
    checks_ = std::make_unique<CheckService>(s.db, s.clock, s.background, client,
                                             read_checks_config(s.config));
    checks_->start_sweeper();
  }

  void add_routes(http::Router& router) override { add_checks_routes(router, *checks_); }

  void add_commands(CLI::App& root, app::ServiceProvider& provider) override {
    // TODO(merge): a factory building the data-source part's SourceClient over the CLI's
    // services; without one `dci checks run` and `dci check` refuse to send.
    add_checks_commands(root, provider, {});
  }

  void stop() override {
    if (checks_) checks_->stop();
  }

 private:
  // Also the CallbackSink the callback routes hand verified on-search callbacks to.
  std::unique_ptr<CheckService> checks_;
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<DciClientModule>();
}

}  // namespace registrar::dci_client
