// The outbox delivery job against a receiver on loopback: a 2xx marks the row delivered, a
// refusal reschedules it after its backoff (measured on a ManualClock), the last allowed attempt
// marks it failed; two claimers racing on one database never get the same row.
#include "ibr/outbox.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "ibr/ibr_fixture.h"
#include "ibr/outbox_store.h"
#include "support/callback_receiver.h"

namespace registrar::ibr {
namespace {

using namespace std::chrono_literals;

class DeliveryTest : public test::IbrDbTest {
 protected:
  std::shared_ptr<OutboxDelivery> delivery(int64_t max_attempts) {
    IbrSettings::Outbox o;
    o.max_attempts = max_attempts;
    o.backoff_base = 1000ms;
    o.backoff_cap = 60'000ms;
    o.request_timeout = 5000ms;
    return OutboxDelivery::create(*db_, clock_, background_, client_, o);
  }
  std::string enqueue(const std::string& url) {
    return db_->write([&](soci::session& s) {
      return db::enqueue_outbox(s, {"t-1", "c-1", "m-1", "on-search", "sp-mis", url, "{\"a\":1}"},
                                clock_.now());
    });
  }
  OutboxRow row(const std::string& id) {
    return *db_->read([&](soci::session& s) { return db::find_outbox(s, id); });
  }
  // Waits until the job has recorded the outcome of attempt `attempts`.
  OutboxRow after_attempt(const std::string& id, int64_t attempts) {
    for (int i = 0; i < 1000; ++i) {
      OutboxRow r = row(id);
      if (r.attempts >= attempts && !r.lease_until) return r;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "attempt " << attempts << " was never recorded";
    return row(id);
  }

  core::Background background_{{1, "test-bg", nullptr}};
  http::HttpClient client_;
};

TEST_P(DeliveryTest, A2xxMarksTheRowDelivered) {
  testing::CallbackReceiver receiver;
  auto job = delivery(3);
  std::string id = enqueue(receiver.url("/on-search"));
  EXPECT_EQ(job->run_once(), 1u);
  OutboxRow r = after_attempt(id, 1);
  EXPECT_EQ(r.state, OutboxState::kDelivered);
  ASSERT_EQ(receiver.received().size(), 1u);
  EXPECT_EQ(receiver.received()[0].body, "{\"a\":1}");  // the bytes as queued
  EXPECT_EQ(job->run_once(), 0u);
  job->stop();
}

TEST_P(DeliveryTest, ARefusalIsRetriedAfterItsBackoffUntilTheLimit) {
  testing::CallbackReceiver receiver(100);  // refuses everything here
  auto job = delivery(2);
  std::string id = enqueue(receiver.url("/on-search"));
  core::SystemTime first = clock_.now();
  ASSERT_EQ(job->run_once(), 1u);
  OutboxRow r = after_attempt(id, 1);
  EXPECT_EQ(r.state, OutboxState::kPending);
  EXPECT_EQ(r.last_error, "HTTP 503");
  // Equal jitter: between half the base delay and all of it.
  EXPECT_GE(r.next_attempt, first + 500ms);
  EXPECT_LE(r.next_attempt, first + 1000ms);
  EXPECT_EQ(job->run_once(), 0u);  // not due yet

  clock_.set(r.next_attempt);
  ASSERT_EQ(job->run_once(), 1u);
  r = after_attempt(id, 2);
  EXPECT_EQ(r.state, OutboxState::kFailed);
  EXPECT_EQ(receiver.refused(), 2);
  clock_.advance(1h);
  EXPECT_EQ(job->run_once(), 0u);
  job->stop();
}

TEST_P(DeliveryTest, AnUnreachableReceiverCountsAsAFailedAttempt) {
  std::string url;
  {
    testing::CallbackReceiver gone;
    url = gone.url("/on-search");
  }  // nothing listens there any more
  auto job = delivery(5);
  std::string id = enqueue(url);
  ASSERT_EQ(job->run_once(), 1u);
  OutboxRow r = after_attempt(id, 1);
  EXPECT_EQ(r.state, OutboxState::kPending);
  EXPECT_FALSE(r.last_error.empty());
  job->stop();
}

TEST_P(DeliveryTest, TwoClaimersRacingNeverGetTheSameRow) {
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(enqueue("http://127.0.0.1:1/x"));
  store::Database other(tdb_.options());  // a second instance's connections
  std::vector<OutboxRow> a, b;
  auto claim = [&](store::Database& db, const std::string& owner, std::vector<OutboxRow>& out) {
    for (int i = 0; i < 20; ++i) {
      auto got = db.write([&](soci::session& s) {
        return db::claim_outbox(s, owner, 3, clock_.now(), clock_.now() + 1min);
      });
      out.insert(out.end(), got.begin(), got.end());
    }
  };
  std::thread ta([&] { claim(*db_, "a", a); });
  std::thread tb([&] { claim(other, "b", b); });
  ta.join();
  tb.join();
  std::set<std::string> seen;
  for (const auto& r : a) EXPECT_TRUE(seen.insert(r.id).second) << r.id;
  for (const auto& r : b) EXPECT_TRUE(seen.insert(r.id).second) << "claimed twice: " << r.id;
  EXPECT_EQ(seen, std::set<std::string>(ids.begin(), ids.end()));
}

INSTANTIATE_TEST_SUITE_P(Backends, DeliveryTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr
