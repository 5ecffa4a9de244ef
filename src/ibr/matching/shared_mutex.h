// A readers-writer lock with Clang thread-safety annotations (src/core/thread_annotations.h has
// only an exclusive core::Mutex): many readers at once, one writer alone.
//
// Writers go first. std::shared_mutex on glibc is a reader-preferring pthread rwlock: while
// searches overlap (a busy IBR answers many at once) a waiting writer never gets in, so the index
// follower — and with it every enrollment's visibility — stalls for as long as the load lasts.
// Here a waiting writer blocks new readers. The price: a thread must not take a reader lock it
// already holds (it would wait behind the writer that waits for it); no caller nests them.
#pragma once

#include <pthread.h>

#include "core/thread_annotations.h"

// Shared-mode counterparts of the macros in core/thread_annotations.h.
#ifndef REQUIRES_SHARED
#define REQUIRES_SHARED(...) REGISTRAR_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#endif
#ifndef ACQUIRE_SHARED
#define ACQUIRE_SHARED(...) REGISTRAR_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#endif
#ifndef RELEASE_SHARED
#define RELEASE_SHARED(...) REGISTRAR_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#endif

namespace registrar::ibr::matching {

class CAPABILITY("shared_mutex") SharedMutex {
 public:
  SharedMutex();
  ~SharedMutex();
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() ACQUIRE();
  void unlock() RELEASE();
  void lock_shared() ACQUIRE_SHARED();
  void unlock_shared() RELEASE_SHARED();

 private:
  pthread_rwlock_t mu_;
};

class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~WriterLock() RELEASE() { mu_.unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_.lock_shared(); }
  // Scoped capabilities are released with the generic attribute whatever their mode.
  ~ReaderLock() RELEASE() { mu_.unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace registrar::ibr::matching
