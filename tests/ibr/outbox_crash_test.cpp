// Outbox delivery survives kill -9 of the server mid-delivery: many async searches queue their
// callbacks towards a slow receiver on loopback that also refuses the first attempts; the server
// is killed while deliveries are in flight and started again on the same database; every
// callback then arrives at least once (the receiver counts distinct correlation ids).
#include <gtest/gtest.h>

#include <set>

#include "ibr/api_fixture.h"
#include "support/callback_receiver.h"

namespace registrar::ibr {
namespace {

using namespace test;

constexpr int kCallbacks = 30;

// Short leases (2 × 500 ms + 50 ms) so that the restarted instance reclaims the rows the killed
// one held soon; retries quick and many, so that none ends `failed`.
constexpr const char* kCrashOutbox =
    "[ibr.outbox]\npoll_interval_ms = 50\nbackoff_base_ms = 50\nbackoff_cap_ms = 300\n"
    "request_timeout_ms = 500\nmax_attempts = 1000\nbatch = 4\n";

std::set<std::string> correlation_ids(const std::vector<testing::CallbackReceiver::Received>& got) {
  std::set<std::string> ids;
  for (const auto& g : got) ids.insert(Json::parse(g.body)["message"]["correlation_id"]);
  return ids;
}

class OutboxCrashTest : public IbrProcessTest {};

TEST_P(OutboxCrashTest, EveryCallbackArrivesAfterAKill9MidDelivery) {
  // 10 refusals, then 100 ms per accepted callback: deliveries are still going on at the kill.
  testing::CallbackReceiver receiver(10, std::chrono::milliseconds(100));
  start(kCrashOutbox);
  std::set<std::string> queued;
  for (int i = 0; i < kCallbacks; ++i) {
    dci::MsgHeader h = header("sp-mis", "search");
    h.message_id = "m-" + std::to_string(i);
    h.sender_uri = receiver.url("/on-search");
    auto r = post("/registry/search",
                  signer_.sign_envelope(h, search_message("1", "t-" + std::to_string(i))));
    ASSERT_EQ(r.status, 202) << r.body;
    queued.insert(Json::parse(r.body)["message"]["correlation_id"].get<std::string>());
  }
  ASSERT_EQ(queued.size(), size_t(kCallbacks));

  ASSERT_TRUE(receiver.wait_until([](const auto& got) { return got.size() >= 3; })) << p_->log();
  p_->kill9();
  size_t at_kill = correlation_ids(receiver.received()).size();
  EXPECT_LT(at_kill, size_t(kCallbacks)) << "everything arrived before the kill: nothing tested";

  restart();
  bool all = receiver.wait_until(
      [&](const auto& got) { return correlation_ids(got).size() >= size_t(kCallbacks); },
      std::chrono::seconds(90));
  std::set<std::string> arrived = correlation_ids(receiver.received());
  EXPECT_TRUE(all) << arrived.size() << " of " << kCallbacks << " arrived\n" << p_->log();
  EXPECT_EQ(arrived, queued);                                 // none lost, none made up
  EXPECT_GE(receiver.received().size(), size_t(kCallbacks));  // at least once
  EXPECT_EQ(receiver.refused(), 10);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxCrashTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr
