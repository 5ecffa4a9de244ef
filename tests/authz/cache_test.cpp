// The PIP's estate cache driven directly: the same bytes as the database path, the fill/evict
// race, freshness, the size bound and the metrics. No database, no threads.
#include <gtest/gtest.h>

#include "authz/authz_fixture.h"
#include "authz/estate_cache.h"

namespace registrar::authz::test {
namespace {

using namespace std::chrono_literals;
using Steady = EstateCache::SteadyTime;

const Steady kT0 = Steady() + 1000h;

Assignment row(int64_t id, const std::string& estate, const std::string& role,
               const std::string& recipient, const std::string& created,
               std::optional<std::string> heir = std::nullopt) {
  return {id, estate, role, recipient, std::move(heir), at(created), "why"};
}

// The estate of §10 after a few changes: fractions of seconds, a proxy with its heir, a
// recipient holding two roles.
std::vector<Assignment> example_rows(const std::string& estate = kEstate) {
  return {row(1, estate, kProbate, kA, "2023-02-20T10:00:06.401416Z"),
          row(2, estate, kProbate, kB, "2023-02-20T10:00:06Z"),
          row(3, estate, kAsset, kC, "2025-08-01T18:00:00.5Z"),
          row(7, estate, kIndividual, kX, "2025-08-02T18:00:00.000010Z", kA),
          row(9, estate, kCollective, kA, "1969-12-31T23:59:59.75Z")};
}

Lookup lookup(const std::string& estate, std::optional<std::string> to = std::nullopt) {
  Lookup l;
  l.estate = estate;
  l.recipient = std::move(to);
  return l;
}

// A fresh cache holding `rows` for `estate`.
std::unique_ptr<EstateCache> cache_with(const std::string& estate,
                                        const std::vector<Assignment>& rows,
                                        core::Metrics* metrics = nullptr) {
  auto cache = std::make_unique<EstateCache>(1000, metrics);
  cache->set_fresh_until(kT0 + 1s);
  EXPECT_TRUE(cache->fill(estate, cache->ticket(estate), rows));
  return cache;
}

TEST(EstateCacheTest, AnswersWithTheBytesOfTheDatabasePath) {
  auto rows = example_rows();
  auto cache = cache_with(kEstate, rows);
  for (std::optional<std::string> to :
       {std::optional<std::string>(), std::optional(kA), std::optional(kX),
        std::optional<std::string>("99999999999")}) {
    auto body = cache->pip_response(lookup(kEstate, to), kT0);
    ASSERT_TRUE(body) << to.value_or("(all)");
    EXPECT_EQ(*body, pip_response_text(pip_rows(rows, to))) << to.value_or("(all)");
  }
  EXPECT_EQ(*cache->pip_response(lookup(kEstate, kA), kT0), pip_response_text({rows[0], rows[4]}));
}

TEST(EstateCacheTest, AnEstateWithoutRowsIsCachedToo) {
  auto cache = cache_with(kEstate, {});
  EXPECT_EQ(cache->pip_response(lookup(kEstate), kT0), "{\"roleAssignments\":[]}");
  EXPECT_EQ(cache->pip_response(lookup("10000000000"), kT0), std::nullopt);
}

TEST(EstateCacheTest, RoleCodesThatNeedEscapingPrintAsTheDatabasePathDoes) {
  std::vector<Assignment> rows = {
      row(1, kEstate, "urn:x:\"quoted\"\\\n\x01", kA, "2025-01-01T00:00:00Z")};
  auto cache = cache_with(kEstate, rows);
  EXPECT_EQ(*cache->pip_response(lookup(kEstate), kT0), pip_response_text(rows));
}

TEST(EstateCacheTest, AFillReadBeforeAnEvictionIsRefused) {
  EstateCache cache(1000);
  cache.set_fresh_until(kT0 + 1s);
  // The batcher's order: ticket, database read, fill. A change commits and is evicted between
  // the read and the fill: the rows read are stale and must not be stored.
  auto ticket = cache.ticket(kEstate);
  auto stale = example_rows();
  cache.evict(kEstate);
  EXPECT_FALSE(cache.fill(kEstate, ticket, stale));
  EXPECT_EQ(cache.pip_response(lookup(kEstate), kT0), std::nullopt);
  // The next reader takes a new ticket and reads the new state.
  EXPECT_TRUE(cache.fill(kEstate, cache.ticket(kEstate), {}));
  EXPECT_EQ(cache.pip_response(lookup(kEstate), kT0), "{\"roleAssignments\":[]}");
}

TEST(EstateCacheTest, AnEvictionAfterTheFillDropsTheRows) {
  auto cache = cache_with(kEstate, example_rows());
  cache->evict(kEstate);
  EXPECT_EQ(cache->pip_response(lookup(kEstate), kT0), std::nullopt);
}

TEST(EstateCacheTest, ClearRefusesFillsTakenBeforeIt) {
  auto cache = cache_with(kEstate, example_rows());
  auto ticket = cache->ticket("10000000001");
  cache->clear();
  EXPECT_EQ(cache->size(), 0u);
  EXPECT_FALSE(cache->fill("10000000001", ticket, {}));
  EXPECT_TRUE(cache->fill("10000000001", cache->ticket("10000000001"), {}));
}

TEST(EstateCacheTest, EvictingOneEstateKeepsTheOthers) {
  auto cache = cache_with(kEstate, example_rows());
  const std::string other = "10000000001";
  ASSERT_TRUE(cache->fill(other, cache->ticket(other), example_rows(other)));
  cache->evict(other);
  EXPECT_TRUE(cache->pip_response(lookup(kEstate), kT0));
  EXPECT_FALSE(cache->pip_response(lookup(other), kT0));
}

TEST(EstateCacheTest, AnswersOnlyWhileFresh) {
  auto cache = cache_with(kEstate, example_rows());
  EXPECT_TRUE(cache->pip_response(lookup(kEstate), kT0 + 999ms));
  EXPECT_FALSE(cache->pip_response(lookup(kEstate), kT0 + 1s));
  EXPECT_FALSE(cache->fresh(kT0 + 1s));
  // A new cache answers nothing until the follower has polled once.
  EstateCache fresh_one(10);
  EXPECT_TRUE(fresh_one.fill(kEstate, fresh_one.ticket(kEstate), {}));
  EXPECT_FALSE(fresh_one.pip_response(lookup(kEstate), kT0));
}

TEST(EstateCacheTest, HoldsAtMostItsCapacity) {
  core::Metrics metrics;
  for (size_t capacity : {1u, 3u, 10u, 200u}) {
    EstateCache cache(capacity, &metrics);
    cache.set_fresh_until(kT0 + 1s);
    std::string last;
    for (int i = 1; i <= 500; ++i) {
      last = "1" + std::string(10 - std::to_string(i).size(), '0') + std::to_string(i);
      ASSERT_TRUE(cache.fill(last, cache.ticket(last), example_rows(last)));
      ASSERT_LE(cache.size(), capacity);
    }
    EXPECT_EQ(cache.size(), capacity);
    EXPECT_TRUE(cache.pip_response(lookup(last), kT0)) << "the newest fill is kept";
  }
  EXPECT_NE(
      metrics.render().find("registrar_authz_pip_cache_evictions_total{reason=\"capacity\"} " +
                            std::to_string((500 - 1) + (500 - 3) + (500 - 10) + (500 - 200))),
      std::string::npos)
      << metrics.render();
}

TEST(EstateCacheTest, RowsThatDoNotFitAreNotStored) {
  EstateCache cache(10);
  EXPECT_FALSE(cache.fill(kEstate, cache.ticket(kEstate),
                          {row(1, kEstate, kProbate, "1234567890123456", "2025-01-01T00:00:00Z")}));
  EXPECT_FALSE(cache.fill("not-an-ssn", cache.ticket("not-an-ssn"), {}));
  // Rows of another estate are a caller's bug; refuse rather than print the wrong "from".
  EXPECT_FALSE(cache.fill(kEstate, cache.ticket(kEstate), example_rows("10000000001")));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(EstateCacheTest, CountsHitsMissesAndEvictions) {
  core::Metrics metrics;
  auto cache = cache_with(kEstate, example_rows(), &metrics);
  cache->pip_response(lookup(kEstate), kT0);
  cache->pip_response(lookup(kEstate, kA), kT0);
  cache->pip_response(lookup("10000000001"), kT0);  // not cached
  cache->pip_response(lookup(kEstate), kT0 + 1h);   // not fresh
  cache->evict(kEstate);
  cache->evict(kEstate);  // nothing left to drop
  std::string text = metrics.render();
  EXPECT_NE(text.find("registrar_authz_pip_cache_hits_total 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("registrar_authz_pip_cache_misses_total 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("registrar_authz_pip_cache_evictions_total{reason=\"changed\"} 1\n"),
            std::string::npos)
      << text;
}

TEST(EstateCacheTest, KeysAreTheElevenDigits) {
  EXPECT_EQ(estate_cache_key("00000000001"), 1u);
  EXPECT_EQ(estate_cache_key("99999999999"), 99999999999u);
  EXPECT_EQ(estate_cache_key("0000000001"), std::nullopt);
  EXPECT_EQ(estate_cache_key("0000000000a"), std::nullopt);
  EXPECT_NE(estate_cache_key("01234567890"), estate_cache_key("12345678900"));
}

}  // namespace
}  // namespace registrar::authz::test
