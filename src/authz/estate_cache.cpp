#include "authz/estate_cache.h"

#include <algorithm>
#include <limits>

namespace registrar::authz {
namespace {

constexpr size_t kMaxShards = 64;
// Distinct role codes kept; a deployment has a handful. Estates with more are not cached.
constexpr size_t kMaxRoles = 1024;

int64_t ticks(EstateCache::SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::optional<uint64_t> estate_cache_key(std::string_view estate) {
  if (estate.size() != 11) return std::nullopt;
  uint64_t key = 0;
  for (char c : estate) {
    if (c < '0' || c > '9') return std::nullopt;
    key = key * 10 + uint64_t(c - '0');
  }
  return key;
}

EstateCache::EstateCache(size_t capacity, core::Metrics* metrics)
    : capacity_(std::max<size_t>(capacity, 1)), shards_(std::min(kMaxShards, capacity_)) {
  // Spread the capacity exactly: the first (capacity % shards) shards take one more.
  for (size_t i = 0; i < shards_.size(); ++i)
    shards_[i].capacity = capacity_ / shards_.size() + (i < capacity_ % shards_.size() ? 1 : 0);
  if (metrics) {
    hits_ = &metrics->counter("registrar_authz_pip_cache_hits_total",
                              "PIP lookups answered from the estate cache.");
    misses_ = &metrics->counter(
        "registrar_authz_pip_cache_misses_total",
        "PIP lookups read from the database (not cached, or the change feed is stale).");
    evicted_changed_ =
        &metrics->counter("registrar_authz_pip_cache_evictions_total",
                          "Estates dropped from the PIP cache.", "reason=\"changed\"");
    evicted_capacity_ =
        &metrics->counter("registrar_authz_pip_cache_evictions_total",
                          "Estates dropped from the PIP cache.", "reason=\"capacity\"");
  }
}

size_t EstateCache::shard_index(uint64_t key) const {
  return size_t((key * 0x9e3779b97f4a7c15ull) >> 32) % shards_.size();
}

std::optional<std::string> EstateCache::pip_response(const Lookup& lookup, SteadyTime now) {
  auto key = estate_cache_key(lookup.estate);
  if (key && fresh(now)) {
    Shard& shard = shard_of(*key);
    std::lock_guard lock(shard.mu);
    auto it = shard.estates.find(*key);
    if (it != shard.estates.end()) {
      std::string out;
      out.reserve(kPipOpen.size() + kPipClose.size() + it->second.size() * 160);
      out += kPipOpen;
      size_t n = 0;
      for (const Row& r : it->second) {
        if (lookup.recipient && r.recipient.view() != *lookup.recipient) continue;
        append_pip_row(out, n++, lookup.estate, r.recipient.view(), *r.role,
                       core::from_unix_us(r.created_us));
      }
      out += kPipClose;
      if (hits_) hits_->add();
      return out;
    }
  }
  if (misses_) misses_->add();
  return std::nullopt;
}

EstateCache::Ticket EstateCache::ticket(std::string_view estate) const {
  auto key = estate_cache_key(estate);
  if (!key) return {};
  size_t i = shard_index(*key);
  return {i, shards_[i].generation.load()};
}

bool EstateCache::fill(std::string_view estate, const Ticket& ticket,
                       const std::vector<Assignment>& rows) {
  auto key = estate_cache_key(estate);
  if (!key || shard_index(*key) != ticket.shard) return false;
  std::vector<Row> compact;
  compact.reserve(rows.size());
  for (const auto& a : rows) {
    Row r;
    if (a.estate != estate || a.recipient.size() > r.recipient.text.size()) return false;
    if (!(r.role = intern(a.role))) return false;
    r.created_us = core::to_unix_us(a.created);
    std::copy(a.recipient.begin(), a.recipient.end(), r.recipient.text.begin());
    r.recipient.size = uint8_t(a.recipient.size());
    compact.push_back(r);
  }
  Shard& shard = shards_[ticket.shard];
  std::lock_guard lock(shard.mu);
  if (shard.generation.load() != ticket.generation) return false;
  auto it = shard.estates.find(*key);
  if (it != shard.estates.end()) {
    it->second = std::move(compact);
    return true;
  }
  if (shard.estates.size() >= shard.capacity) evict_random(shard);
  shard.estates.emplace(*key, std::move(compact));
  return true;
}

void EstateCache::evict_random(Shard& shard) {
  if (shard.estates.empty()) return;
  // xorshift64: a random bucket, then the next non-empty one (the load factor is at most 1).
  shard.random ^= shard.random << 13;
  shard.random ^= shard.random >> 7;
  shard.random ^= shard.random << 17;
  size_t buckets = shard.estates.bucket_count();
  size_t b = size_t(shard.random % buckets);
  while (shard.estates.bucket_size(b) == 0) b = (b + 1) % buckets;
  shard.estates.erase(shard.estates.begin(b)->first);
  if (evicted_capacity_) evicted_capacity_->add();
}

void EstateCache::evict(std::string_view estate) {
  auto key = estate_cache_key(estate);
  if (!key) return;
  Shard& shard = shard_of(*key);
  std::lock_guard lock(shard.mu);
  shard.generation.fetch_add(1);
  if (shard.estates.erase(*key) && evicted_changed_) evicted_changed_->add();
}

void EstateCache::clear() {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    shard.generation.fetch_add(1);
    if (evicted_changed_) evicted_changed_->add(shard.estates.size());
    shard.estates.clear();
  }
}

void EstateCache::set_fresh_until(SteadyTime deadline) {
  fresh_until_.store(ticks(deadline));
}

bool EstateCache::fresh(SteadyTime now) const {
  return ticks(now) < fresh_until_.load(std::memory_order_relaxed);
}

size_t EstateCache::size() const {
  size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.estates.size();
  }
  return n;
}

const std::string* EstateCache::intern(const std::string& role) {
  std::lock_guard lock(roles_mu_);
  auto it = role_index_.find(role);
  if (it != role_index_.end()) return it->second;
  if (roles_.size() >= kMaxRoles) return nullptr;
  const std::string* stored = &roles_.emplace_back(role);
  role_index_.emplace(role, stored);
  return stored;
}

}  // namespace registrar::authz
