// The PIP's in-memory copy of estates' rows, so that a lookup of a known estate is answered on the
// I/O thread without a database round trip. Pure logic and locks, no I/O: the batcher fills it
// from its database reads, the service's writes and the change follower (change_follower.h)
// evict what changed.
//
// Correctness rests on three rules:
//  - Fill vs. evict. A filler takes a ticket (its shard's generation) *before* reading the
//    database and fill() stores the rows only if the shard's generation is unchanged. Every
//    eviction bumps the generation, and evictions happen after the change committed, so rows read
//    before a change can never land after its eviction.
//  - Bounded staleness. Hits are served only while fresh: the follower extends the deadline after
//    each successful poll of the change feed. When polling fails (database down), hits stop once
//    the deadline passes and lookups take the database path; after such a gap the follower clears
//    everything before serving again.
//  - Bounded size. At most `capacity` estates; a full shard drops a random entry.
//
// Rows are stored compactly (recipient inline, role code interned, time in µs): about 200 bytes
// per estate of five rows, map overhead included.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "authz/model.h"
#include "core/metrics.h"

namespace registrar::authz {

class EstateCache {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // `capacity` > 0 estates. Counters go to `metrics` when given.
  explicit EstateCache(size_t capacity, core::Metrics* metrics = nullptr);
  EstateCache(const EstateCache&) = delete;
  EstateCache& operator=(const EstateCache&) = delete;

  // The PIP response body for a validated lookup, or nullopt when the estate is not cached or
  // the cache is not fresh at `now` (the caller then reads the database).
  std::optional<std::string> pip_response(const Lookup& lookup, SteadyTime now);

  // Taken before reading an estate from the database, handed back to fill().
  struct Ticket {
    size_t shard = 0;
    uint64_t generation = 0;
  };
  Ticket ticket(std::string_view estate) const;
  // Stores every row of the estate (id order; empty for an estate without rows) unless the
  // estate's shard saw an eviction since `ticket`. Estates that are not 11 digits, rows that do
  // not fit the compact form, and role codes beyond the interning limit are not stored.
  // Returns whether the rows were stored.
  bool fill(std::string_view estate, const Ticket& ticket, const std::vector<Assignment>& rows);

  // Drops the estate (if cached) and refuses fills whose ticket predates this call.
  void evict(std::string_view estate);
  // Drops everything, as evict() on every estate.
  void clear();

  // Hits are served while now < the deadline; the change follower moves it.
  void set_fresh_until(SteadyTime deadline);
  bool fresh(SteadyTime now) const;

  size_t size() const;
  size_t capacity() const { return capacity_; }

 private:
  // A recipient SSN stored inline (no allocation); longer strings are not cached.
  struct Recipient {
    std::array<char, 15> text{};
    uint8_t size = 0;
    std::string_view view() const { return {text.data(), size}; }
  };
  struct Row {
    int64_t created_us = 0;
    const std::string* role = nullptr;  // interned: lives as long as the cache
    Recipient recipient;
  };
  struct Shard {
    mutable std::mutex mu;
    std::atomic<uint64_t> generation{0};
    std::unordered_map<uint64_t, std::vector<Row>> estates;
    size_t capacity = 0;
    uint64_t random = 0x9e3779b97f4a7c15ull;  // xorshift state for picking a victim
  };

  // Role codes seen in fills, each stored once; pointers stay valid (deque).
  const std::string* intern(const std::string& role);
  Shard& shard_of(uint64_t key) { return shards_[shard_index(key)]; }
  size_t shard_index(uint64_t key) const;
  void evict_random(Shard& shard);

  size_t capacity_;
  std::vector<Shard> shards_;
  std::atomic<int64_t> fresh_until_{std::numeric_limits<int64_t>::min()};

  std::mutex roles_mu_;
  std::deque<std::string> roles_;
  std::unordered_map<std::string, const std::string*> role_index_;

  core::Counter* hits_ = nullptr;
  core::Counter* misses_ = nullptr;
  core::Counter* evicted_changed_ = nullptr;
  core::Counter* evicted_capacity_ = nullptr;
};

// The estate SSN (11 ASCII digits) as a number, the cache's key; nullopt for anything else.
std::optional<uint64_t> estate_cache_key(std::string_view estate);

}  // namespace registrar::authz
