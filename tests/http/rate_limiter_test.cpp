// The token buckets of server.rate_limit.*, on a clock the test moves.
#include "http/rate_limiter.h"

#include <gtest/gtest.h>

namespace registrar::http {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

TEST(RateLimiter, AllowsTheBurstThenRefillsAtTheRate) {
  RateLimiter limiter({2, 5});  // 2/s, 5 at once
  const Clock::time_point t0{};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.acquire("a", t0), Clock::duration::zero()) << i;
  const auto wait = limiter.acquire("a", t0);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(wait), 500ms);
  EXPECT_EQ(retry_after_seconds(wait), 1);
  // Half a second later one token has come back, and only one.
  EXPECT_EQ(limiter.acquire("a", t0 + 500ms), Clock::duration::zero());
  EXPECT_GT(limiter.acquire("a", t0 + 500ms), Clock::duration::zero());
  // Long idle: the bucket is full again, never fuller.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.acquire("a", t0 + 1h), Clock::duration::zero());
  EXPECT_GT(limiter.acquire("a", t0 + 1h), Clock::duration::zero());
}

TEST(RateLimiter, KeysHaveTheirOwnBuckets) {
  RateLimiter limiter({1, 1});
  const Clock::time_point t0{};
  EXPECT_EQ(limiter.acquire("10.0.0.1", t0), Clock::duration::zero());
  EXPECT_GT(limiter.acquire("10.0.0.1", t0), Clock::duration::zero());
  EXPECT_EQ(limiter.acquire("10.0.0.2", t0), Clock::duration::zero());
  EXPECT_EQ(limiter.keys(), 2u);
}

TEST(RateLimiter, BurstDefaultsToTheRateAndAtLeastOne) {
  EXPECT_EQ(RateLimiter({10, 0}).burst(), 10);
  EXPECT_EQ(RateLimiter({0.5, 0}).burst(), 1);
  RateLimiter slow({0.5, 0});
  const Clock::time_point t0{};
  EXPECT_EQ(slow.acquire("k", t0), Clock::duration::zero());
  // One token every two seconds: Retry-After says 2.
  EXPECT_EQ(retry_after_seconds(slow.acquire("k", t0)), 2);
}

TEST(RateLimiter, RetryAfterRoundsUpToWholeSeconds) {
  EXPECT_EQ(retry_after_seconds(1ms), 1);
  EXPECT_EQ(retry_after_seconds(1000ms), 1);
  EXPECT_EQ(retry_after_seconds(1001ms), 2);
  EXPECT_EQ(retry_after_seconds(Clock::duration::zero()), 1);
}

TEST(RateLimiter, ManyKeysStayBoundedAndBusyOnesKeepTheirState) {
  RateLimiter limiter({1, 1}, 16 * 4);  // 4 buckets per shard
  const Clock::time_point t0{};
  EXPECT_EQ(limiter.acquire("busy", t0), Clock::duration::zero());
  for (int i = 0; i < 10'000; ++i) limiter.acquire("addr-" + std::to_string(i), t0 + 10s);
  EXPECT_LE(limiter.keys(), 16u * 4);
  // A refilled bucket that was dropped answers as a full one would.
  EXPECT_EQ(limiter.acquire("busy", t0 + 10s), Clock::duration::zero());
}

}  // namespace
}  // namespace registrar::http
