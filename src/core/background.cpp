#include "core/background.h"

#include <pthread.h>

#include <algorithm>
#include <exception>
#include <optional>

#include "core/error.h"
#include "core/log.h"

namespace registrar::core {

// A timer or periodic job. Every field is guarded by the owning Background's mu_ (the analysis
// cannot name another object's mutex here; Background is the only code that touches them).
struct Job::State {
  std::function<void()> fn;
  TimerClock::Duration interval{};  // zero: one-shot
  bool cancelled = false;
  bool running = false;
  std::thread::id runner;                             // the thread running it, while running
  std::optional<Background::Timers::iterator> armed;  // its entry in timers_, while armed
};

namespace {

class SteadyTimerClock final : public TimerClock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

const TimerClock& TimerClock::steady() {
  static const SteadyTimerClock clock;
  return clock;
}

TimerClock::TimePoint ManualTimerClock::now() const {
  MutexLock lock(mu_);
  return now_;
}

void ManualTimerClock::advance(Duration d) {
  std::vector<Background*> wake;
  {
    MutexLock lock(mu_);
    now_ += d;
    wake = backgrounds_;
  }
  // Outside mu_: a Background calls now() under its own lock.
  for (Background* b : wake) b->clock_moved();
}

void ManualTimerClock::attach(Background* b) const {
  MutexLock lock(mu_);
  backgrounds_.push_back(b);
}

void ManualTimerClock::detach(Background* b) const {
  MutexLock lock(mu_);
  backgrounds_.erase(std::remove(backgrounds_.begin(), backgrounds_.end(), b), backgrounds_.end());
}

Job& Job::operator=(Job&& other) noexcept {
  if (this != &other) {
    cancel();
    background_ = other.background_;
    state_ = std::move(other.state_);
  }
  return *this;
}

void Job::cancel() {
  if (!state_) return;
  background_->cancel(*state_);
  state_.reset();
}

Background::Background(Options options)
    : clock_(options.clock ? *options.clock : TimerClock::steady()),
      steady_(&clock_ == &TimerClock::steady()),
      name_(std::move(options.name)) {
  clock_.attach(this);
  const int n = std::max(1, options.threads);
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this, i] { worker(i); });
    std::string thread_name = (name_ + "-" + std::to_string(i)).substr(0, 15);
    pthread_setname_np(threads_.back().native_handle(), thread_name.c_str());
  }
}

Background::~Background() {
  stop();
  clock_.detach(this);
}

bool Background::schedule(std::function<void()> fn) {
  {
    MutexLock lock(mu_);
    if (stopping_) {
      lock.unlock();
      fn = nullptr;  // destroyed here, on the caller's thread, as documented
      return false;
    }
    queue_.push_back(Task{std::move(fn), nullptr});
  }
  work_cv_.notify_one();
  return true;
}

Job Background::after(Duration delay, std::function<void()> fn) {
  auto job = std::make_shared<Job::State>();
  job->fn = std::move(fn);
  {
    MutexLock lock(mu_);
    if (stopping_) {
      lock.unlock();
      job.reset();
      return Job();
    }
    arm(job, clock_.now() + delay);
  }
  return Job(this, std::move(job));
}

Job Background::every(Duration interval, std::function<void()> fn, Duration first) {
  auto job = std::make_shared<Job::State>();
  job->fn = std::move(fn);
  // A zero interval would spin a thread; one tick of the clock is the least gap between runs.
  job->interval = std::max(interval, Duration(1));
  {
    MutexLock lock(mu_);
    if (stopping_) {
      lock.unlock();
      job.reset();
      return Job();
    }
    if (first <= Duration::zero()) {
      queue_.push_back(Task{nullptr, job});
      work_cv_.notify_one();
    } else {
      arm(job, clock_.now() + first);
    }
  }
  return Job(this, std::move(job));
}

bool Background::stopping() const {
  MutexLock lock(mu_);
  return stopping_;
}

size_t Background::armed_timers() const {
  MutexLock lock(mu_);
  return timers_.size();
}

void Background::arm(const std::shared_ptr<Job::State>& job, TimerClock::TimePoint when) {
  bool earliest = timers_.empty() || when < timers_.begin()->first;
  job->armed = timers_.emplace(when, job);
  // Every idle worker waits until (at most) the earliest deadline it saw; a new earliest one
  // must reach them all, or one that goes on to a long task could leave it unwatched.
  if (earliest) work_cv_.notify_all();
}

void Background::collect_due() {
  if (timers_.empty()) return;
  const auto now = clock_.now();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    auto job = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    job->armed.reset();
    queue_.push_back(Task{nullptr, std::move(job)});
  }
}

void Background::cancel(Job::State& job) {
  MutexLock lock(mu_);
  job.cancelled = true;
  if (job.armed) {
    timers_.erase(*job.armed);
    job.armed.reset();
  }
  if (job.running && job.runner == std::this_thread::get_id()) return;  // from its own run
  while (job.running) job_cv_.wait(mu_);
  // Not running and never again: release what the function captured, now rather than at the
  // Background's end. (A queued Task may still hold the state; it sees `cancelled`.)
  auto fn = std::move(job.fn);
  lock.unlock();
}

void Background::clock_moved() {
  {
    MutexLock lock(mu_);
    if (timers_.empty()) return;
  }
  work_cv_.notify_all();
}

void Background::run_logged(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    log::error("background_task_failed",
               {{"background", name_}, {"error", core::loggable_message(e)}});
  } catch (...) {
    log::error("background_task_failed", {{"background", name_}, {"error", "unknown exception"}});
  }
}

void Background::run_job(const std::shared_ptr<Job::State>& job) {
  if (job->cancelled || !job->fn) return;
  job->running = true;
  job->runner = std::this_thread::get_id();
  mu_.unlock();
  run_logged(job->fn);  // fn is not reassigned while running (cancel waits)
  mu_.lock();
  job->running = false;
  job->runner = {};
  if (job->interval > Duration::zero() && !job->cancelled && !stopping_) {
    arm(job, clock_.now() + job->interval);
  } else {
    // A one-shot timer that ran, a periodic job at stop(), or one cancelled during its run: it
    // never runs again, so its captures go now (outside the lock: they may call in here).
    job->cancelled = true;
    auto fn = std::move(job->fn);
    mu_.unlock();  // destroy the captures outside the lock
    fn = nullptr;
    mu_.lock();
  }
  job_cv_.notify_all();
}

void Background::worker(int /*index*/) {
  MutexLock lock(mu_);
  for (;;) {
    collect_due();
    if (!queue_.empty()) {
      Task task = std::move(queue_.front());
      queue_.pop_front();
      if (task.job) {
        run_job(task.job);
      } else {
        lock.unlock();
        run_logged(task.fn);
        task.fn = nullptr;  // captures destroyed outside the lock
        lock.lock();
      }
      continue;
    }
    if (stopping_) return;  // nothing queued and nothing more will be
    if (timers_.empty() || !steady_) {
      work_cv_.wait(mu_);
    } else {
      work_cv_.wait_until(mu_, timers_.begin()->first);
    }
  }
}

void Background::stop() {
  Timers cancelled;  // destroyed after the lock is released: their captures may call in here
  {
    MutexLock lock(mu_);
    if (stopping_) {
      // Another caller is joining (or has): wait for it, so that stop() always returns joined.
      while (!joined_) job_cv_.wait(mu_);
      return;
    }
    stopping_ = true;
    // Cancel timers and periodic jobs; a run in progress finishes and is not re-armed.
    for (auto& [when, job] : timers_) {
      job->cancelled = true;
      job->armed.reset();
    }
    cancelled.swap(timers_);
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
  MutexLock lock(mu_);
  joined_ = true;
  job_cv_.notify_all();
}

}  // namespace registrar::core
