#include "ids/module.h"

#include "ids/api.h"
#include "ids/cli.h"
#include "ids/config.h"
#include "ids/restore.h"
#include "ids/service.h"
#include "ids/store.h"
#include "services/issuance.h"
#include "services/sealing.h"

namespace registrar::ids {

namespace {

// Issuance for other modules (services/issuance.h), over the same group-commit issuer as the
// HTTP routes.
class ServiceIssuance final : public services::Issuance {
 public:
  explicit ServiceIssuance(IdsService& ids) : ids_(ids) {}
  void issue(const std::string& type, int count, const std::string& actor,
             std::function<void(Outcome)> done) override {
    std::optional<IdType> t;
    for (IdType candidate : {IdType::kUin, IdType::kVid, IdType::kPrid})
      if (type == id_type_name(candidate)) t = candidate;
    if (!t) {
      done({{}, core::invalid_argument("type must be uin, vid or prid", "type")});
      return;
    }
    ids_.issue_async(IssueRequest{*t, count, std::nullopt, actor},
                     [done = std::move(done)](IssueOutcome o) {
                       done({std::move(o.ids), std::move(o.error)});
                     });
  }

 private:
  IdsService& ids_;
};

class IdsModule : public app::Module {
 public:
  std::string name() const override { return "ids"; }
  // Its routes authenticate with identity's bearer tokens.
  std::vector<std::string> dependencies() const override { return {"identity"}; }
  void declare_config(core::ConfigSchema& schema) const override { declare_ids_config(schema); }
  std::vector<store::Migration> migrations() const override { return ids_migrations(); }

  void start(app::Services& s) override {
    // read_ids_config validates every policy: one that admits no ID refuses the start.
    // identity's master key seals the generated issuance key at rest.
    service_ = std::make_unique<IdsService>(read_ids_config(s.config), s.db, s.clock, s.background,
                                            &s.metrics, &s.registry.find<services::Sealing>());
    issuance_ = std::make_unique<ServiceIssuance>(*service_);
    s.registry.provide<services::Issuance>(*issuance_, name());
  }

  void add_routes(http::Router& router) override {
    add_ids_routes(router, *service_);
    add_mosip_routes(router, *service_);
  }

  // MOSIP's ID generator, RID generator and key manager services, whose routes these are.
  std::vector<std::string> actuator_bases() const override {
    return {"/v1/idgenerator", "/v1/pridgenerator", "/v1/ridgenerator", "/v1/keymanager"};
  }

  void add_commands(CLI::App& root, app::ServiceProvider& provider) override {
    add_ids_commands(root, provider);
  }

  // Counters and sequences move past what the backup cannot know was issued (ids/restore.h).
  void after_restore(const app::RestoreContext& ctx, std::ostream& out) override {
    advance_after_restore(ctx.session, ctx.backend, read_ids_config(ctx.config), ctx.now_us, out);
  }

  void stop() override {
    if (service_) service_->stop();
  }

 private:
  std::unique_ptr<IdsService> service_;
  std::unique_ptr<ServiceIssuance> issuance_;
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<IdsModule>();
}

}  // namespace registrar::ids
