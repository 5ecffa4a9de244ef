// Coalesces concurrent PIP lookups into one database read. Callers submit a validated lookup and
// a completion; a drain thread takes everything queued (up to `max_batch`) and reads all those
// estates in one query. There is no timer: a batch is whatever arrived while the previous read
// ran, so a lone request is not delayed and a busy server makes one round trip per batch instead
// of one per request (and one thread hand-off per batch instead of one per request).
// With an EstateCache it is the cache's read-through: every estate it reads is stored, under a
// ticket taken before the read (estate_cache.h).
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "authz/estate_cache.h"
#include "authz/service.h"

namespace registrar::authz {

class LookupBatcher {
 public:
  // Called on a drain thread with the rows, or with the exception the read threw.
  using Done = std::function<void(std::vector<Assignment> rows, std::exception_ptr error)>;

  // `cache` may be null (no cache); it must outlive the batcher.
  LookupBatcher(AuthzService& service, int threads, size_t max_batch, EstateCache* cache = nullptr);
  ~LookupBatcher();  // finishes what is queued, then joins
  LookupBatcher(const LookupBatcher&) = delete;
  LookupBatcher& operator=(const LookupBatcher&) = delete;

  void submit(Lookup lookup, Done done);

 private:
  struct Item {
    Lookup lookup;
    Done done;
  };
  void run();
  // Rows of each lookup, read in one query; fills the cache.
  std::vector<std::vector<Assignment>> read(const std::vector<Item>& batch);

  AuthzService& service_;
  EstateCache* cache_;
  size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace registrar::authz
