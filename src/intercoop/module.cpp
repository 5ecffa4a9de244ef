#include "intercoop/module.h"

#include "core/error.h"
#include "core/log.h"
#include "intercoop/admin_api.h"
#include "intercoop/cli.h"
#include "intercoop/hardened_store.h"
#include "intercoop/lists_api.h"
#include "intercoop/migrations.h"
#include "intercoop/receiver.h"
#include "intercoop/rules_store.h"
#include "intercoop/source_api.h"
#include "intercoop/source_cli.h"
#include "intercoop/source_side.h"
#include "intercoop/source_store.h"
#include "intercoop/target_api.h"
#include "intercoop/target_model.h"
#include "intercoop/target_store.h"
#include "services/sealing.h"

namespace registrar::intercoop {
namespace {

class IntercoopModule final : public app::Module {
 public:
  std::string name() const override { return "intercoop"; }
  // identity: the bearer tokens of the admin routes under /v1/intercoop.
  std::vector<std::string> dependencies() const override { return {"identity"}; }

  void declare_config(core::ConfigSchema& schema) const override {
    schema.add_string("intercoop.default_service", "",
                      "The service POST /intercoop/activateService serves (1.0 carries no "
                      "service: a peer's single targetUrl reaches this one); \"\" for none.",
                      [](const core::ConfigValue& v) -> std::optional<std::string> {
                        const auto& s = std::get<std::string>(v);
                        if (!s.empty() && !valid_service_name(s))
                          return "lowercase letters, digits and '_'";
                        return std::nullopt;
                      });
    schema.add_string("intercoop.continuation_url", "",
                      "The continuationUrl answered for a stored transfer, {uuid} replaced by "
                      "its token; \"\" for http://<Host>/intercoop/continuation/<uuid>.",
                      [](const core::ConfigValue& v) -> std::optional<std::string> {
                        const auto& s = std::get<std::string>(v);
                        if (!s.empty() && s.find("{uuid}") == std::string::npos)
                          return "must contain {uuid}";
                        return std::nullopt;
                      });
    schema.add_int("intercoop.token_ttl_s", 3600,
                   "How long received data wait for the member under their token before they "
                   "are deleted (docs/intercoop.md: why an hour).",
                   1, 7 * 86400);
    schema.add_string("intercoop.scopes.admin", "intercoop:admin",
                      "Bearer scope of the peer and service administration under /v1/intercoop.",
                      [](const core::ConfigValue& v) -> std::optional<std::string> {
                        if (std::get<std::string>(v).empty()) return "must not be empty";
                        return std::nullopt;
                      });
    schema.add_int("intercoop.purge_interval_s", 300, "How often expired transfers are deleted.", 1,
                   86400);
    // The source side (docs/intercoop.md: source side).
    schema.add_string("intercoop.peer_id", "",
                      "Our id in the peers' registries: `originpeer` of what we send; \"\" "
                      "sends nothing.",
                      [](const core::ConfigValue& v) -> std::optional<std::string> {
                        const auto& s = std::get<std::string>(v);
                        if (!s.empty() && !valid_peer_id(s))
                          return "letters, digits and '_' (at most 64)";
                        return std::nullopt;
                      });
    schema.add_string("intercoop.name", "", "Our name in our descriptor (\"\": the peer id).");
    schema.add_string("intercoop.public_url", "",
                      "Our public base URL (https://acme.coop): our descriptor's targetUrl is it "
                      "+ /intercoop (the default service); \"\" for none.");
    schema.add_string("intercoop.privacy_policy_url", "",
                      "Our privacy policy's URL, published as privacyPolicyUrl in our descriptor "
                      "(a source's consent page links to it); \"\" for none.",
                      [](const core::ConfigValue& v) -> std::optional<std::string> {
                        const auto& s = std::get<std::string>(v);
                        if (!s.empty() && s.rfind("https://", 0) != 0 && s.rfind("http://", 0) != 0)
                          return "an http:// or https:// URL";
                        return std::nullopt;
                      });
    schema.add_string("intercoop.scopes.member", "intercoop:member",
                      "Bearer scope of a member's own transfers under /v1/intercoop/transfers "
                      "(the token's subject must be the member).",
                      [](const core::ConfigValue& v) -> std::optional<std::string> {
                        if (std::get<std::string>(v).empty()) return "must not be empty";
                        return std::nullopt;
                      });
    schema.add_int("intercoop.send_timeout_ms", 10'000,
                   "How long a transfer waits for the target's answer.", 100, 120'000);
  }

  std::vector<store::Migration> migrations() const override { return intercoop_migrations(); }

  void start(app::Services& s) override {
    db_ = &s.db;
    clock_ = &s.clock;
    admin_scope_ = s.config.str("intercoop.scopes.admin");
    admin_ = std::make_unique<TargetAdmin>(s.db, s.clock);
    member_scope_ = s.config.str("intercoop.scopes.member");
    source_ = std::make_unique<SourceSide>(s.db, s.clock, &s.registry.find<services::Sealing>(),
                                           &s.http_client, source_settings(s.config));
    // Our key exists from the first start on (created and sealed here), not on the first send.
    if (!source_->settings().peer_id.empty()) {
      source_->own_key();
      source_->own_hardened_key();
    }
    settings_.default_service = s.config.str("intercoop.default_service");
    settings_.continuation_url = s.config.str("intercoop.continuation_url");
    settings_.token_ttl = std::chrono::seconds(s.config.integer("intercoop.token_ttl_s"));
    settings_.peer_id = source_->settings().peer_id;
    receiver_ = std::make_unique<Receiver>(s.db, s.clock, s.background, settings_);
    auto interval = std::chrono::seconds(s.config.integer("intercoop.purge_interval_s"));
    purge_ = s.background.every(interval, [db = db_, clock = clock_, source = source_.get()] {
      try {
        if (int64_t n = source->reconcile(); n > 0)
          log::warn("intercoop_consents_unanswered", {{"count", n}});
      } catch (const std::exception& e) {
        log::warn("intercoop_reconcile_failed", {{"error", core::loggable_message(e)}});
      }
      try {
        auto [n, nonces] = db->write([&](soci::session& ss) {
          core::SystemTime now = clock->now();
          return std::make_pair(db::purge_expired(ss, now),
                                db::purge_nonces(ss, now) + db::purge_limited(ss, now));
        });
        if (n > 0 || nonces > 0)
          log::info("intercoop_transfers_purged", {{"count", n}, {"nonces", nonces}});
      } catch (const std::exception& e) {
        log::warn("intercoop_purge_failed", {{"error", core::loggable_message(e)}});
      }
    });
  }

  void add_routes(http::Router& router) override {
    router.set_tag("intercoop");
    add_target_routes(router, *db_, *clock_, settings_, *receiver_);
    add_admin_routes(router, *admin_, admin_scope_);
    add_source_routes(router, *source_, admin_scope_, member_scope_);
    add_list_routes(router, *db_, admin_scope_);
  }

  // Every active peer we could send to answers its protocolVersion.
  void doctor(const app::DoctorContext& ctx, app::DoctorReport& report) const override {
    if (!ctx.db || !ctx.schema_current) return;
    auto peers = ctx.db->read([](soci::session& s) { return db::all_peers(s); });
    for (const auto& p : peers)
      if (p.active && !p.target_url.empty())
        report.reachable("intercoop peer " + p.id, p.target_url + "/protocolVersion");
  }

  void add_commands(CLI::App& root, app::ServiceProvider& provider) override {
    CLI::App* intercoop = add_intercoop_commands(root, provider);
    add_source_commands(*intercoop, provider);
  }

  void stop() override {
    purge_.cancel();
    if (receiver_) receiver_->stop();  // answers what is queued before the Background stops
  }

 private:
  store::Database* db_ = nullptr;
  const core::Clock* clock_ = nullptr;
  TargetSettings settings_;
  std::string admin_scope_;
  std::unique_ptr<TargetAdmin> admin_;
  std::string member_scope_;
  std::unique_ptr<SourceSide> source_;
  std::unique_ptr<Receiver> receiver_;
  core::Job purge_;
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<IntercoopModule>();
}

}  // namespace registrar::intercoop
