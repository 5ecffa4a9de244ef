#include "core/batch_queue.h"

#include <algorithm>
#include <exception>

#include "core/error.h"
#include "core/log.h"

namespace registrar::core {

BatchQueueCore::BatchQueueCore(Background& background, BatchOptions options,
                               std::function<bool()> on_idle)
    : background_(background), options_(std::move(options)), on_idle_(std::move(on_idle)) {}

BatchQueueCore::~BatchQueueCore() = default;

void BatchQueueCore::log_failure(const char* what) {
  log::error("batch_failed", {{"queue", options_.name}, {"error", loggable_message(what)}});
}

bool BatchQueueCore::ready() const {
  if (queued_items_ == 0) return false;
  if (stopping_ || refused_ || options_.delay <= TimerClock::Duration::zero()) return true;
  if (queued_weight_ >= std::max<size_t>(options_.max_batch, 1)) return true;
  return background_.clock().now() >= window_start_ + options_.delay;
}

void BatchQueueCore::added(size_t weight) {
  if (queued_items_ == 0) window_start_ = background_.clock().now();
  ++queued_items_;
  queued_weight_ += weight;
  Followup f = advance();
  mu_.unlock();
  finish(std::move(f));
}

void BatchQueueCore::taken(size_t items, size_t weight) {
  queued_items_ -= items;
  queued_weight_ -= weight;
  // What is left (and what arrives while this batch is processed) gathers for one more window.
  window_start_ = background_.clock().now();
  idle_cv_.notify_all();
}

BatchQueueCore::Followup BatchQueueCore::advance() {
  Followup f;
  if (queued_items_ == 0) return f;
  if (!ready()) {
    if (timer_armed_) return f;
    auto wait = window_start_ + options_.delay - background_.clock().now();
    // Scheduling under mu_ is safe: the Background calls nothing of ours under its own lock.
    Job j = background_.after(wait, [this] { kick(); });
    if (j) {
      timer_armed_ = true;
      // The previous timer has fired (timer_armed_ was false); cancelling it may wait for its
      // kick(), which takes mu_, so it is dropped after mu_ is released.
      f.old_timer = std::move(timer_);
      timer_ = std::move(j);
      return f;
    }
    refused_ = true;  // now ready()
  }
  if (in_flight_ >= std::max(options_.max_concurrent, 1)) return f;  // a running drain takes it
  ++in_flight_;
  if (!background_.schedule([this] { drain(); })) {
    refused_ = true;
    f.drain_inline = true;
  }
  return f;
}

void BatchQueueCore::finish(Followup f) {
  if (f.drain_inline) drain();
  // f.old_timer is cancelled here, with mu_ released; it touches only the Background.
}

void BatchQueueCore::kick() {
  mu_.lock();
  timer_armed_ = false;
  // Our own Job: dropped here (cancel from its own run returns at once), so that an idle queue
  // holds no Job and its stop() touches the Background no more.
  Job self = std::move(timer_);
  Followup f = advance();
  mu_.unlock();
  finish(std::move(f));
}

void BatchQueueCore::run_idle_hook(bool& more) {
  try {
    more = on_idle_();
  } catch (const std::exception& e) {
    log_failure(e.what());
    more = false;
  } catch (...) {
    log_failure("unknown exception in on_idle");
    more = false;
  }
}

void BatchQueueCore::drain() {
  mu_.lock();
  for (;;) {
    if (ready()) {
      take_and_process(std::max<size_t>(options_.max_batch, 1));
      // Another slot may take what is left at once (several batches' worth queued).
      Followup f = advance();
      if (f.drain_inline || f.old_timer) {
        mu_.unlock();
        finish(std::move(f));
        mu_.lock();
      }
      continue;
    }
    if (queued_items_ == 0 && on_idle_ && !stopping_ && !refused_) {
      mu_.unlock();
      bool more = false;
      run_idle_hook(more);
      mu_.lock();
      if (!more) break;
      if (queued_items_ > 0) continue;
      // More idle work: go back through the Background's queue, keeping this slot.
      mu_.unlock();
      if (background_.schedule([this] { drain(); })) return;
      mu_.lock();
      refused_ = true;
    }
    break;
  }
  --in_flight_;
  Followup f = advance();  // items that are not ready yet: arm the gathering timer
  idle_cv_.notify_all();   // under mu_: once stop() sees nothing in flight, *this may go
  mu_.unlock();
  finish(std::move(f));
}

void BatchQueueCore::stop() {
  mu_.lock();
  stopping_ = true;
  Followup f = advance();
  mu_.unlock();
  finish(std::move(f));
  Job timer;
  {
    MutexLock lock(mu_);
    while (queued_items_ > 0 || in_flight_ > 0) idle_cv_.wait(mu_);
    timer = std::move(timer_);
  }
  timer.cancel();  // waits for a kick() in progress (which finds nothing to do)
}

}  // namespace registrar::core
