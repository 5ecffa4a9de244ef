// The change feed and the cache that follows it, on every backend: which writes append to the
// feed, pruning, a local write evicting at once, a write through another service (another
// instance) evicted at the next poll, the fill/evict race against real reads, and the fallback to
// the database when the feed cannot be read. The follower is polled by hand with synthetic times.
#include <gtest/gtest.h>

#include "authz/authz_fixture.h"
#include "authz/change_follower.h"
#include "authz/estate_cache.h"

namespace registrar::authz::test {
namespace {

using namespace std::chrono_literals;
using Steady = EstateCache::SteadyTime;

const Steady kT0 = Steady() + 1000h;
const std::string kOther = "10000000001";

class ChangeFeedTest : public AuthzServiceTest {
 protected:
  ChangeFeedTest() {
    // This instance's service evicts its own writes; service_ plays another instance.
    AuthzSettings settings = service_->settings();
    local_ = std::make_unique<AuthzService>(*db_, clock_, settings);
    local_->set_change_listener([this](const std::vector<std::string>& estates) {
      for (const auto& e : estates) cache_.evict(e);
    });
    follower_ = std::make_unique<ChangeFollower>(*db_, cache_, 100ms, nullptr, nullptr);
  }

  // Estates in the feed, in seq order (checking that seq ascends).
  std::vector<std::string> feed() {
    auto changes = db_->read([](soci::session& s) { return db::read_changes(s, 0, 1000); });
    std::vector<std::string> out;
    for (size_t i = 0; i < changes.size(); ++i) {
      if (i) {
        EXPECT_LT(changes[i - 1].seq, changes[i].seq);
      }
      out.push_back(changes[i].estate);
    }
    return out;
  }

  // The batcher's read-through: ticket, read, fill.
  bool fill(const std::string& estate) {
    auto ticket = cache_.ticket(estate);
    auto rows = local_->load_estates({estate});
    return cache_.fill(estate, ticket, rows[estate]);
  }

  std::optional<std::string> cached(const std::string& estate, Steady now = kT0,
                                    std::optional<std::string> to = std::nullopt) {
    Lookup l;
    l.estate = estate;
    l.recipient = std::move(to);
    return cache_.pip_response(l, now);
  }
  std::string from_db(const std::string& estate, std::optional<std::string> to = std::nullopt) {
    Lookup l;
    l.estate = estate;
    l.recipient = std::move(to);
    return pip_response_text(local_->pip(l));
  }

  void rename_feed(const char* from, const char* to) {
    db_->read(
        [&](soci::session& s) { s << std::string("ALTER TABLE ") + from + " RENAME TO " + to; });
  }

  EstateCache cache_{1000};
  std::unique_ptr<AuthzService> local_;
  std::unique_ptr<ChangeFollower> follower_;
};

TEST_P(ChangeFeedTest, EveryWriteThatChangesRowsAppendsItsEstates) {
  std::vector<std::vector<std::string>> heard;
  service_->set_change_listener([&](const std::vector<std::string>& e) { heard.push_back(e); });

  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  send(case_event(kOther, "2025-08-01T18:00:00Z", {{kA, kProbate}}));
  EXPECT_EQ(feed(), (std::vector<std::string>{kEstate, kOther}));
  // A duplicate event is discarded; a newer one with the same roles changes no row: neither is
  // a change.
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  send(case_event(kEstate, "2025-08-01T19:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  EXPECT_EQ(feed().size(), 2u);

  service_->add_proxy(proxy(kA, kX), actor_);
  service_->remove_proxy(proxy(kA, kX, kEstate, "remove"), actor_);
  service_->remove_proxy(proxy(kA, kX, kEstate, "remove"), actor_);  // nothing to remove
  EXPECT_EQ(feed(), (std::vector<std::string>{kEstate, kOther, kEstate, kEstate}));

  // A protected address wipes every estate of the heir, in one transaction.
  send(envelope(kProtectedAddressUpdate, "/person/" + kA, "2025-08-05T00:00:00Z",
                Json{{"nin", kA}}));
  auto all = feed();
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(std::set<std::string>(all.begin() + 4, all.end()),
            (std::set<std::string>{kEstate, kOther}));

  EXPECT_EQ(heard, (std::vector<std::vector<std::string>>{
                       {kEstate}, {kOther}, {kEstate}, {kEstate}, {kOther, kEstate}}));
}

TEST_P(ChangeFeedTest, AWriteThatFailsAppendsNothing) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  service_->add_proxy(proxy(kA, kX), actor_);
  auto before = feed();
  EXPECT_THROW(service_->add_proxy(proxy(kA, kX), actor_), core::Error);  // duplicate
  EXPECT_THROW(service_->add_proxy(proxy(kC, kX), actor_), core::Error);  // heir without probate
  EXPECT_EQ(feed(), before);
}

TEST_P(ChangeFeedTest, RowsOlderThanTheRetentionArePrunedByLaterWrites) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}}));
  clock_.advance(db::kChangeRetention - 1s);
  send(case_event(kOther, "2025-08-01T18:00:00Z", {{kA, kProbate}}));
  EXPECT_EQ(feed(), (std::vector<std::string>{kEstate, kOther}));
  clock_.advance(2s);
  service_->add_proxy(proxy(kA, kX, kOther), actor_);
  EXPECT_EQ(feed(), (std::vector<std::string>{kOther, kOther}));
}

TEST_P(ChangeFeedTest, CachedAnswersAreTheBytesOfTheDatabasePath) {
  send(case_event(kEstate, "2023-02-20T10:00:06.401416+00:00",
                  {{kA, kProbate}, {kB, kProbate}, {kC, kAsset}}));
  local_->add_proxy(proxy(kA, kX), actor_);
  local_->add_proxy(proxy(kB, kX), actor_);  // X gets the collective proxy
  ASSERT_TRUE(follower_->poll(kT0));
  ASSERT_TRUE(fill(kEstate));
  ASSERT_TRUE(fill(kOther));  // no rows
  for (const auto& estate : {kEstate, kOther})
    for (std::optional<std::string> to :
         {std::optional<std::string>(), std::optional(kA), std::optional(kX), std::optional(kC),
          std::optional<std::string>("99999999999")}) {
      auto body = cached(estate, kT0, to);
      ASSERT_TRUE(body);
      EXPECT_EQ(*body, from_db(estate, to)) << estate << " " << to.value_or("(all)");
    }
}

TEST_P(ChangeFeedTest, ALocalWriteEvictsAtOnce) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  ASSERT_TRUE(follower_->poll(kT0));
  ASSERT_TRUE(fill(kEstate));
  local_->add_proxy(proxy(kA, kX), actor_);
  EXPECT_EQ(cached(kEstate), std::nullopt);
  ASSERT_TRUE(fill(kEstate));
  EXPECT_EQ(*cached(kEstate), from_db(kEstate));
  EXPECT_NE(cached(kEstate)->find(kX), std::string::npos);

  Json feilfort = case_event(kEstate, "2025-08-02T18:00:00Z", {{kA, kProbate}}, "FEILFORT");
  local_->apply_event(parse_event(feilfort), actor_);
  EXPECT_EQ(cached(kEstate), std::nullopt);
}

TEST_P(ChangeFeedTest, AnotherInstancesWriteIsEvictedAtTheNextPoll) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  ASSERT_TRUE(follower_->poll(kT0));
  ASSERT_TRUE(fill(kEstate));
  ASSERT_TRUE(fill(kOther));
  std::string before = *cached(kEstate);

  service_->add_proxy(proxy(kA, kX), actor_);  // not through this instance
  EXPECT_EQ(cached(kEstate), before) << "not polled yet";
  ASSERT_TRUE(follower_->poll(kT0 + 100ms));
  EXPECT_EQ(cached(kEstate, kT0 + 100ms), std::nullopt);
  EXPECT_TRUE(cached(kOther, kT0 + 100ms)) << "unchanged estates stay";
  ASSERT_TRUE(fill(kEstate));
  EXPECT_EQ(*cached(kEstate, kT0 + 100ms), from_db(kEstate));
  EXPECT_NE(*cached(kEstate, kT0 + 100ms), before);
}

// A backlog of several query pages (a burst of writes elsewhere) is followed in one poll.
TEST_P(ChangeFeedTest, ABacklogLongerThanAPageIsFollowedInOnePoll) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  ASSERT_TRUE(follower_->poll(kT0));
  ASSERT_TRUE(fill(kEstate));
  std::vector<std::string> others;
  for (int i = 0; i < 1000; ++i) others.push_back("2" + std::to_string(1'000'000'000 + i));
  db_->write([&](soci::session& s) {
    db::append_changes(s, others, clock_.now());
    db::append_changes(s, {kEstate}, clock_.now());  // last, after several pages
  });
  ASSERT_TRUE(follower_->poll(kT0 + 100ms));
  EXPECT_EQ(cached(kEstate, kT0 + 100ms), std::nullopt);
}

TEST_P(ChangeFeedTest, AFillRacingAWriteDoesNotStoreTheOldRows) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  ASSERT_TRUE(follower_->poll(kT0));
  // The batcher took its ticket and read the estate; the write commits before it fills.
  auto ticket = cache_.ticket(kEstate);
  auto old_rows = local_->load_estates({kEstate})[kEstate];
  local_->add_proxy(proxy(kA, kX), actor_);
  EXPECT_FALSE(cache_.fill(kEstate, ticket, old_rows));
  EXPECT_EQ(cached(kEstate), std::nullopt);

  // The same through another instance: refused once the poll has seen the change.
  ticket = cache_.ticket(kEstate);
  old_rows = local_->load_estates({kEstate})[kEstate];
  service_->remove_proxy(proxy(kA, kX, kEstate, "remove"), actor_);
  ASSERT_TRUE(follower_->poll(kT0 + 100ms));
  EXPECT_FALSE(cache_.fill(kEstate, ticket, old_rows));
  EXPECT_EQ(cached(kEstate, kT0 + 100ms), std::nullopt);
}

TEST_P(ChangeFeedTest, FillsBeforeTheFirstPollAreDropped) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}}));
  ASSERT_TRUE(fill(kEstate));
  EXPECT_EQ(cached(kEstate), std::nullopt) << "not fresh before the first poll";
  ASSERT_TRUE(follower_->poll(kT0));
  EXPECT_EQ(cache_.size(), 0u);
  EXPECT_EQ(cached(kEstate), std::nullopt);
}

TEST_P(ChangeFeedTest, WhenTheFeedCannotBeReadTheCacheStopsAnsweringAndClearsAfter) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  ASSERT_TRUE(follower_->poll(kT0));
  ASSERT_TRUE(fill(kEstate));
  const auto bound = follower_->stale_after();
  EXPECT_EQ(bound, 500ms);

  rename_feed("authz_changes", "authz_changes_away");
  EXPECT_FALSE(follower_->poll(kT0 + 100ms));
  // A change the feed cannot carry (it is unreadable, so write the row directly).
  db_->read([](soci::session& s) {
    s << "INSERT INTO authz_role_assignments (role_code, estate_ssn, heir_ssn, recipient_ssn, "
         "created_us, justification) VALUES ('" +
             kAsset + "', '" + kEstate + "', NULL, '" + kC + "', 0, 'direct')";
  });
  EXPECT_TRUE(cached(kEstate, kT0 + bound - 1ms)) << "within the bound";
  EXPECT_EQ(cached(kEstate, kT0 + bound), std::nullopt) << "stale: the database path answers";
  EXPECT_NE(from_db(kEstate).find(kC), std::string::npos);
  EXPECT_FALSE(follower_->poll(kT0 + bound + 100ms));

  // Back: everything cached before the gap is dropped, then the cache answers again.
  rename_feed("authz_changes_away", "authz_changes");
  ASSERT_TRUE(follower_->poll(kT0 + 10s));
  EXPECT_EQ(cache_.size(), 0u);
  ASSERT_TRUE(fill(kEstate));
  EXPECT_EQ(*cached(kEstate, kT0 + 10s), from_db(kEstate));
}

INSTANTIATE_TEST_SUITE_P(Backends, ChangeFeedTest, ::testing::ValuesIn(testing::test_backends()));

}  // namespace
}  // namespace registrar::authz::test
