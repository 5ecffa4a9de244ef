#include "sync/module.h"

#include "sync/admin_api.h"
#include "sync/cli.h"
#include "sync/cursor_api.h"
#include "sync/mosip_routes.h"
#include "sync/mosip_settings_api.h"
#include "sync/mosip_url_entries.h"
#include "sync/service.h"

namespace registrar::sync {
namespace {

std::optional<std::string> not_empty(const core::ConfigValue& v) {
  if (std::get<std::string>(v).empty()) return "must not be empty";
  return std::nullopt;
}

// Entity names of URL entries: MOSIP names of v2 entities or DynamicFieldDto, any case.
std::optional<std::string> file_names(const core::ConfigValue& v) {
  for (const auto& name : std::get<std::vector<std::string>>(v))
    if (!canonical_file_name(name))
      return "\"" + name + "\" is not the MOSIP name of a v2 entity nor DynamicFieldDto";
  return std::nullopt;
}

std::optional<std::string> script_names(const core::ConfigValue& v) {
  for (const auto& name : std::get<std::vector<std::string>>(v))
    if (!valid_script_name(name))
      return "\"" + name + "\" is not a file name (letters, digits, '.', '_', '-')";
  return std::nullopt;
}

std::vector<std::string> canonical(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& name : names) out.push_back(*canonical_file_name(name));
  return out;
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
    schema.add_list("sync.mosip.url_entities", {},
                    "Entities (MOSIP names, or DynamicFieldDto for every dynamic field) that v2 "
                    "clientsettings sends as a URL to their entity file on a full sync "
                    "(MOSIP's mosip.sync.entity.url.<ENTITY>).",
                    file_names);
    schema.add_list("sync.mosip.url_entities_on_delta", {},
                    "Of sync.mosip.url_entities, those sent as a URL on a delta too (MOSIP's "
                    "mosip.sync.entity.only-on-fullsync.<ENTITY> = false).",
                    file_names);
    schema.add_string("sync.mosip.files_base_url", "https://${mosip.hostname}",
                      "Scheme and host (and path prefix) under which registration clients reach "
                      "/v1/syncdata, for the URLs of entity files and scripts; MOSIP's client "
                      "replaces ${mosip.hostname} with the host it syncs with.",
                      not_empty);
    schema.add_list("sync.mosip.scripts", {},
                    "Scripts (file names, e.g. applicanttype.mvel) that v2 clientsettings "
                    "announces and GET /v1/syncdata/scripts/{name} serves from "
                    "sync.mosip.scripts_dir (MOSIP's mosip.registration.sync.scripts).",
                    script_names);
    schema.add_string("sync.mosip.scripts_dir", "",
                      "Directory holding the files of sync.mosip.scripts.");
    schema.add_int("sync.mosip.file_cache_mb", 64,
                   "Memory for entity files built once and served to every machine of the same "
                   "scopes until the master data changes (MiB; 0 builds every file per request).",
                   0, 65536);
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
    snapshots_.scripts = s.config.list("sync.mosip.scripts");
    snapshots_.scripts_dir = s.config.str("sync.mosip.scripts_dir");
    snapshots_.cache = std::make_shared<EntityFileCache>(
        static_cast<size_t>(s.config.integer("sync.mosip.file_cache_mb")) * 1024 * 1024);
    UrlEntrySettings& urls = client_settings_.urls;
    urls.entities = canonical(s.config.list("sync.mosip.url_entities"));
    urls.on_delta = canonical(s.config.list("sync.mosip.url_entities_on_delta"));
    urls.scripts = snapshots_.scripts;
    urls.base_url = s.config.str("sync.mosip.files_base_url");
    urls.encrypted = snapshots_.encrypt;
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
