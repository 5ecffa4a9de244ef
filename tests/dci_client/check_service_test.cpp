// The checks' lifecycle on both backends against a real IBR (check_fixture.h): sync and async
// runs, callbacks matched by exact correlation id, retry, delete, the deadline sweeper, and
// failures of the peer leaving every check in a truthful state.
#include "dci_client/check_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "core/error.h"
#include "dci_client/check_fixture.h"
#include "store/audit.h"

namespace registrar::dci_client {
namespace {

using test::beneficiary;
using Json = nlohmann::json;

class CheckServiceDb : public test::ChecksTest {
 protected:
  CheckServiceDb() {
    remote_.enrol({beneficiary("b-1", "Amina", "Otieno", "1975-02-12", "N-100", "Cash Transfer"),
                   beneficiary("b-2", "Joseph", "Kamau", "1990-07-01", "N-200", "School Meals")});
    remote_.enrol({beneficiary("x-1", "Amina", "Otieno", "1975-02-12", "N-100", "Food Aid")},
                  "sp-third");
  }
  Check make(Json registrant, const std::string& source = "ibr_main") {
    return service_->create(registrant_from_json(registrant), source, actor_);
  }
  static Json by_nid(const std::string& nid) {
    return {{"identifiers", {{{"type", "NID"}, {"value", nid}}}}};
  }
};

TEST_P(CheckServiceDb, SyncRunReadsTheIbrsAnswerPerCheck) {
  Check dup = make(by_nid("N-100"));
  Check other = make(by_nid("N-200"));
  Check none = make(by_nid("N-999"));
  Check fuzzy = make({{"given_name", "Aminah"},
                      {"family_name", "Otieno"},
                      {"birth_date", "1975-02-12"},
                      {"sex", "F"}});
  EXPECT_EQ(dup.state, CheckState::kReady);
  auto entries = run_and_wait({dup.id, other.id, none.id, fuzzy.id});
  for (const auto& e : entries) EXPECT_TRUE(e.sent) << e.note;
  // Four checks, batch_size 3: two envelopes to the sync endpoint, one item per check, each
  // item's reference_id the check's id.
  auto posts = client_.posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].endpoint, Endpoint::kSyncSearch);
  EXPECT_EQ(posts[0].source, "ibr_main");
  EXPECT_EQ(posts[0].message["search_request"].size(), 3u);
  EXPECT_EQ(posts[0].message["search_request"][0]["reference_id"], dup.id);
  EXPECT_FALSE(posts[0].message.contains("correlation_id"));

  Check d = get(dup.id);
  EXPECT_EQ(d.state, CheckState::kCompleted);
  EXPECT_EQ(d.result, CheckResult::kConfirmedMatch);
  // Two senders enrolled N-100: both programmes.
  EXPECT_EQ(d.matched_programmes, (std::vector<std::string>{"Cash Transfer", "Food Aid"}));
  EXPECT_EQ(d.raw_response["reference_id"], dup.id);
  EXPECT_EQ(d.raw_response["data"]["reg_records"].size(), 2u);
  ASSERT_TRUE(d.checked.has_value());
  EXPECT_EQ(*d.checked, clock_.now());
  EXPECT_EQ(get(other.id).matched_programmes, std::vector<std::string>{"School Meals"});
  Check n = get(none.id);
  EXPECT_EQ(n.state, CheckState::kCompleted);
  EXPECT_EQ(n.result, CheckResult::kNoMatch);
  EXPECT_TRUE(n.matched_programmes.empty());
  // A misspelt name with the same birth date: the IBR's fuzzy hit, below its confirmed level.
  Check f = get(fuzzy.id);
  EXPECT_EQ(f.state, CheckState::kCompleted) << f.error;
  EXPECT_EQ(f.result, CheckResult::kPossibleMatch);
  EXPECT_EQ(f.matched_programmes, (std::vector<std::string>{"Cash Transfer", "Food Aid"}));
}

TEST_P(CheckServiceDb, RunOnCompletedOrFailedChangesNothingAndSaysSo) {
  Check c = make(by_nid("N-200"));
  run_and_wait({c.id});
  Check done = get(c.id);
  ASSERT_EQ(done.state, CheckState::kCompleted);
  clock_.advance(std::chrono::seconds(5));
  auto again = run_and_wait({c.id, "no-such-id"});
  EXPECT_FALSE(again[0].sent);
  EXPECT_NE(again[0].note.find("completed"), std::string::npos) << again[0].note;
  EXPECT_FALSE(again[1].sent);
  EXPECT_EQ(again[1].note, "no such check");
  Check after = get(c.id);
  EXPECT_EQ(after.updated, done.updated);
  EXPECT_EQ(client_.posts().size(), 1u);  // nothing sent

  client_.set(test::IbrSourceClient::Behaviour::kHttp500);
  Check failing = make(by_nid("N-100"));
  run_and_wait({failing.id});
  ASSERT_EQ(get(failing.id).state, CheckState::kFailed);
  auto on_failed = run_and_wait({failing.id});
  EXPECT_FALSE(on_failed[0].sent);
  EXPECT_NE(on_failed[0].note.find("failed"), std::string::npos);
  EXPECT_EQ(client_.posts().size(), 2u);
}

TEST_P(CheckServiceDb, WholePostFailureFailsEachCheckWithTheReason) {
  client_.set(test::IbrSourceClient::Behaviour::kTimeout);
  Check a = make(by_nid("N-100"));
  Check b = make(by_nid("N-200"));
  run_and_wait({a.id, b.id});
  for (const auto& id : {a.id, b.id}) {
    Check c = get(id);
    EXPECT_EQ(c.state, CheckState::kFailed);
    EXPECT_EQ(c.error, "the search failed: timeout after 30 s");
    EXPECT_FALSE(c.result.has_value());
  }
  // Retry, then the IBR answers.
  client_.set(test::IbrSourceClient::Behaviour::kAnswer);
  Check r = service_->retry(a.id, actor_);
  EXPECT_EQ(r.state, CheckState::kReady);
  EXPECT_EQ(r.error, "");
  run_and_wait({a.id});
  EXPECT_EQ(get(a.id).result, CheckResult::kConfirmedMatch);
}

TEST_P(CheckServiceDb, RejectedItemFailsThatCheckOnly) {
  Check good = make(by_nid("N-100"));
  // An identifier and a sex: the expression form, answered by the IBR's identifier path.
  Check ok2 = make({{"identifiers", {{{"type", "NID"}, {"value", "N-200"}}}}, {"sex", "F"}});
  // A sex alone (registrant_from_json would refuse it; the service takes what it is given):
  // the IBR rejects the item, as it needs a name or an identifier.
  Registrant bad;
  bad.sex = "F";
  Check rej = service_->create(bad, "ibr_main", actor_);
  run_and_wait({good.id, ok2.id, rej.id});
  EXPECT_EQ(get(good.id).state, CheckState::kCompleted);
  EXPECT_EQ(get(ok2.id).result, CheckResult::kConfirmedMatch);
  Check r = get(rej.id);
  EXPECT_EQ(r.state, CheckState::kFailed);
  EXPECT_NE(r.error.find("rjct.search_criteria.invalid"), std::string::npos) << r.error;
  EXPECT_EQ(r.raw_response["status"], "rjct");
}

TEST_P(CheckServiceDb, AsyncRunWaitsForTheCallbackWithItsCorrelationId) {
  Check a = make(by_nid("N-100"));
  Check b = make(by_nid("N-999"));
  run_and_wait({a.id, b.id}, RunMode::kAsync);
  auto posts = client_.posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].endpoint, Endpoint::kSearch);
  std::string cid = posts[0].message["correlation_id"];
  ASSERT_FALSE(cid.empty());
  Check waiting = get(a.id);
  EXPECT_EQ(waiting.state, CheckState::kChecking);  // acknowledged, not answered
  EXPECT_EQ(waiting.correlation_id, cid);
  EXPECT_EQ(waiting.notes, "correlation: " + cid);

  auto callbacks = client_.callbacks();
  ASSERT_EQ(callbacks.size(), 1u);
  CallbackOutcome o = service_->on_search("ibr-remote", callbacks[0]);
  EXPECT_TRUE(o.known);
  EXPECT_TRUE(o.changed);
  EXPECT_EQ(o.note, "");
  Check done = get(a.id);
  EXPECT_EQ(done.state, CheckState::kCompleted);
  EXPECT_EQ(done.result, CheckResult::kConfirmedMatch);
  EXPECT_EQ(done.matched_programmes, (std::vector<std::string>{"Cash Transfer", "Food Aid"}));
  EXPECT_EQ(get(b.id).result, CheckResult::kNoMatch);

  // The same callback again: known, nothing changes, and the ack says why.
  clock_.advance(std::chrono::seconds(1));
  CallbackOutcome again = service_->on_search("ibr-remote", callbacks[0]);
  EXPECT_TRUE(again.known);
  EXPECT_FALSE(again.changed);
  EXPECT_NE(again.note.find("no longer waiting"), std::string::npos) << again.note;
  EXPECT_EQ(get(a.id).updated, done.updated);
}

TEST_P(CheckServiceDb, CallbackMatchesTheCorrelationIdExactlyNotASubstring) {
  // OpenSPP matched `notes ILIKE %id%`: "C-1" would have completed the check of "C-12".
  Check c = make(by_nid("N-100"));
  run_and_wait({c.id}, RunMode::kAsync);
  Json cb = client_.callbacks().at(0);
  std::string cid = cb["correlation_id"];
  std::vector<std::string> nears = {cid.substr(0, cid.size() - 1), cid.substr(1), "%",
                                    "correlation: " + cid, ""};
  for (const std::string& near : nears) {
    Json fake = cb;
    fake["correlation_id"] = near;
    CallbackOutcome o = service_->on_search("ibr-remote", fake);
    EXPECT_FALSE(o.known) << near;
    EXPECT_FALSE(o.changed) << near;
    EXPECT_FALSE(o.note.empty());
  }
  // Upper case is another id too.
  Json upper = cb;
  std::string u = cid;
  for (auto& ch : u) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  upper["correlation_id"] = u;
  if (u != cid) {
    EXPECT_FALSE(service_->on_search("ibr-remote", upper).known);
  }
  EXPECT_EQ(get(c.id).state, CheckState::kChecking);
  EXPECT_TRUE(service_->on_search("ibr-remote", cb).changed);
}

TEST_P(CheckServiceDb, CallbackShapesOfOpenSppTests) {
  // test_on_search_updates_pending_check_to_match: an item without reference_id completes the
  // one waiting check; test_on_search_non_success_item_skipped: rjct.
  Check c = make(by_nid("N-100"));
  run_and_wait({c.id}, RunMode::kAsync);
  std::string cid = client_.posts().at(0).message["correlation_id"];
  CallbackOutcome pending = service_->on_search(
      "ibr",
      {{"correlation_id", cid},
       {"search_response", {{{"status", "pdng"}, {"data", {{"reg_records", Json::array()}}}}}}});
  EXPECT_TRUE(pending.known);
  EXPECT_FALSE(pending.changed);
  EXPECT_NE(pending.note.find("pdng"), std::string::npos);
  EXPECT_EQ(get(c.id).state, CheckState::kChecking);
  CallbackOutcome ok = service_->on_search(
      "ibr", {{"transaction_id", "t2"},
              {"correlation_id", cid},
              {"search_response",
               {{{"status", "succ"},
                 {"data", {{"reg_records", {{{"programs", {{{"name", "Cash Transfer"}}}}}}}}}}}}});
  EXPECT_TRUE(ok.changed);
  Check done = get(c.id);
  EXPECT_EQ(done.result, CheckResult::kConfirmedMatch);
  EXPECT_EQ(done.matched_programmes, std::vector<std::string>{"Cash Transfer"});

  Check r = make(by_nid("N-200"));
  run_and_wait({r.id}, RunMode::kAsync);
  std::string rcid = client_.posts().at(1).message["correlation_id"];
  CallbackOutcome rej = service_->on_search(
      "ibr", {{"correlation_id", rcid},
              {"search_response", {{{"status", "rjct"}, {"status_reason_message", "bad"}}}}});
  EXPECT_TRUE(rej.changed);
  EXPECT_EQ(get(r.id).state, CheckState::kFailed);
  EXPECT_EQ(get(r.id).error, "rejected by the registry (bad)");
  // No correlation id at all: nothing known.
  EXPECT_FALSE(service_->on_search("ibr", {{"search_response", Json::array()}}).known);
}

TEST_P(CheckServiceDb, AsyncRefusalAndLostAckAreTruthful) {
  client_.set(test::IbrSourceClient::Behaviour::kNack);
  Check refused = make(by_nid("N-100"));
  run_and_wait({refused.id}, RunMode::kAsync);
  Check r = get(refused.id);
  EXPECT_EQ(r.state, CheckState::kFailed);
  EXPECT_NE(r.error.find("err.request.bad"), std::string::npos) << r.error;
  // No HTTP answer at all: the IBR may have it and call back, so the check waits (until the
  // deadline).
  client_.set(test::IbrSourceClient::Behaviour::kTimeout);
  Check lost = make(by_nid("N-100"));
  run_and_wait({lost.id}, RunMode::kAsync);
  EXPECT_EQ(get(lost.id).state, CheckState::kChecking);
}

TEST_P(CheckServiceDb, SweeperFailsChecksPastTheDeadlineOnly) {
  client_.set(test::IbrSourceClient::Behaviour::kHold);  // the answer never comes
  auto old_done = std::make_shared<std::promise<void>>();
  RunObserver observer;
  observer.on_all = [old_done] { old_done->set_value(); };
  Check old = make(by_nid("N-100"));
  service_->run({old.id}, RunMode::kSync, actor_, observer);
  clock_.advance(std::chrono::seconds(300));
  auto young_done = std::make_shared<std::promise<void>>();
  RunObserver young_observer;
  young_observer.on_all = [young_done] { young_done->set_value(); };
  Check young = make(by_nid("N-200"));
  service_->run({young.id}, RunMode::kSync, actor_, young_observer);
  EXPECT_EQ(service_->sweep(), 0);
  clock_.advance(std::chrono::seconds(301));  // old: 601 s, young: 301 s
  EXPECT_EQ(service_->sweep(), 1);
  Check o = get(old.id);
  EXPECT_EQ(o.state, CheckState::kFailed);
  EXPECT_EQ(o.error, "timeout: no answer within 600 s of sending");
  EXPECT_EQ(get(young.id).state, CheckState::kChecking);
  // The late end of the timed-out check's POST changes nothing.
  client_.release_held({0, "client stopped", nullptr, false});
  old_done->get_future().wait();
  young_done->get_future().wait();
  Check after = get(old.id);
  EXPECT_EQ(after.error, "timeout: no answer within 600 s of sending");
  EXPECT_EQ(after.updated, o.updated);
  // The young one's POST failed for real: it says so.
  EXPECT_EQ(get(young.id).state, CheckState::kFailed);
  EXPECT_EQ(get(young.id).error, "the search failed: client stopped");
}

// The sweeper as the module runs it: a periodic job on the Background, here on a timer clock
// the test moves.
TEST_P(CheckServiceDb, SweeperRunsOnTheBackgroundEveryInterval) {
  core::ManualTimerClock timers;
  core::Background bg({1, "sweep-test", &timers});
  CheckSettings settings = service_->settings();
  settings.sweep_interval = std::chrono::seconds(60);
  CheckService sweeping(db_, clock_, bg, &client_, settings);
  client_.set(test::IbrSourceClient::Behaviour::kHold);
  Check c = make(by_nid("N-100"));
  sweeping.run({c.id}, RunMode::kSync, actor_);
  sweeping.start_sweeper();
  ASSERT_EQ(bg.armed_timers(), 1u);
  clock_.advance(std::chrono::seconds(601));
  EXPECT_EQ(get(c.id).state, CheckState::kChecking);  // nothing runs until the timer is due
  timers.advance(std::chrono::seconds(60));
  // The job runs on the Background's thread: wait for its write (bounded; no time asserted).
  for (int i = 0; i < 4000 && get(c.id).state == CheckState::kChecking; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(get(c.id).state, CheckState::kFailed);
  sweeping.stop();
  bg.stop();
}

TEST_P(CheckServiceDb, RetryAndDeleteAreAudited) {
  Check c = make(by_nid("N-100"));
  run_and_wait({c.id});
  Check r = service_->retry(c.id, actor_);
  EXPECT_EQ(r.state, CheckState::kReady);
  EXPECT_EQ(r.correlation_id, "");
  service_->remove(c.id, actor_);
  EXPECT_FALSE(service_->find(c.id).has_value());
  EXPECT_THROW(service_->remove(c.id, actor_), core::Error);
  EXPECT_THROW(service_->retry(c.id, actor_), core::Error);
  // What touched this check alone is audited under its id...
  auto audit = db_.read([&](soci::session& s) { return store::read_audit(s, c.id, 10); });
  std::vector<std::string> actions;
  for (const auto& a : audit) actions.insert(actions.begin(), a.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"dci_client.check.create", "dci_client.check.retry",
                                               "dci_client.check.delete"}));
  EXPECT_EQ(audit.front().actor, "officer-1");
  EXPECT_EQ(audit.front().request_id, "req-1");
  // ...the run and its answer under the envelope's transaction id, listing the check.
  auto all = db_.read([&](soci::session& s) { return store::read_audit(s, "", 20); });
  std::map<std::string, Json> by_action;
  for (const auto& a : all) by_action[a.action] = a.detail;
  auto transaction = client_.posts().at(0).message["transaction_id"].get<std::string>();
  ASSERT_TRUE(by_action.count("dci_client.checks.run"));
  EXPECT_EQ(by_action["dci_client.checks.run"]["checks"],
            (Json::array({{{"id", c.id}, {"state", "checking"}}})));
  ASSERT_TRUE(by_action.count("dci_client.checks.answer"));
  EXPECT_EQ(by_action["dci_client.checks.answer"]["checks"][0]["id"], c.id);
  EXPECT_EQ(by_action["dci_client.checks.answer"]["checks"][0]["result"], "confirmed_match");
  for (const auto& a : all) {
    if (a.action.starts_with("dci_client.checks.")) {
      EXPECT_EQ(a.subject, transaction) << a.action;
    }
  }
}

// The answer's entries are written on the Background, after the request's thread: they carry the
// server's request id that the Actor took where the request was handled.
TEST_P(CheckServiceDb, EntriesWrittenAfterTheRequestKeepItsServerRequestId) {
  actor_.server_request_id = "srv-run-1";
  Check c = make(by_nid("N-100"));
  run_and_wait({c.id});
  auto all = db_.read([&](soci::session& s) { return store::read_audit(s, "", 20); });
  std::map<std::string, std::optional<std::string>> by_action;
  for (const auto& a : all) by_action[a.action] = a.server_request_id;
  ASSERT_TRUE(by_action.count("dci_client.checks.answer"));
  EXPECT_EQ(by_action["dci_client.checks.answer"], "srv-run-1");
  EXPECT_EQ(by_action["dci_client.checks.run"], "srv-run-1");
  EXPECT_EQ(by_action["dci_client.check.create"], "srv-run-1");
  EXPECT_FALSE(db_.read([](soci::session& s) { return store::verify_audit_chain(s); }).broken_id);
}

TEST_P(CheckServiceDb, ViewersDoNotSeeIdentifierValuesOrRawResponses) {
  Check c = make(by_nid("N-100"));
  run_and_wait({c.id});
  Json viewer = check_to_json(get(c.id), false);
  EXPECT_EQ(viewer.dump().find("N-100"), std::string::npos);
  EXPECT_FALSE(viewer.contains("raw_response"));
  EXPECT_EQ(viewer["result"], "confirmed_match");
  Json full = check_to_json(get(c.id), true);
  EXPECT_NE(full.dump().find("N-100"), std::string::npos);
  EXPECT_TRUE(full["raw_response"].is_object());
}

TEST_P(CheckServiceDb, NoSourceClientRefusesBeforeChangingAnything) {
  CheckService bare(db_, clock_, background_, nullptr, service_->settings());
  Check c = make(by_nid("N-100"));
  EXPECT_THROW(bare.run({c.id}, RunMode::kSync, actor_), core::Error);
  EXPECT_EQ(get(c.id).state, CheckState::kReady);
}

// An AnswerTrust whose verdicts the test sets: which sender each source's registry signs as,
// and what a signature check says.
class ScriptedTrust final : public AnswerTrust {
 public:
  std::string signer_of(const std::string& source) override {
    auto it = registries.find(source);
    return it == registries.end() ? "" : it->second;
  }
  std::string refusal(std::string_view, std::string& signer, Json* = nullptr) override {
    ++checked;
    signer = signed_by;
    return why;
  }
  std::map<std::string, std::string> registries;
  std::string signed_by = "ibr-remote";
  std::string why;
  std::atomic<int> checked{0};
};

class CheckServiceTrust : public CheckServiceDb {
 protected:
  CheckServiceTrust() {
    trust_.registries["ibr_main"] = "ibr-remote";
    service_->stop();
    service_ = std::make_unique<CheckService>(db_, clock_, background_, &client_,
                                              service_->settings(), &trust_);
  }
  ScriptedTrust trust_;
};

TEST_P(CheckServiceTrust, SyncAnswerWithARefusedSignatureFailsItsChecks) {
  trust_.why = "Invalid signature";
  Check c = make(by_nid("N-100"));
  run_and_wait({c.id});
  EXPECT_EQ(trust_.checked, 1);
  Check failed = get(c.id);
  EXPECT_EQ(failed.state, CheckState::kFailed);
  EXPECT_EQ(failed.error, "the answer's signature was refused: Invalid signature");
  EXPECT_FALSE(failed.result.has_value());
}

TEST_P(CheckServiceTrust, SyncAnswerSignedByAnotherRegistryFailsItsChecks) {
  trust_.signed_by = "ibr-elsewhere";  // a trusted sender, but not the one asked
  Check c = make(by_nid("N-100"));
  run_and_wait({c.id});
  Check failed = get(c.id);
  EXPECT_EQ(failed.state, CheckState::kFailed);
  EXPECT_EQ(failed.error,
            "the answer is signed by sender ibr-elsewhere, not by the data source's registry "
            "ibr-remote");
  // The same answer from the registry asked is read.
  trust_.signed_by = "ibr-remote";
  service_->retry(c.id, actor_);
  run_and_wait({c.id});
  EXPECT_EQ(get(c.id).result, CheckResult::kConfirmedMatch);
}

TEST_P(CheckServiceTrust, CallbackFromAnotherRegistryChangesNothing) {
  Check c = make(by_nid("N-100"));
  run_and_wait({c.id}, RunMode::kAsync);
  auto callbacks = client_.callbacks();
  ASSERT_EQ(callbacks.size(), 1u);
  CallbackOutcome o = service_->on_search("ibr-elsewhere", callbacks[0]);
  EXPECT_TRUE(o.known);
  EXPECT_FALSE(o.changed);
  EXPECT_NE(o.note.find("asked ibr-remote, not sender ibr-elsewhere"), std::string::npos) << o.note;
  EXPECT_EQ(get(c.id).state, CheckState::kChecking);
  CallbackOutcome right = service_->on_search("ibr-remote", callbacks[0]);
  EXPECT_TRUE(right.changed) << right.note;
  EXPECT_EQ(get(c.id).result, CheckResult::kConfirmedMatch);
}

TEST_P(CheckServiceTrust, VerifyAnswersOffTakesAnswersAsTheyCome) {
  CheckSettings settings = service_->settings();
  settings.verify_answers = false;
  service_->stop();
  service_ = std::make_unique<CheckService>(db_, clock_, background_, &client_, settings, &trust_);
  trust_.why = "Invalid signature";
  Check c = make(by_nid("N-100"));
  run_and_wait({c.id});
  EXPECT_EQ(trust_.checked, 0);
  EXPECT_EQ(get(c.id).result, CheckResult::kConfirmedMatch);
}

INSTANTIATE_TEST_SUITE_P(Backends, CheckServiceTrust,
                         ::testing::ValuesIn(registrar::testing::test_backends()),
                         [](const auto& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(Backends, CheckServiceDb,
                         ::testing::ValuesIn(registrar::testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::dci_client
