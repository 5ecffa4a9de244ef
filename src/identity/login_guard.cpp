#include "identity/login_guard.h"

#include <algorithm>

#include "core/error.h"
#include "core/log.h"

namespace registrar::identity {

FailureThrottle::FailureThrottle(const core::Clock& clock, ThrottleSettings settings)
    : clock_(clock), settings_(settings) {}

bool FailureThrottle::expired(const Entry& e, core::SystemTime now) const {
  return now >= e.first + settings_.window && now >= e.locked_until;
}

int64_t FailureThrottle::retry_after(std::string_view key) const {
  core::MutexLock lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  auto now = clock_.now();
  if (it->second.locked_until <= now) return 0;
  auto left = std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
  return std::max<int64_t>(1, left.count());
}

void FailureThrottle::prune(core::SystemTime now) {
  for (auto it = entries_.begin(); it != entries_.end();)
    it = expired(it->second, now) ? entries_.erase(it) : std::next(it);
}

void FailureThrottle::record_failure(std::string_view key) {
  core::MutexLock lock(mu_);
  auto now = clock_.now();
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= settings_.max_tracked) prune(now);
    if (entries_.size() >= settings_.max_tracked) {
      // Refusing to track beats forgetting: dropping old entries would lift their lockouts.
      if (!warned_full_)
        log::warn("login_throttle_full", {{"tracked", entries_.size()},
                                          {"why", "new keys go untracked until entries expire"}});
      warned_full_ = true;
      return;
    }
    warned_full_ = false;
    it = entries_.emplace(std::string(key), Entry{0, now, {}}).first;
  }
  Entry& e = it->second;
  if (expired(e, now)) e = Entry{0, now, {}};
  ++e.failures;
  if (e.failures >= settings_.threshold) {
    int64_t doublings = std::min<int64_t>(e.failures - settings_.threshold, 30);
    auto lockout = settings_.first_lockout * (int64_t{1} << doublings);
    e.locked_until = now + std::min<std::chrono::seconds>(lockout, settings_.max_lockout);
  }
}

void FailureThrottle::clear(std::string_view key) {
  core::MutexLock lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) entries_.erase(it);
}

size_t FailureThrottle::tracked() const {
  core::MutexLock lock(mu_);
  return entries_.size();
}

HashSlots::HashSlots(int concurrent, int waiting, std::chrono::milliseconds max_wait)
    : concurrent_(std::max(1, concurrent)), waiting_(std::max(0, waiting)), max_wait_(max_wait) {}

HashSlots::Slot::~Slot() {
  if (owner_) owner_->release();
}

HashSlots::Slot HashSlots::acquire() {
  core::MutexLock lock(mu_);
  if (running_ < concurrent_) {
    ++running_;
    return Slot(*this);
  }
  if (queued_ >= waiting_)
    throw core::Error(core::ErrorKind::kUnavailable,
                      "too many password checks in progress; try again shortly");
  ++queued_;
  auto deadline = std::chrono::steady_clock::now() + max_wait_;
  while (running_ >= concurrent_) {
    if (!freed_.wait_until(mu_, deadline) && running_ >= concurrent_) {
      --queued_;
      throw core::Error(core::ErrorKind::kUnavailable,
                        "too many password checks in progress; try again shortly");
    }
  }
  --queued_;
  ++running_;
  return Slot(*this);
}

void HashSlots::release() {
  {
    core::MutexLock lock(mu_);
    --running_;
  }
  freed_.notify_one();
}

std::string address_of(std::string_view remote) {
  if (!remote.empty() && remote.front() == '[') {
    auto close = remote.find(']');
    return std::string(remote.substr(1, close == std::string_view::npos ? remote.npos : close - 1));
  }
  auto colon = remote.rfind(':');
  // "1.2.3.4:80" has one colon; a bare IPv6 address has several and no port.
  if (colon != std::string_view::npos && remote.find(':') == colon)
    return std::string(remote.substr(0, colon));
  return std::string(remote);
}

}  // namespace registrar::identity
