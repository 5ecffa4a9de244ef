// Keeps an EstateCache in step with the change feed (store.h): a thread polls the feed every
// `interval`, evicts the estates changed since the last poll (by any instance on this database)
// and then extends the cache's freshness by kStalePolls intervals. So a change made anywhere is
// out of this instance's cache within about one interval, and if the feed cannot be read
// (database down) the cache stops answering once kStalePolls intervals have passed without a
// successful poll; lookups then take the database path and its error handling. After such a gap
// (and before the first poll) the whole cache is cleared, since changes may have been missed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "authz/estate_cache.h"
#include "core/metrics.h"
#include "store/database.h"

namespace registrar::authz {

class ChangeFollower {
 public:
  using SteadyTime = EstateCache::SteadyTime;
  // Polls without success after which the cache stops answering.
  static constexpr int kStalePolls = 5;

  // With `start_thread` false nothing polls until poll() is called (tests drive it).
  ChangeFollower(store::Database& db, EstateCache& cache, std::chrono::milliseconds interval,
                 core::Metrics* metrics = nullptr, bool start_thread = true);
  ~ChangeFollower();  // stops the thread
  ChangeFollower(const ChangeFollower&) = delete;
  ChangeFollower& operator=(const ChangeFollower&) = delete;

  // One poll as of `now` (taken before reading the feed). Returns false when the feed could not
  // be read (logged; the cache's freshness is left to run out). Not for concurrent callers.
  bool poll(SteadyTime now);

  std::chrono::milliseconds stale_after() const { return interval_ * kStalePolls; }

 private:
  void run();

  store::Database& db_;
  EstateCache& cache_;
  std::chrono::milliseconds interval_;
  std::optional<int64_t> last_seq_;  // unset until the first successful poll
  bool failing_ = false;             // for logging the start and end of a failure only
  core::Counter* polls_failed_ = nullptr;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace registrar::authz
