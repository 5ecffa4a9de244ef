// A migrated checks database on one test backend, and a data source that is a real IBR: the
// IbrService of src/ibr on its own database (the remote registry's real logic), reached through
// a test SourceClient that answers on its own thread as the HTTP client would.
#pragma once

#include <gtest/gtest.h>

#include <future>
#include <memory>

#include "core/background.h"
#include "core/clock.h"
#include "core/thread_annotations.h"
#include "dci_client/check_service.h"
#include "dci_client/check_store.h"
#include "ibr/beneficiary_index.h"
#include "ibr/index_follower.h"
#include "ibr/service.h"
#include "ibr/store.h"
#include "store/database.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::dci_client::test {

using Json = nlohmann::json;

// The dci_client schema as far as the checks need it (v1 and v2 belong to the other parts).
inline std::vector<store::Migration> checks_schema() {
  return {{1, "data sources (other part)", {}, {}},
          {2, "trusted senders (other part)", {}, {}},
          checks_migration(),
          checks_indexes_migration()};
}

// The registry the checks ask: a real IbrService with its duplicate index.
struct RemoteIbr {
  RemoteIbr(const std::string& backend, const core::Clock& clock, ibr::IbrSettings settings)
      : tdb(backend),
        db(tdb.options()),
        index(ibr::index_options(settings)),
        // The schema before the follower (its first poll reads the change feed).
        follower((static_cast<void>(store::migrate(
                      db, {store::platform_schema(), {"ibr", ibr::ibr_migrations()}}, clock)),
                  db),
                 index, std::chrono::milliseconds(1000)),
        service(db, clock, settings, &index, [this] { follower.poll(); }) {
    follower.poll();
  }
  void enrol(std::vector<Json> beneficiaries, const std::string& sender = "sp-other") {
    service.apply_updates(
        {{"transaction_id", "t-seed"}, {"enrolled_updates", {{"beneficiaries", beneficiaries}}}},
        sender, "seed");
  }
  testing::TestDatabase tdb;
  store::Database db;
  ibr::BeneficiaryIndex index;
  ibr::IndexFollower follower;
  ibr::IbrService service;
};

// A registrant as an SP-MIS reports it to the IBR, in the spec's Person shape (the record is
// the person; programmes under programme[]).
inline Json beneficiary(const std::string& ref, const std::string& given,
                        const std::string& surname, const std::string& birth,
                        const std::string& nid, const std::string& programme) {
  Json person = {{"reference_id", ref}, {"@type", "Person"}, {"sex", "F"}, {"birth_date", birth}};
  person["identifier"] = Json::array({{{"identifier_type", "NID"}, {"identifier_value", nid}}});
  person["name"] = {{"given_name", given}, {"surname", surname}};
  person["programme"] = Json::array({{{"programme_identifier", "P-" + ref},
                                      {"programme_name", programme},
                                      {"enrolment_status", "Active"}}});
  return person;
}

// SourceClient whose peer is the RemoteIbr: sync posts get the IBR's on-search envelope, async
// ones an ACK, their SearchResponse kept for the test to deliver as the callback.
class IbrSourceClient final : public SourceClient {
 public:
  enum class Behaviour { kAnswer, kTimeout, kHttp500, kHold, kNack };

  explicit IbrSourceClient(RemoteIbr& ibr) : ibr_(ibr), http_({1, "http-test", nullptr}) {}
  ~IbrSourceClient() override { http_.stop(); }
  // No completion runs after this (those queued run first).
  void stop() { http_.stop(); }

  void post(const std::string& source, Endpoint endpoint, Json message,
            std::function<void(PeerAnswer)> done) override {
    {
      core::MutexLock l(mu_);
      posts_.push_back({source, endpoint, message});
      if (behaviour_ == Behaviour::kHold) {
        held_.push_back(std::move(done));
        return;
      }
    }
    http_.schedule([this, endpoint, message = std::move(message), done = std::move(done)] {
      done(answer(endpoint, message));
      CallbackSink* sink;
      {
        core::MutexLock l(mu_);
        sink = sink_;
      }
      if (sink && endpoint == Endpoint::kSearch) {
        Json callback = callbacks().back();
        sink->on_search("ibr-remote", callback);
      }
    });
  }

  // From now on the IBR also calls back: each async search's SearchResponse goes to `sink`
  // after the ACK, on the same thread (as the callback route would hand it over).
  void deliver_callbacks_to(CallbackSink* sink) EXCLUDES(mu_) {
    core::MutexLock l(mu_);
    sink_ = sink;
  }
  void set(Behaviour b) EXCLUDES(mu_) {
    core::MutexLock l(mu_);
    behaviour_ = b;
  }
  struct Post {
    std::string source;
    Endpoint endpoint;
    Json message;
  };
  std::vector<Post> posts() EXCLUDES(mu_) {
    core::MutexLock l(mu_);
    return posts_;
  }
  size_t items_sent() EXCLUDES(mu_) {
    size_t n = 0;
    for (const auto& p : posts()) n += p.message["search_request"].size();
    return n;
  }
  // The callbacks the IBR would send for the async searches so far (SearchResponse messages).
  std::vector<Json> callbacks() EXCLUDES(mu_) {
    core::MutexLock l(mu_);
    return callbacks_;
  }
  // Completes the held posts with `answer` (the HTTP client giving up, for instance).
  void release_held(PeerAnswer a) EXCLUDES(mu_) {
    std::vector<std::function<void(PeerAnswer)>> held;
    {
      core::MutexLock l(mu_);
      held.swap(held_);
    }
    for (auto& d : held) http_.schedule([d, a] { d(a); });
  }

 private:
  PeerAnswer answer(Endpoint endpoint, const Json& message) EXCLUDES(mu_) {
    Behaviour b;
    {
      core::MutexLock l(mu_);
      b = behaviour_;
    }
    if (b == Behaviour::kTimeout) return {0, "timeout after 30 s", nullptr, true};
    if (b == Behaviour::kHttp500)
      return {500, "HTTP 500 from http://ibr.test/registry/sync/search", nullptr, true};
    if (b == Behaviour::kNack)
      return {200,
              "",
              {{"message",
                {{"ack_status", "ERR"},
                 {"timestamp", "2025-01-01T00:00:00Z"},
                 {"correlation_id", message.value("correlation_id", "")},
                 {"error", {{"code", "err.request.bad"}, {"message", "no"}}}}}},
              false};
    Json response = ibr_.service.sync_search(message);
    if (endpoint == Endpoint::kSyncSearch)
      return {200,
              "",
              {{"header", {{"action", "on-search"}, {"status", "succ"}}}, {"message", response}},
              false};
    response["correlation_id"] = message.value("correlation_id", "");
    {
      core::MutexLock l(mu_);
      callbacks_.push_back(response);
    }
    return {200,
            "",
            {{"message",
              {{"ack_status", "ACK"},
               {"timestamp", "2025-01-01T00:00:00Z"},
               {"correlation_id", message.value("correlation_id", "")}}}},
            false};
  }

  RemoteIbr& ibr_;
  core::Mutex mu_;
  Behaviour behaviour_ GUARDED_BY(mu_) = Behaviour::kAnswer;
  std::vector<Post> posts_ GUARDED_BY(mu_);
  std::vector<Json> callbacks_ GUARDED_BY(mu_);
  std::vector<std::function<void(PeerAnswer)>> held_ GUARDED_BY(mu_);
  CallbackSink* sink_ GUARDED_BY(mu_) = nullptr;
  core::Background http_;  // the "HTTP client's thread"
};

class ChecksTest : public ::testing::TestWithParam<std::string> {
 protected:
  static ibr::IbrSettings ibr_settings() {
    ibr::IbrSettings s;
    // Every fuzzy hit short of a perfect score is "possible", so that tests can tell.
    s.match_confirmed = 0.999;
    return s;
  }
  ChecksTest()
      : tdb_(GetParam()),
        clock_(core::from_unix_seconds(1'750'000'000)),
        db_((tdb_.options(4))),
        remote_(GetParam(), clock_, ibr_settings()),
        client_(remote_),
        background_({2, "checks-test", nullptr}) {
    store::migrate(db_, {store::platform_schema(), {"dci_client", checks_schema()}}, clock_);
    CheckSettings settings;
    settings.batch_size = 3;
    settings.deadline = std::chrono::seconds(600);
    service_ = std::make_unique<CheckService>(db_, clock_, background_, &client_, settings);
  }
  ~ChecksTest() override {
    client_.stop();
    service_->stop();
    background_.stop();
  }

  // Runs and waits until every envelope's answer is written.
  std::vector<RunEntry> run_and_wait(const std::vector<std::string>& ids,
                                     RunMode mode = RunMode::kSync) {
    auto done = std::make_shared<std::promise<void>>();
    RunObserver o;
    o.on_all = [done] { done->set_value(); };
    auto entries = service_->run(ids, mode, actor_, o);
    done->get_future().wait();
    return entries;
  }
  Check get(const std::string& id) {
    auto c = service_->find(id);
    EXPECT_TRUE(c.has_value()) << id;
    return c.value_or(Check{});
  }

  testing::TestDatabase tdb_;
  core::ManualClock clock_;
  store::Database db_;
  RemoteIbr remote_;
  IbrSourceClient client_;
  core::Background background_;
  std::unique_ptr<CheckService> service_;
  Actor actor_{"officer-1", "req-1"};
};

}  // namespace registrar::dci_client::test
