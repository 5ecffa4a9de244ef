#include "ibr/module.h"

#include "core/error.h"
#include "core/log.h"
#include "ibr/answers.h"
#include "ibr/api.h"
#include "ibr/async.h"
#include "ibr/cli.h"
#include "ibr/config.h"
#include "ibr/index_follower.h"
#include "ibr/outbox.h"
#include "ibr/registry_api.h"
#include "ibr/sender_keys.h"
#include "ibr/senders.h"
#include "ibr/service.h"
#include "ibr/signature_auth.h"
#include "ibr/store.h"
#include "services/signing.h"

namespace registrar::ibr {
namespace {

class IbrModule final : public app::Module {
 public:
  std::string name() const override { return "ibr"; }
  // identity: the signing key of our answers (services::Signing) and the bearer tokens of the
  // admin routes.
  std::vector<std::string> dependencies() const override { return {"identity"}; }
  void declare_config(core::ConfigSchema& schema) const override { declare_ibr_config(schema); }
  std::vector<store::Migration> migrations() const override { return ibr_migrations(); }

  void start(app::Services& s) override {
    settings_ = read_ibr_config(s.config);
    clock_ = &s.clock;
    db_ = &s.db;
    if (settings_.allow_unsigned)
      log::warn("ibr_allow_unsigned",
                {{"why",
                  "ibr.allow_unsigned is on: unsigned DCI requests are accepted from any "
                  "sender_id. Development only."}});
    senders_ = std::make_unique<Senders>(s.db, s.clock);
    senders_->reload();
    // Another instance's change to the senders reaches this one within the reload interval.
    reload_ = s.background.every(
        settings_.senders_reload,
        [senders = senders_.get()] {
          try {
            senders->reload();
          } catch (const std::exception& e) {
            log::warn("ibr_senders_reload_failed", {{"error", core::loggable_message(e)}});
          }
        },
        settings_.senders_reload);
    keys_ = std::make_unique<SenderKeys>(s.http_client, s.db, s.clock, settings_.jwks);
    answers_ =
        std::make_unique<AnswerSigner>(s.registry.find<services::Signing>(), settings_, s.clock);
    // The duplicate index: built here, before the routes serve (blocking start: a search never
    // sees a half-built index), then followed from the change feed.
    index_ = std::make_unique<BeneficiaryIndex>(index_options(settings_));
    follower_ = std::make_unique<IndexFollower>(s.db, *index_, settings_.index_poll, &s.background);
    follower_->poll();
    service_ = std::make_unique<IbrService>(s.db, s.clock, settings_, index_.get(),
                                            [f = follower_.get()] { f->poll(); });
    async_ = std::make_unique<AsyncOperations>(s.db, s.clock, *service_, *answers_, *senders_);
    service_->set_update_listener([async = async_.get()](soci::session& session,
                                                         const std::string& transaction_id,
                                                         const std::vector<UpdateEvent>& events) {
      async->notify(session, transaction_id, events);
    });
    outbox_ = OutboxDelivery::create(s.db, s.clock, s.background, s.http_client, settings_.outbox);
    async_->on_queued([outbox = outbox_.get()] { outbox->kick(); });
    // Rows left by a previous run (or another instance that died) are picked up here too.
    outbox_->start();
    log::info("ibr_started", {{"kid", answers_->kid()},
                              {"sender_id", settings_.sender_id},
                              {"outbox_owner", outbox_->owner()}});
  }

  void add_routes(http::Router& router) override {
    router.add_authenticator(
        kDciSignatureAuthenticator,
        make_signature_authenticator(*senders_, keys_.get(), *clock_, settings_.allow_unsigned));
    add_ibr_routes(router, *service_, *async_, *senders_, *keys_, *answers_, *clock_);
    add_registry_view_routes(router, *db_, *index_, settings_.admin_scope);
  }

  void add_commands(CLI::App& root, app::ServiceProvider& provider) override {
    add_ibr_commands(root, provider);
  }

  void stop() override {
    reload_.cancel();
    if (outbox_) outbox_->stop();
    follower_.reset();  // cancels its job, waiting for a poll in progress
  }

 private:
  IbrSettings settings_;
  const core::Clock* clock_ = nullptr;
  store::Database* db_ = nullptr;
  std::unique_ptr<Senders> senders_;
  std::unique_ptr<SenderKeys> keys_;
  std::unique_ptr<AnswerSigner> answers_;
  std::unique_ptr<BeneficiaryIndex> index_;
  std::unique_ptr<IndexFollower> follower_;
  std::unique_ptr<IbrService> service_;
  std::unique_ptr<AsyncOperations> async_;
  std::shared_ptr<OutboxDelivery> outbox_;
  core::Job reload_;
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<IbrModule>();
}

}  // namespace registrar::ibr
