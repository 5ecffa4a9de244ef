#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace registrar::http {

namespace {
constexpr size_t kShards = 16;
}

RateLimiter::RateLimiter(RateLimit limit, size_t max_keys)
    : rate_(limit.per_second),
      burst_(limit.burst >= 1 ? limit.burst : std::max(1.0, limit.per_second)),
      max_per_shard_(std::max<size_t>(1, max_keys / kShards)),
      shards_(kShards) {}

RateLimiter::Clock::duration RateLimiter::acquire(std::string_view key, Clock::time_point now) {
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  core::MutexLock lock(shard.mu);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) prune(shard, now);
    it = shard.buckets.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  if (now > b.updated) {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.updated = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return Clock::duration::zero();
  }
  const double wait = (1 - b.tokens) / rate_;
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait));
}

// Buckets that have refilled are dropped first (forgetting them changes nothing); if the shard is
// still full, every bucket idle for a second goes, and as a last resort the shard starts over: a
// flood of distinct keys then costs the limit some precision, never unbounded memory.
void RateLimiter::prune(Shard& shard, Clock::time_point now) {
  auto& buckets = shard.buckets;
  for (auto it = buckets.begin(); it != buckets.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    it = it->second.tokens + elapsed * rate_ >= burst_ ? buckets.erase(it) : std::next(it);
  }
  if (buckets.size() < max_per_shard_) return;
  for (auto it = buckets.begin(); it != buckets.end();)
    it = now - it->second.updated >= std::chrono::seconds(1) ? buckets.erase(it) : std::next(it);
  if (buckets.size() >= max_per_shard_) buckets.clear();
}

size_t RateLimiter::keys() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    core::MutexLock lock(s.mu);
    n += s.buckets.size();
  }
  return n;
}

long long retry_after_seconds(RateLimiter::Clock::duration wait) {
  const double seconds = std::chrono::duration<double>(wait).count();
  return std::max(1LL, static_cast<long long>(std::ceil(seconds)));
}

}  // namespace registrar::http
