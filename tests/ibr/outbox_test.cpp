// The outbox store on real databases: claiming under a lease, a lease that expires, the backoff
// schedule on a ManualClock, and the retry limit.
#include <gtest/gtest.h>

#include "ibr/ibr_fixture.h"
#include "ibr/outbox_store.h"

namespace registrar::ibr {
namespace {

using namespace std::chrono_literals;
using test::IbrDbTest;

class OutboxTest : public IbrDbTest {
 protected:
  std::string enqueue(const std::string& txn) {
    return db_->write([&](soci::session& s) {
      return db::enqueue_outbox(
          s, {txn, "c-" + txn, "m-" + txn, "on-search", "sp-mis", "http://127.0.0.1:1/cb", "{}"},
          clock_.now());
    });
  }
  std::vector<OutboxRow> claim(const std::string& owner, size_t limit = 10,
                               std::chrono::seconds lease = 30s) {
    return db_->write([&](soci::session& s) {
      return db::claim_outbox(s, owner, limit, clock_.now(), clock_.now() + lease);
    });
  }
  std::optional<OutboxState> fail(const std::string& id, int64_t max_attempts,
                                  core::SystemTime retry_at, const std::string& owner = "a") {
    return db_->write([&](soci::session& s) {
      return db::mark_outbox_failed(s, id, owner, "HTTP 503", max_attempts, retry_at, clock_.now());
    });
  }
  OutboxRow row(const std::string& id) {
    auto r = db_->read([&](soci::session& s) { return db::find_outbox(s, id); });
    EXPECT_TRUE(r.has_value());
    return r ? *r : OutboxRow{};
  }
};

TEST_P(OutboxTest, EachDueRowIsClaimedByOneOwnerOnly) {
  std::string a = enqueue("t1");
  clock_.advance(1ms);
  std::string b = enqueue("t2");
  clock_.advance(1ms);
  std::string c = enqueue("t3");

  auto first = claim("instance-a", 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, a);  // oldest due first
  EXPECT_EQ(first[1].id, b);
  EXPECT_EQ(first[0].lease_owner, "instance-a");
  EXPECT_EQ(first[0].message.body, "{}");
  EXPECT_EQ(first[0].message.target_url, "http://127.0.0.1:1/cb");

  auto second = claim("instance-b");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, c);
  EXPECT_TRUE(claim("instance-b").empty());
  EXPECT_TRUE(claim("instance-a").empty());
}

TEST_P(OutboxTest, AnExpiredLeaseIsClaimedAgain) {
  std::string id = enqueue("t1");
  ASSERT_EQ(claim("dead-instance", 10, 10s).size(), 1u);
  clock_.advance(9s);
  EXPECT_TRUE(claim("other").empty());  // still leased
  clock_.advance(2s);
  auto again = claim("other");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, id);
  EXPECT_EQ(again[0].lease_owner, "other");
  EXPECT_EQ(again[0].state, OutboxState::kPending);
  // The first claimer's late report of a failure does not touch the new claim.
  EXPECT_EQ(fail(id, 5, clock_.now() + 1h, "dead-instance"), std::nullopt);
  EXPECT_EQ(row(id).lease_owner, "other");
  EXPECT_EQ(row(id).attempts, 0);
}

TEST_P(OutboxTest, DeliveredRowsAreNotClaimedAgain) {
  std::string id = enqueue("t1");
  ASSERT_EQ(claim("a").size(), 1u);
  EXPECT_TRUE(
      db_->write([&](soci::session& s) { return db::mark_outbox_delivered(s, id, clock_.now()); }));
  OutboxRow r = row(id);
  EXPECT_EQ(r.state, OutboxState::kDelivered);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_FALSE(r.lease_until.has_value());
  clock_.advance(1h);
  EXPECT_TRUE(claim("b").empty());
  // A second report of the same delivery changes nothing.
  EXPECT_FALSE(
      db_->write([&](soci::session& s) { return db::mark_outbox_delivered(s, id, clock_.now()); }));
}

TEST(OutboxBackoff, DoublesUpToTheCapWithHalfOfItJittered) {
  const auto base = 1000ms, cap = 60'000ms;
  EXPECT_EQ(outbox_backoff(1, base, cap, 0.0), 500ms);
  EXPECT_EQ(outbox_backoff(1, base, cap, 1.0), 1000ms);
  EXPECT_EQ(outbox_backoff(2, base, cap, 1.0), 2000ms);
  EXPECT_EQ(outbox_backoff(3, base, cap, 0.5), 3000ms);      // 4000 · (1/2 + 1/4)
  EXPECT_EQ(outbox_backoff(7, base, cap, 1.0), 60'000ms);    // 64 s, capped
  EXPECT_EQ(outbox_backoff(500, base, cap, 0.0), 30'000ms);  // no overflow
}

TEST_P(OutboxTest, AFailedAttemptWaitsForItsBackoff) {
  std::string id = enqueue("t1");
  ASSERT_EQ(claim("a").size(), 1u);
  auto delay = outbox_backoff(1, 1000ms, 60'000ms, 1.0);
  EXPECT_EQ(fail(id, 5, clock_.now() + delay), OutboxState::kPending);
  OutboxRow r = row(id);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.last_error, "HTTP 503");
  EXPECT_FALSE(r.lease_until.has_value());
  EXPECT_EQ(r.next_attempt, clock_.now() + delay);

  clock_.advance(delay - 1ms);
  EXPECT_TRUE(claim("a").empty());  // not due yet
  clock_.advance(1ms);
  ASSERT_EQ(claim("a").size(), 1u);
  // The second failure waits twice as long.
  auto second = outbox_backoff(2, 1000ms, 60'000ms, 1.0);
  EXPECT_EQ(second, 2 * delay);
  fail(id, 5, clock_.now() + second);
  clock_.advance(second - 1ms);
  EXPECT_TRUE(claim("a").empty());
  clock_.advance(1ms);
  EXPECT_EQ(claim("a").size(), 1u);
}

TEST_P(OutboxTest, TheLastAllowedAttemptMarksTheRowFailed) {
  std::string id = enqueue("t1");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_EQ(claim("a").size(), 1u) << attempt;
    auto state = fail(id, 3, clock_.now() + 1s);
    EXPECT_EQ(state, attempt < 3 ? OutboxState::kPending : OutboxState::kFailed) << attempt;
    clock_.advance(2s);
  }
  OutboxRow r = row(id);
  EXPECT_EQ(r.state, OutboxState::kFailed);
  EXPECT_EQ(r.attempts, 3);
  clock_.advance(24h);
  EXPECT_TRUE(claim("a").empty());
  EXPECT_EQ(fail(id, 3, clock_.now()), std::nullopt);  // no longer pending
}

TEST_P(OutboxTest, RowsOfATransactionAreListedInOrder) {
  std::string a = enqueue("t1");
  clock_.advance(1ms);
  enqueue("t2");
  auto rows = db_->read([&](soci::session& s) { return db::outbox_of(s, "sp-mis", "c-t1"); });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, a);
  EXPECT_EQ(rows[0].message.message_id, "m-t1");
  EXPECT_TRUE(
      db_->read([&](soci::session& s) { return db::outbox_of(s, "other", "c-t1"); }).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr
