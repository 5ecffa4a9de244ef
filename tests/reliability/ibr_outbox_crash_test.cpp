// IBR outbox deliveries under kill -9 (docs/ibr.md, "Outbox": at least once). Client threads
// queue async searches over HTTP — each acknowledged by a 202 with its correlation id, its
// callback committed to the outbox — towards a receiver on loopback that refuses its first
// requests and then takes 300 ms per callback, so that deliveries are in flight. The server is
// killed with SIGKILL while the receiver holds at least one delivery, and then
//   - started again on the same database (KilledAndRestarted...), or
//   - not: a second instance on the same database, running all along, sends the rows the killed
//     one had leased once their lease runs out (KilledWhileAnotherInstanceRuns...).
// Either way every acknowledged search's callback then reaches the receiver at least once; a
// callback that arrives twice is the same signed message (the test counts and prints those); no
// outbox row is left undelivered, and the receiver got nothing the outbox does not hold.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <chrono>
#include <cstdio>
#include <functional>
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
// The lease is 2 × request_timeout_ms + poll_interval_ms: the rows the killed server held are
// sent again about 4 s after the kill.
constexpr const char* kOutbox =
    "[ibr.outbox]\npoll_interval_ms = 50\nbackoff_base_ms = 50\nbackoff_cap_ms = 300\n"
    "request_timeout_ms = 2000\nmax_attempts = 1000\nbatch = 4\n";

// Each correlation id the receiver got, with every body it got for it.
std::map<std::string, std::vector<std::string>> by_correlation_id(
    const std::vector<testing::CallbackReceiver::Received>& got) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& g : got)
    out[Json::parse(g.body)["message"]["correlation_id"].get<std::string>()].push_back(g.body);
  return out;
}

class IbrOutboxCrashTest : public IbrProcessTest {
 protected:
  IbrOutboxCrashTest() : receiver_(kRefused, kDelay) {}

  int64_t scalar(const std::string& sql) { return db_.scalar(sql); }

  // Two client threads queuing async searches through `p_`, one per thread every 50 ms (the
  // receiver takes about 13 callbacks a second, so the queue left after the kill stays short).
  std::unique_ptr<WriteLoad> searches() {
    return std::make_unique<WriteLoad>(2, [this](int t, int i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const std::string id = std::to_string(t) + "-" + std::to_string(i);
      dci::MsgHeader h = header("sp-mis", "search");
      h.message_id = "m-" + id;
      h.sender_uri = receiver_.url("/on-search");
      auto r = post("/registry/search", signer_.sign_envelope(h, search_message("1", "t-" + id)));
      expect_status(r, 202, "async search " + id);
      return Json::parse(r.body)["message"]["correlation_id"].get<std::string>();
    });
  }

  // Once 20 searches were acknowledged, a delivery is in flight (it reached the receiver,
  // which has not answered yet) and `also()` holds, kills `p_` with SIGKILL; returns the
  // deliveries still in flight just after the kill (read in this order, the count can only be
  // too low).
  int kill_mid_delivery(
      WriteLoad& load, const std::function<bool()>& also = [] { return true; }) {
    EXPECT_TRUE(load.wait_for(20)) << ::testing::PrintToString(load.errors()) << p_->log();
    EXPECT_TRUE(receiver_.wait_until(
        [&](const auto& got) {
          return got.size() >= 3 && receiver_.arrived() > int(got.size()) && also();
        },
        std::chrono::seconds(60)))
        << p_->log();
    load.kill_started();
    p_->kill9();
    arrived_at_kill_ = receiver_.arrived();
    const int in_flight = arrived_at_kill_ - int(receiver_.received().size());
    load.stop();
    EXPECT_EQ(load.errors(), std::vector<std::string>{});
    EXPECT_GE(in_flight, 1) << "no delivery in flight at the kill: nothing tested";
    return in_flight;
  }

  struct Delivered {
    size_t acknowledged = 0, callbacks = 0;
    int copies = 0, twice = 0, unacknowledged = 0;
  };

  // After the kill: waits until every acknowledged search was called back and every outbox row
  // is delivered, and checks what the receiver got (see the file comment). `log` is the log of
  // the process that is still delivering.
  Delivered check_deliveries(const WriteLoad& load, const std::function<std::string()>& log) {
    const std::vector<std::string> acknowledged = load.acknowledged();
    const std::set<std::string> wanted(acknowledged.begin(), acknowledged.end());
    EXPECT_EQ(wanted.size(), acknowledged.size()) << "a correlation id acknowledged twice";
    bool all = receiver_.wait_until(
        [&](const auto& got) {
          auto ids = by_correlation_id(got);
          for (const auto& c : wanted)
            if (!ids.count(c)) return false;
          return true;
        },
        std::chrono::seconds(120));
    EXPECT_TRUE(all) << by_correlation_id(receiver_.received()).size() << " of " << wanted.size()
                     << " acknowledged searches called back\n"
                     << log();
    // Every row delivered (the searches in flight at the kill too, acknowledged or not): after
    // that nothing is sent again, so the receiver's counts are final.
    int64_t pending = -1;
    for (int loop = 0; loop < 600 && pending != 0; ++loop) {
      if (loop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      pending = scalar("SELECT COUNT(*) FROM ibr_outbox WHERE state <> 'delivered'");
    }
    EXPECT_EQ(pending, 0) << log();
    // Deliveries still inside the receiver when their row was marked would be counted late.
    EXPECT_TRUE(receiver_.wait_until(
        [&](const auto& got) { return int(got.size()) == receiver_.arrived(); }));

    Delivered d;
    d.acknowledged = wanted.size();
    const auto got = by_correlation_id(receiver_.received());
    d.callbacks = got.size();
    for (const auto& c : wanted) EXPECT_TRUE(got.count(c)) << "lost: the callback of " << c;
    for (const auto& [c, bodies] : got) {
      d.unacknowledged += !wanted.count(c);
      d.copies += int(bodies.size());
      if (bodies.size() > 1) ++d.twice;
      // Signed once, sent byte for byte: a receiver can drop the copy by its message_id.
      for (const auto& b : bodies) EXPECT_EQ(b, bodies.front()) << c;
    }
    // Searches committed at the kill whose 202 never reached their client (one per thread).
    EXPECT_LE(d.unacknowledged, load.threads());
    // The receiver got exactly the outbox's rows, none made up, none missing.
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM ibr_outbox"), int64_t(got.size()));
    EXPECT_EQ(receiver_.refused(), kRefused);
    return d;
  }

  testing::CallbackReceiver receiver_;
  int arrived_at_kill_ = 0;
};

TEST_P(IbrOutboxCrashTest, EveryAcknowledgedCallbackArrivesWhenKilledAndRestarted) {
  start(kOutbox);
  ASSERT_FALSE(HasFailure());
  auto load = searches();
  const int in_flight = kill_mid_delivery(*load);
  ASSERT_FALSE(HasFailure());

  restart();
  Delivered d = check_deliveries(*load, [&] { return p_->log(); });
  // What was in flight at the kill arrived, but its sender never had the answer: sent again.
  EXPECT_GE(d.twice, in_flight);
  std::printf(
      "[%s, restarted] %zu async searches acknowledged (+%d committed at the kill "
      "unacknowledged); at least %d deliveries in flight at the kill (%d arrived before it); "
      "after the restart all %zu callbacks arrived, %d copies in all: %d arrived twice or more, "
      "none lost\n",
      GetParam().c_str(), d.acknowledged, d.unacknowledged, in_flight, arrived_at_kill_,
      d.callbacks, d.copies, d.twice);
}

// The "outbox_owner" the instance logged at start (its lease name).
std::string outbox_owner(const std::string& log) {
  const std::string key = "\"outbox_owner\":\"";
  size_t at = log.find(key);
  if (at == std::string::npos) return "";
  at += key.size();
  return log.substr(at, log.find('"', at) - at);
}

TEST_P(IbrOutboxCrashTest, EveryAcknowledgedCallbackArrivesWhenKilledWhileAnotherInstanceRuns) {
  start(kOutbox);
  ASSERT_FALSE(HasFailure());
  // A second instance on the same database and master key, delivering from the start.
  testing::ProcessOptions o;
  o.database_url = db_.url();
  o.extra_config = kOutbox;
  o.env["REGISTRAR_IDENTITY_MASTER_KEY_FILE"] = p_->env().at("REGISTRAR_IDENTITY_MASTER_KEY_FILE");
  testing::RegistrarProcess other(o);
  const std::string killed_owner = outbox_owner(p_->log());
  ASSERT_FALSE(killed_owner.empty()) << p_->log();
  ASSERT_NE(outbox_owner(other.log()), killed_owner);

  // Rows leased to the instance that is killed and not delivered: the other instance may claim
  // them only once their lease has run out.
  const std::string held_sql =
      "SELECT COUNT(*) FROM ibr_outbox WHERE state = 'pending' AND lease_owner = '" + killed_owner +
      "'";
  auto load = searches();  // through the instance that is killed
  const int in_flight = kill_mid_delivery(*load, [&] { return scalar(held_sql) > 0; });
  ASSERT_FALSE(HasFailure());
  const int64_t held = scalar(held_sql);
  EXPECT_GE(held, 1) << "the killed instance held no delivery: nothing taken over";

  Delivered d = check_deliveries(*load, [&] { return other.log(); });
  std::printf(
      "[%s, another instance] %zu async searches acknowledged (+%d committed at the kill "
      "unacknowledged); at least %d deliveries in flight at the kill, %lld rows leased to the "
      "killed instance; the other instance delivered the rest: all %zu callbacks arrived, %d "
      "copies in all: %d arrived twice or more, none lost\n",
      GetParam().c_str(), d.acknowledged, d.unacknowledged, in_flight, static_cast<long long>(held),
      d.callbacks, d.copies, d.twice);
}

RELIABILITY_BACKENDS(IbrOutboxCrashTest);

}  // namespace
}  // namespace registrar::reliability
