// IBR outbox deliveries under kill -9 (docs/ibr.md, "Outbox": at least once). Client threads
// queue async searches over HTTP — each acknowledged by a 202 with its correlation id, its
// callback committed to the outbox — towards a receiver on loopback that refuses its first
// requests and then takes 300 ms per callback, so that deliveries are in flight. The server is
// killed with SIGKILL while the receiver holds at least one delivery and started again on the
// same database. Every acknowledged search's callback then reaches the receiver at least once;
// a callback that arrives twice is the same signed message (the test counts and prints those);
// no outbox row is left undelivered, and the receiver got nothing the outbox does not hold.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "crash_fixture.h"
#include "ibr/api_fixture.h"
#include "store/database.h"
#include "support/callback_receiver.h"

namespace registrar::reliability {
namespace {

using namespace ibr::test;

constexpr int kRefused = 5;
constexpr auto kDelay = std::chrono::milliseconds(300);

// Quick polls and retries, and many attempts, so that no row ends `failed`; a request timeout
// well above the receiver's delay, so that redeliveries come from the kill, not from time-outs.
// The lease is 2 × request_timeout_ms + poll_interval_ms: the restarted server sends the rows
// the killed one held about 4 s after the kill.
constexpr const char* kOutbox =
    "[ibr.outbox]\npoll_interval_ms = 50\nbackoff_base_ms = 50\nbackoff_cap_ms = 300\n"
    "request_timeout_ms = 2000\nmax_attempts = 1000\nbatch = 4\n";

class IbrOutboxCrashTest : public IbrProcessTest {
 protected:
  int64_t scalar(const std::string& sql) {
    store::Database db(db_.options(1));
    return db.read([&](soci::session& s) {
      long long n = 0;
      s << sql, soci::into(n);
      return int64_t(n);
    });
  }
};

// Each correlation id the receiver got, with every body it got for it.
std::map<std::string, std::vector<std::string>> by_correlation_id(
    const std::vector<testing::CallbackReceiver::Received>& got) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& g : got)
    out[Json::parse(g.body)["message"]["correlation_id"].get<std::string>()].push_back(g.body);
  return out;
}

TEST_P(IbrOutboxCrashTest, EveryAcknowledgedCallbackArrivesAfterAKill9MidDelivery) {
  testing::CallbackReceiver receiver(kRefused, kDelay);
  start(kOutbox);
  ASSERT_FALSE(HasFailure());
  // Paced (one search per thread every 50 ms): the receiver takes about 13 callbacks a second,
  // and the queue it has to work through after the restart stays a few seconds long.
  WriteLoad load(2, [&](int t, int i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::string id = std::to_string(t) + "-" + std::to_string(i);
    dci::MsgHeader h = header("sp-mis", "search");
    h.message_id = "m-" + id;
    h.sender_uri = receiver.url("/on-search");
    auto r = post("/registry/search", signer_.sign_envelope(h, search_message("1", "t-" + id)));
    expect_status(r, 202, "async search " + id);
    return Json::parse(r.body)["message"]["correlation_id"].get<std::string>();
  });
  ASSERT_TRUE(load.wait_for(20)) << ::testing::PrintToString(load.errors()) << p_->log();
  // Kill while a delivery is in flight: it reached the receiver, which has not answered yet.
  ASSERT_TRUE(receiver.wait_until(
      [&](const auto& got) { return got.size() >= 3 && receiver.arrived() > int(got.size()); },
      std::chrono::seconds(60)))
      << p_->log();
  load.kill_started();
  p_->kill9();
  // No new arrivals once the sender is dead; those still in the receiver's delay were in
  // flight (read in this order, the count can only be too low).
  const int arrived_at_kill = receiver.arrived();
  const int in_flight_at_kill = arrived_at_kill - int(receiver.received().size());
  load.stop();
  ASSERT_EQ(load.errors(), std::vector<std::string>{});
  EXPECT_GE(in_flight_at_kill, 1) << "no delivery in flight at the kill: nothing tested";

  restart();
  const std::vector<std::string> acknowledged = load.acknowledged();
  const std::set<std::string> wanted(acknowledged.begin(), acknowledged.end());
  ASSERT_EQ(wanted.size(), acknowledged.size()) << "a correlation id acknowledged twice";
  bool all = receiver.wait_until(
      [&](const auto& got) {
        auto ids = by_correlation_id(got);
        for (const auto& c : wanted)
          if (!ids.count(c)) return false;
        return true;
      },
      std::chrono::seconds(120));
  EXPECT_TRUE(all) << by_correlation_id(receiver.received()).size() << " of " << wanted.size()
                   << " acknowledged searches called back\n"
                   << p_->log();
  // Every row delivered (the searches in flight at the kill too, acknowledged or not): after
  // that nothing is sent again, so the receiver's counts are final.
  int64_t pending = -1;
  for (int loop = 0; loop < 600 && pending != 0; ++loop) {
    if (loop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    pending = scalar("SELECT COUNT(*) FROM ibr_outbox WHERE state <> 'delivered'");
  }
  EXPECT_EQ(pending, 0) << p_->log();
  // Deliveries still inside the receiver when the row was marked would be counted late.
  ASSERT_TRUE(
      receiver.wait_until([&](const auto& got) { return int(got.size()) == receiver.arrived(); }));

  const auto got = by_correlation_id(receiver.received());
  for (const auto& c : wanted) EXPECT_TRUE(got.count(c)) << "lost: the callback of " << c;
  int twice = 0, copies = 0, unacknowledged = 0;
  for (const auto& [c, bodies] : got) {
    unacknowledged += !wanted.count(c);
    copies += int(bodies.size());
    if (bodies.size() > 1) ++twice;
    // Signed once, sent byte for byte: a receiver can drop the copy by its message_id.
    for (const auto& b : bodies) EXPECT_EQ(b, bodies.front()) << c;
  }
  // Searches committed at the kill whose 202 never reached their client (one per thread).
  EXPECT_LE(unacknowledged, load.threads());
  // The receiver got exactly the outbox's rows, none made up, none missing.
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM ibr_outbox"), int64_t(got.size()));
  EXPECT_EQ(receiver.refused(), kRefused);
  // What was in flight at the kill arrived, but its sender never had the answer: sent again.
  EXPECT_GE(twice, in_flight_at_kill);
  std::printf(
      "[%s] %zu async searches acknowledged (+%d committed at the kill unacknowledged); "
      "at least %d deliveries in flight at the kill (%d arrived before it); after the restart all "
      "%zu "
      "callbacks arrived, %d copies in all: %d arrived twice or more, none lost\n",
      GetParam().c_str(), wanted.size(), unacknowledged, in_flight_at_kill, arrived_at_kill,
      got.size(), copies, twice);
}

RELIABILITY_BACKENDS(IbrOutboxCrashTest);

}  // namespace
}  // namespace registrar::reliability
