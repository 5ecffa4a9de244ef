// Group commit on the Background (the model is LevelDB's DBImpl::Write): callers submit items from
// any thread; items are handed to `process` in batches, on Background threads, with no thread of
// the queue's own. A batch is taken when a slot is free and either
//   - no gathering delay is set, or
//   - `max_batch` (in weight units) is queued, or
//   - the gathering window has closed: it opens `delay` long when an item arrives at an empty
//     queue, and again after each batch that leaves items behind (what arrived while a batch was
//     processed gathers for one more delay, as the issuer's committer did), or
//   - stop() has begun.
// A batch takes whole items in submit order up to `max_batch` weight (always at least one item).
// At most `max_concurrent` batches are in flight. When a batch leaves the queue empty, the
// optional on_idle hook runs in the same slot (so with max_concurrent = 1 it never overlaps a
// batch); returning true asks for another call (the slot goes back through the Background's
// queue in between, so that other work gets its turn) unless items have arrived meanwhile.
//
// Completion. `process` owns the items it is given: it must complete every one (the items carry
// their completions). An exception from process or on_idle is logged and the pool carries on; the
// items of that batch are destroyed uncompleted, so process should not throw.
//
// Threads. submit() from any thread, including from process(). stop() from any thread except
// from process/on_idle: it refuses further submits, starts what is queued at once (no more
// gathering), and returns when every queued item has been processed and nothing is in flight.
// If the Background refuses work (it is stopping), the queue runs its batches on the thread that
// submitted or stopped, so that no item is ever left unprocessed.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "core/background.h"
#include "core/thread_annotations.h"

namespace registrar::core {

struct BatchOptions {
  size_t max_batch = 64;  // weight units per batch (items, unless a weight function is given)
  int max_concurrent = 1;
  TimerClock::Duration delay{};  // the gathering window; zero: take what is there at once
  std::string name = "batch";    // in log lines
};

// The untyped part: when to take a batch, slots, the gathering timer, stop.
class BatchQueueCore {
 public:
  BatchQueueCore(const BatchQueueCore&) = delete;
  BatchQueueCore& operator=(const BatchQueueCore&) = delete;

  void stop() EXCLUDES(mu_);

 protected:
  BatchQueueCore(Background& background, BatchOptions options, std::function<bool()> on_idle);
  ~BatchQueueCore();  // the typed queue calls stop() first

  // For the typed queue's submit(), under mu_: false once stopping.
  bool accepting() const REQUIRES(mu_) { return !stopping_; }
  // After an item of `weight` was appended under mu_; releases mu_ (it may run a batch inline).
  void added(size_t weight) RELEASE(mu_);
  // The typed queue took `items` of total `weight` off the front.
  void taken(size_t items, size_t weight) REQUIRES(mu_);
  // Takes one batch and processes it with mu_ released; returns with mu_ held again.
  virtual void take_and_process(size_t max_weight) REQUIRES(mu_) = 0;
  void log_failure(const char* what);

  mutable Mutex mu_;

 private:
  struct Followup {
    bool drain_inline = false;  // the Background refused: run a drain on this thread
    Job old_timer;              // destroyed (cancelled) after mu_ is released
  };
  bool ready() const REQUIRES(mu_);
  // Starts a drain or arms the gathering timer, as the queue's state asks.
  Followup advance() REQUIRES(mu_);
  void finish(Followup f) EXCLUDES(mu_);
  void drain() EXCLUDES(mu_);  // holds one in-flight slot
  void kick() EXCLUDES(mu_);   // the gathering timer fired
  void run_idle_hook(bool& more) EXCLUDES(mu_);

  Background& background_;
  const BatchOptions options_;
  const std::function<bool()> on_idle_;
  CondVar idle_cv_;  // in_flight_ or queued_items_ went down
  size_t queued_items_ GUARDED_BY(mu_) = 0;
  size_t queued_weight_ GUARDED_BY(mu_) = 0;
  TimerClock::TimePoint window_start_ GUARDED_BY(mu_){};
  int in_flight_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool refused_ GUARDED_BY(mu_) = false;  // the Background refused work: never wait for it again
  bool timer_armed_ GUARDED_BY(mu_) = false;
  Job timer_ GUARDED_BY(mu_);
};

template <class Item>
class BatchQueue final : public BatchQueueCore {
 public:
  using Process = std::function<void(std::vector<Item>& batch)>;
  using Weight = std::function<size_t(const Item&)>;  // nullptr: every item weighs 1
  using OnIdle = std::function<bool()>;

  BatchQueue(Background& background, BatchOptions options, Process process, Weight weight = nullptr,
             OnIdle on_idle = nullptr)
      : BatchQueueCore(background, std::move(options), std::move(on_idle)),
        process_(std::move(process)),
        weight_(std::move(weight)) {}
  ~BatchQueue() { stop(); }

  // True: the item was moved in and will be processed. False (item untouched): stopping.
  bool submit(Item&& item) EXCLUDES(mu_) {
    const size_t w = weight_of(item);
    mu_.lock();
    if (!accepting()) {
      mu_.unlock();
      return false;
    }
    items_.push_back(std::move(item));
    added(w);
    return true;
  }

 private:
  size_t weight_of(const Item& item) const { return weight_ ? weight_(item) : 1; }

  void take_and_process(size_t max_weight) override REQUIRES(mu_) {
    std::vector<Item> batch;
    size_t weight = 0;
    while (!items_.empty()) {
      const size_t w = weight_of(items_.front());
      if (!batch.empty() && weight + w > max_weight) break;
      weight += w;
      batch.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    taken(batch.size(), weight);
    mu_.unlock();
    try {
      process_(batch);
    } catch (const std::exception& e) {
      log_failure(e.what());
    } catch (...) {
      log_failure("unknown exception");
    }
    batch.clear();  // items destroyed outside the lock
    mu_.lock();
  }

  const Process process_;
  const Weight weight_;
  std::deque<Item> items_ GUARDED_BY(mu_);
};

}  // namespace registrar::core
