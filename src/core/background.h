// The one door for background work (the model is LevelDB's Env::Schedule): a fixed pool of named
// threads owned by the platform, which modules use instead of starting threads of their own.
//
//   schedule(fn)          run fn once, as soon as a thread is free (FIFO among scheduled work)
//   after(delay, fn)      run fn once, `delay` after now on the Background's TimerClock
//   every(interval, fn)   run fn now, then `interval` after each run ends (so a job never
//                         overlaps itself); the returned Job cancels it
//
// Threads. Every method is safe from any thread, including from inside a task, except the
// destructor (which calls stop()). stop() must not be called from a task (it would wait for
// itself). A Job may be cancelled from any thread, including from its own run.
//
// Failures. A task that throws is logged ("background_task_failed", with the pool's name and the
// exception's message) and the thread carries on; a periodic job that throws is run again at its
// next interval.
//
// Refusal. Once stop() has begun, schedule/after/every accept nothing: schedule and after return
// false (every an empty Job) and the function is destroyed on the calling thread without being
// run. A caller whose work carries a completion must then complete it itself (BatchQueue runs
// the work on the calling thread).
//
// Shutdown. stop() refuses new work, cancels timers and periodic jobs (a run in progress
// finishes), runs what was already scheduled, then joins the threads.
//
// Time. Timers follow a TimerClock: the steady clock in production, a ManualTimerClock in tests,
// whose advance() fires what has come due, so that no test sleeps or measures time.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/thread_annotations.h"

namespace registrar::core {

class Background;

// The clock timers are measured on.
class TimerClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;
  virtual ~TimerClock() = default;
  virtual TimePoint now() const = 0;
  // The process's steady clock; a Background on it waits for its deadlines.
  static const TimerClock& steady();

 protected:
  friend class Background;
  // A clock other than steady() tells its Backgrounds when it moves (they wait without timeout).
  virtual void attach(Background*) const {}
  virtual void detach(Background*) const {}
};

// A clock that moves only when told. advance() wakes the Backgrounds that use it, and they run
// every timer that has come due. Thread-safe.
class ManualTimerClock final : public TimerClock {
 public:
  TimePoint now() const override;
  void advance(Duration d) EXCLUDES(mu_);

 private:
  void attach(Background* b) const override EXCLUDES(mu_);
  void detach(Background* b) const override EXCLUDES(mu_);

  mutable Mutex mu_;
  TimePoint now_ GUARDED_BY(mu_) = TimePoint() + std::chrono::hours(1000);
  mutable std::vector<Background*> backgrounds_ GUARDED_BY(mu_);
};

// Handle of a timer or periodic job. Move-only. Destroying or cancelling it cancels the job;
// detach() lets the job live on (until it fires, or until Background::stop()). A Job must not
// outlive its Background.
class [[nodiscard]] Job {
 public:
  Job() = default;
  Job(Job&& other) noexcept = default;
  Job& operator=(Job&& other) noexcept;
  ~Job() { cancel(); }

  // No further runs. If a run is in progress on another thread, waits until it has finished, so
  // that after cancel() returns the job's function touches nothing; from inside its own run it
  // returns at once. Safe to call twice, on an empty Job, and after Background::stop().
  void cancel();
  void detach() { state_.reset(); }
  explicit operator bool() const { return state_ != nullptr; }

 private:
  friend class Background;
  struct State;
  Job(Background* background, std::shared_ptr<State> state)
      : background_(background), state_(std::move(state)) {}
  Background* background_ = nullptr;
  std::shared_ptr<State> state_;
};

class Background {
 public:
  struct Options {
    int threads = 2;
    // Thread names are "<name>-<n>" (cut to the 15 characters Linux keeps); also in log lines.
    std::string name = "bg";
    // nullptr: TimerClock::steady(). Must outlive the Background.
    const TimerClock* clock = nullptr;
  };
  using Duration = TimerClock::Duration;
  // Armed timers by deadline (internal; public so that Job::State can name its entry).
  using Timers = std::multimap<TimerClock::TimePoint, std::shared_ptr<Job::State>>;

  explicit Background(Options options);
  ~Background();  // stop()
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // False (and fn destroyed unrun) once stop() has begun.
  bool schedule(std::function<void()> fn) EXCLUDES(mu_);
  // The Job is empty when refused. Keep it (or detach() it): destroying it cancels the timer.
  Job after(Duration delay, std::function<void()> fn) EXCLUDES(mu_);
  // First run after `first` (default at once), then `interval` after the end of each run.
  Job every(Duration interval, std::function<void()> fn, Duration first = Duration::zero())
      EXCLUDES(mu_);

  // See the top of this file. Idempotent; later calls return at once.
  void stop() EXCLUDES(mu_);
  bool stopping() const EXCLUDES(mu_);
  // Timers armed now (one-shot timers and periodic jobs between runs): lets a test wait until a
  // periodic job is re-armed before it moves a ManualTimerClock.
  size_t armed_timers() const EXCLUDES(mu_);
  const TimerClock& clock() const { return clock_; }
  const std::string& name() const { return name_; }

 private:
  friend class Job;
  friend class ManualTimerClock;

  void worker(int index) EXCLUDES(mu_);
  // Moves the timers that have come due to the run queue.
  void collect_due() REQUIRES(mu_);
  void arm(const std::shared_ptr<Job::State>& job, TimerClock::TimePoint when) REQUIRES(mu_);
  // Runs a timer or periodic job, releasing mu_ around its function.
  void run_job(const std::shared_ptr<Job::State>& job) REQUIRES(mu_);
  void cancel(Job::State& job) EXCLUDES(mu_);
  void clock_moved() EXCLUDES(mu_);
  void run_logged(const std::function<void()>& fn);

  const TimerClock& clock_;
  const bool steady_;  // clock_ is the steady clock: wait for deadlines with a timeout
  std::string name_;

  mutable Mutex mu_;
  CondVar work_cv_;  // queue_ or timers_ changed, or stopping
  CondVar job_cv_;   // a job's run ended (cancel() waits on it)
  struct Task {
    std::function<void()> fn;
    std::shared_ptr<Job::State> job;  // set for timers and periodic jobs
  };
  std::deque<Task> queue_ GUARDED_BY(mu_);
  Timers timers_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  bool joined_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // written by the constructor and stop() only
};

}  // namespace registrar::core
