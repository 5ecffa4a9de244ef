// Keeps a BeneficiaryIndex in step with the beneficiary change feed (store.h), as authz's
// ChangeFollower keeps its cache: a periodic job on the platform's Background polls the feed
// every `interval` and re-reads each beneficiary changed since the last poll (by any instance on
// this database), putting or removing it. So every instance on one database answers alike
// within about one interval.
//
// First poll: reads the feed's last seq, then builds the index from the table (load(), logged
// with count and time); changes racing the build are re-applied by the next poll (re-reading is
// idempotent).
//
// A gap. When the feed cannot be read (database down), the poll logs once and the index keeps
// its state: searches go on from it, and each hit is re-read from the database, so a deleted
// record is never returned (a record added elsewhere meanwhile is missing until recovery).
// The feed is durable, so the next successful poll catches up from the last seq it saw. If no
// poll succeeded for longer than half the feed's retention (kIbrChangeRetention), rows it needs
// may have been pruned: the index is resynchronised from the table (load()) instead.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/background.h"
#include "core/thread_annotations.h"
#include "ibr/beneficiary_index.h"
#include "store/database.h"

namespace registrar::ibr {

class IndexFollower {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // With a `background`, polls every `interval` on it, the first time one interval from now
  // (call poll() once yourself to build the index at start); with nullptr nothing polls until
  // poll() is called (tests drive it). `background` must outlive this.
  IndexFollower(store::Database& db, BeneficiaryIndex& index, std::chrono::milliseconds interval,
                core::Background* background = nullptr);
  ~IndexFollower();  // cancels the job, waiting for a poll in progress
  IndexFollower(const IndexFollower&) = delete;
  IndexFollower& operator=(const IndexFollower&) = delete;

  // One poll as of `now`. Returns false when the feed could not be read (logged). Any thread;
  // concurrent calls are serialised.
  bool poll(SteadyTime now = std::chrono::steady_clock::now()) EXCLUDES(mu_);

  // How long without a successful poll before the index is rebuilt rather than caught up.
  static std::chrono::milliseconds resync_after();

 private:
  void build_locked(SteadyTime now) REQUIRES(mu_);

  store::Database& db_;
  BeneficiaryIndex& index_;
  const std::chrono::milliseconds interval_;

  core::Mutex mu_;                                   // held for a whole poll
  std::optional<int64_t> last_seq_ GUARDED_BY(mu_);  // unset until built
  std::optional<SteadyTime> last_ok_ GUARDED_BY(mu_);
  bool failing_ GUARDED_BY(mu_) = false;  // to log the start and end of a failure only

  core::Job job_;  // last: cancelled first, while the rest still exists
};

}  // namespace registrar::ibr
