// Limits on password and client-secret checks (docs/security.md "Password guessing"). Each
// check of a presented secret runs Argon2id (tens of milliseconds, 64-256 MiB) on the worker pool
// every database route shares, so an unlimited stream of wrong secrets would both guess and
// starve. Three defences:
//   - FailureThrottle: after `threshold` failures within `window` for one key (an account, or a
//     client address), further checks are refused for a lockout that doubles with each further
//     failure up to a cap (429 with Retry-After), before any hashing.
//   - HashSlots: at most `concurrent` Argon2 checks run at once and `waiting` more wait (up to
//     `max_wait`); beyond that a check is refused at once (503, Retry-After), so the other routes
//     keep their workers.
//   - Accounts hashes against a dummy value for unknown and disabled accounts, so the time taken
//     does not tell which accounts exist.
// The counts live in this process's memory: with several instances each enforces its own limits
// (an attacker spread over N instances gets N times the attempts, still bounded).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/thread_annotations.h"

namespace registrar::identity {

struct ThrottleSettings {
  int64_t threshold = 10;            // failures before the first lockout
  std::chrono::seconds window{900};  // a run of failures is forgotten this long after its start
  std::chrono::seconds first_lockout{1};  // then 2, 4, ... per further failure
  std::chrono::seconds max_lockout{900};
  size_t max_tracked = 100'000;  // keys remembered; beyond, new keys go untracked (logged)
};

// Failure counts per key. Thread-safe; never blocks on anything but its own short lock.
class FailureThrottle {
 public:
  FailureThrottle(const core::Clock& clock, ThrottleSettings settings);
  // Whole seconds until `key` may try again; 0 when it may now.
  int64_t retry_after(std::string_view key) const EXCLUDES(mu_);
  void record_failure(std::string_view key) EXCLUDES(mu_);
  void clear(std::string_view key) EXCLUDES(mu_);
  size_t tracked() const EXCLUDES(mu_);

 private:
  struct Entry {
    int64_t failures = 0;
    core::SystemTime first{};
    core::SystemTime locked_until{};
  };
  bool expired(const Entry& e, core::SystemTime now) const;
  void prune(core::SystemTime now) REQUIRES(mu_);

  const core::Clock& clock_;
  ThrottleSettings settings_;
  mutable core::Mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_ GUARDED_BY(mu_);
  bool warned_full_ GUARDED_BY(mu_) = false;
};

// A bounded number of concurrent Argon2 checks. Thread-safe.
class HashSlots {
 public:
  HashSlots(int concurrent, int waiting, std::chrono::milliseconds max_wait);

  // Holds one slot while alive.
  class Slot {
   public:
    explicit Slot(HashSlots& owner) : owner_(&owner) {}
    Slot(Slot&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    HashSlots* owner_;
  };
  // A slot, waiting up to max_wait when all are taken. Throws core::Error(kUnavailable) when
  // `waiting` callers already wait or the wait runs out.
  Slot acquire() EXCLUDES(mu_);

 private:
  void release() EXCLUDES(mu_);
  const int concurrent_;
  const int waiting_;
  const std::chrono::milliseconds max_wait_;
  core::Mutex mu_;
  core::CondVar freed_;
  int running_ GUARDED_BY(mu_) = 0;
  int queued_ GUARDED_BY(mu_) = 0;
};

struct LoginGuardSettings {
  ThrottleSettings per_account;  // key: "client:<id>" / "user:<name>"
  ThrottleSettings per_address{50, std::chrono::seconds{900}, std::chrono::seconds{1},
                               std::chrono::seconds{900}, 100'000};
  int hash_concurrency = 2;
  int hash_waiting = 16;
  std::chrono::milliseconds hash_max_wait{2000};
};

// The IP part of a peer's "ip:port" ("[::1]:5000" -> "::1"); "" stays "".
std::string address_of(std::string_view remote);

}  // namespace registrar::identity
