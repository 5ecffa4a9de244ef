#include "sync/module.h"

#include "sync/admin_api.h"
#include "sync/cli.h"
#include "sync/cursor_api.h"
#include "sync/mosip_routes.h"
#include "sync/mosip_settings_api.h"
#include "sync/service.h"

namespace registrar::sync {
namespace {

std::optional<std::string> not_empty(const core::ConfigValue& v) {
  if (std::get<std::string>(v).empty()) return "must not be empty";
  return std::nullopt;
}

class SyncModule final : public app::Module {
 public:
  std::string name() const override { return "sync"; }
  // identity: the bearer tokens of the admin and MOSIP routes.
  std::vector<std::string> dependencies() const override { return {"identity"}; }

  void declare_config(core::ConfigSchema& schema) const override {
    schema.add_string("sync.scopes.admin", "sync:admin",
                      "Bearer scope of the master-data admin API under /v1/masterdata.", not_empty);
    schema.add_string("sync.template_module", "10002",
                      "MOSIP's registration client module id: machines receive the templates "
                      "of this module only (mosip.syncdata.regclient.module.id).",
                      not_empty);
    schema.add_string("sync.scopes.client", "sync:client",
                      "Bearer scope of MOSIP's registration-client routes under /v1/syncdata.",
                      not_empty);
    schema.add_int("sync.mosip.delta_interval_s", 900,
                   "A clientsettings delta ends at the latest multiple of this many seconds "
                   "(UTC) not after now: MOSIP's 15-minute delta cron; 1 ends it at now.",
                   1, 86400);
    schema.add_string("sync.mosip.full_sync_to", "midnight",
                      "Where a clientsettings full sync ends: \"midnight\" (today 00:00 UTC, as "
                      "MOSIP) or \"now\".",
                      [](const core::ConfigValue& v) -> std::optional<std::string> {
                        const auto& s = std::get<std::string>(v);
                        if (s == "midnight" || s == "now") return std::nullopt;
                        return "must be midnight or now";
                      });
    schema.add_bool("sync.snapshots.encrypt", true,
                    "Encrypt entity files (/v1/syncdata/clientsettings/{entity}) to the machine's "
                    "key (MOSIP's mosip.sync.entity.encrypted.*).");
    declare_cursor_config(schema);
  }

  std::vector<store::Migration> migrations() const override { return sync_migrations(); }

  void start(app::Services& s) override {
    SyncSettings settings;
    settings.template_module = s.config.str("sync.template_module");
    admin_scope_ = s.config.str("sync.scopes.admin");
    client_settings_.scope = s.config.str("sync.scopes.client");
    client_settings_.window.delta_interval_s = s.config.integer("sync.mosip.delta_interval_s");
    client_settings_.window.full_sync_to_now = s.config.str("sync.mosip.full_sync_to") == "now";
    snapshots_.signing = &s.registry.find<services::Signing>();
    snapshots_.kid = "sync-files-1";
    snapshots_.signing->ensure_key(snapshots_.kid, crypto::JwsAlg::kRS256, name());
    snapshots_.encrypt = s.config.boolean("sync.snapshots.encrypt");
    cursor_settings_ = read_cursor_settings(s.config);
    service_ = std::make_unique<SyncService>(s.db, s.clock, settings);
  }

  void add_routes(http::Router& router) override {
    router.set_tag("sync");
    add_admin_routes(router, *service_, admin_scope_);
    add_client_settings_routes(router, *service_, client_settings_);
    add_mosip_routes(router, *service_, client_settings_.scope, snapshots_);
    add_cursor_routes(router, *service_, cursor_settings_);
  }

  // MOSIP's kernel-syncdata-service (the /v1/syncdata routes).
  std::vector<std::string> actuator_bases() const override { return {"/v1/syncdata"}; }

  void add_commands(CLI::App& root, app::ServiceProvider& provider) override {
    add_sync_commands(root, provider);
  }

 private:
  std::string admin_scope_;
  ClientSettingsConfig client_settings_;
  SnapshotOptions snapshots_;
  CursorSettings cursor_settings_;
  std::unique_ptr<SyncService> service_;
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<SyncModule>();
}

}  // namespace registrar::sync
