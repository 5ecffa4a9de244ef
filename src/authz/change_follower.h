// Keeps an EstateCache in step with the change feed (store.h): a periodic job on the platform's
// Background (core::Background::every, so polls never overlap) polls the feed every
// `interval`, evicts the estates changed since the last poll (by any instance on this database)
// and then extends the cache's freshness by kStalePolls intervals. So a change made anywhere is
// out of this instance's cache within about one interval, and if the feed cannot be read
// (database down) the cache stops answering once kStalePolls intervals have passed without a
// successful poll; lookups then take the database path and its error handling. After such a gap
// (and before the first poll) the whole cache is cleared, since changes may have been missed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "authz/estate_cache.h"
#include "core/background.h"
#include "core/metrics.h"
#include "core/thread_annotations.h"
#include "store/database.h"

namespace registrar::authz {

class ChangeFollower {
 public:
  using SteadyTime = EstateCache::SteadyTime;
  // Polls without success after which the cache stops answering.
  static constexpr int kStalePolls = 5;

  // With a `background`, polls every `interval` on it (the first poll at once); with nullptr
  // nothing polls until poll() is called (tests drive it). `background` must outlive this.
  ChangeFollower(store::Database& db, EstateCache& cache, std::chrono::milliseconds interval,
                 core::Metrics* metrics = nullptr, core::Background* background = nullptr);
  ~ChangeFollower();  // cancels the job, waiting for a poll in progress
  ChangeFollower(const ChangeFollower&) = delete;
  ChangeFollower& operator=(const ChangeFollower&) = delete;

  // One poll as of `now` (taken before reading the feed). Returns false when the feed could not
  // be read (logged; the cache's freshness is left to run out). Any thread; concurrent calls are
  // serialised (the periodic job never overlaps itself anyway).
  bool poll(SteadyTime now) EXCLUDES(mu_);

  std::chrono::milliseconds stale_after() const { return interval_ * kStalePolls; }

 private:
  store::Database& db_;
  EstateCache& cache_;
  const std::chrono::milliseconds interval_;
  core::Counter* polls_failed_ = nullptr;

  core::Mutex mu_;                                   // held for a whole poll
  std::optional<int64_t> last_seq_ GUARDED_BY(mu_);  // unset until the first successful poll
  bool failing_ GUARDED_BY(mu_) = false;  // for logging the start and end of a failure only

  core::Job job_;  // last: cancelled first, while the rest still exists
};

}  // namespace registrar::authz
