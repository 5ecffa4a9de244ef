// Clang's thread-safety annotations, and a mutex, lock and condition variable that carry them.
// Under Clang with -Wthread-safety (the sanitizer build in scripts/test.sh) the compiler checks
// that a member marked GUARDED_BY(mu_) is only touched with mu_ held, that a function marked
// REQUIRES(mu_) is only called with it held, and so on. Under g++ the macros are empty.
//
// libstdc++'s std::mutex carries no annotations, so state guarded by a std::mutex is invisible to
// the analysis: use core::Mutex + core::MutexLock for state you annotate. Lambdas are analysed on
// their own: a lambda that touches guarded state must take the lock itself (or be marked
// NO_THREAD_SAFETY_ANALYSIS with a comment saying which lock its caller holds).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define REGISTRAR_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define REGISTRAR_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) REGISTRAR_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY REGISTRAR_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) REGISTRAR_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) REGISTRAR_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) REGISTRAR_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) REGISTRAR_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define REQUIRES(...) REGISTRAR_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) REGISTRAR_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) REGISTRAR_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) REGISTRAR_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) REGISTRAR_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) REGISTRAR_THREAD_ANNOTATION(assert_capability(x))
#define RETURN_CAPABILITY(x) REGISTRAR_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS REGISTRAR_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace registrar::core {

// std::mutex with annotations. Not recursive.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis that the caller holds the lock (where it cannot see it, e.g. in a lambda
  // that its caller runs under the lock). Checks nothing at run time.
  void assert_held() const ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for its scope; unlock()/lock() let a loop drop it around slow work.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_.unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void unlock() RELEASE() {
    mu_.unlock();
    held_ = false;
  }
  void lock() ACQUIRE() {
    mu_.lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

// A condition variable used with a core::Mutex that the caller holds. Waits take no predicate:
// the analysis cannot see that a predicate lambda runs under the lock, so callers write the loop
// (`while (!ready_) cv_.wait(mu_);`), which it checks.
class CondVar {
 public:
  void wait(Mutex& mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lk(mu.mu_, std::adopt_lock);
    cv_.wait(lk);
    lk.release();  // still held: ownership goes back to the caller
  }
  // False when the deadline passed (the lock is held again either way).
  template <class Clock, class Duration>
  bool wait_until(Mutex& mu, std::chrono::time_point<Clock, Duration> deadline) REQUIRES(mu) {
    std::unique_lock<std::mutex> lk(mu.mu_, std::adopt_lock);
    bool woken = cv_.wait_until(lk, deadline) == std::cv_status::no_timeout;
    lk.release();
    return woken;
  }
  template <class Rep, class Period>
  bool wait_for(Mutex& mu, std::chrono::duration<Rep, Period> d) REQUIRES(mu) {
    return wait_until(mu, std::chrono::steady_clock::now() + d);
  }
  void notify_one() { cv_.notify_one(); }
  void notify_all() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace registrar::core
