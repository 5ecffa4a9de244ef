#include "ibr/matching/shared_mutex.h"

#include <cstdlib>

namespace registrar::ibr::matching {
namespace {

// A lock that cannot be taken is a broken invariant, not an error to report: stop at once.
void check(int rc) {
  if (rc != 0) std::abort();
}

}  // namespace

SharedMutex::SharedMutex() {
  pthread_rwlockattr_t attr;
  check(pthread_rwlockattr_init(&attr));
  check(pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP));
  check(pthread_rwlock_init(&mu_, &attr));
  check(pthread_rwlockattr_destroy(&attr));
}

SharedMutex::~SharedMutex() {
  pthread_rwlock_destroy(&mu_);
}

void SharedMutex::lock() NO_THREAD_SAFETY_ANALYSIS {
  check(pthread_rwlock_wrlock(&mu_));
}
void SharedMutex::unlock() NO_THREAD_SAFETY_ANALYSIS {
  check(pthread_rwlock_unlock(&mu_));
}
void SharedMutex::lock_shared() NO_THREAD_SAFETY_ANALYSIS {
  check(pthread_rwlock_rdlock(&mu_));
}
void SharedMutex::unlock_shared() NO_THREAD_SAFETY_ANALYSIS {
  check(pthread_rwlock_unlock(&mu_));
}

}  // namespace registrar::ibr::matching
