// Token buckets per key (a client address, an authenticated client): `rate` requests a second on
// average, up to `burst` at once. Pure apart from its lock; the caller passes the time, so tests
// move a clock instead of sleeping. The server holds one per configured limit
// (server.rate_limit.*) and asks it once per request; with no limit configured it holds none and
// the request path pays a null check.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/thread_annotations.h"

namespace registrar::http {

struct RateLimit {
  double per_second = 0;  // 0: no limit
  double burst = 0;       // bucket size; below 1 it is taken as max(1, per_second)
  bool enabled() const { return per_second > 0; }
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // `max_keys`: how many buckets are kept; beyond it full buckets are dropped (a full bucket is
  // the same as none) and, if still too many, the oldest ones, so that a flood of addresses
  // cannot grow memory without bound.
  explicit RateLimiter(RateLimit limit, size_t max_keys = 100'000);

  // Takes one token from `key`'s bucket: zero when the request may go on, otherwise how long
  // until a token will be there (what Retry-After says, rounded up to whole seconds).
  Clock::duration acquire(std::string_view key, Clock::time_point now);

  size_t keys() const;
  double burst() const { return burst_; }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  // Keys hash to one of the shards, each with its own lock, so that I/O threads rarely wait on
  // each other.
  struct Shard {
    mutable core::Mutex mu;
    std::unordered_map<std::string, Bucket> buckets GUARDED_BY(mu);
  };
  void prune(Shard& shard, Clock::time_point now) REQUIRES(shard.mu);

  double rate_;
  double burst_;
  size_t max_per_shard_;
  std::vector<Shard> shards_;
};

// Retry-After's value for a wait: whole seconds, rounded up, at least 1.
long long retry_after_seconds(RateLimiter::Clock::duration wait);

}  // namespace registrar::http
