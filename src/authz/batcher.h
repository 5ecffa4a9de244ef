// Coalesces concurrent PIP lookups into one database read. Callers submit a validated lookup and
// a completion; a core::BatchQueue on the platform's Background takes everything queued (up to
// `max_batch`) and reads all those estates in one query, with up to `max_concurrent` reads in
// flight. There is no gathering delay: a batch is whatever arrived while the previous reads ran,
// so a lone request is not delayed and a busy server makes one round trip per batch instead of
// one per request (and one thread hand-off per batch instead of one per request).
// With an EstateCache it is the cache's read-through: every estate it reads is stored, under a
// ticket taken before the read (estate_cache.h).
#pragma once

#include <exception>
#include <functional>
#include <vector>

#include "authz/estate_cache.h"
#include "authz/service.h"
#include "core/background.h"
#include "core/batch_queue.h"

namespace registrar::authz {

class LookupBatcher {
 public:
  // Called on a Background thread with the rows, or with the exception the read threw. Once
  // the batcher is stopping, called at once on the submitting thread with kUnavailable.
  using Done = std::function<void(std::vector<Assignment> rows, std::exception_ptr error)>;

  // `cache` may be null (no cache); it and `background` must outlive the batcher.
  LookupBatcher(AuthzService& service, core::Background& background, int max_concurrent,
                size_t max_batch, EstateCache* cache = nullptr);
  ~LookupBatcher();  // finishes what is queued
  LookupBatcher(const LookupBatcher&) = delete;
  LookupBatcher& operator=(const LookupBatcher&) = delete;

  // Any thread.
  void submit(Lookup lookup, Done done);

 private:
  struct Item {
    Lookup lookup;
    Done done;
  };
  // One batch, on a Background thread: read, then complete every item.
  void process(std::vector<Item>& batch);
  // Rows of each lookup, read in one query; fills the cache.
  std::vector<std::vector<Assignment>> read(const std::vector<Item>& batch);

  AuthzService& service_;
  EstateCache* cache_;
  core::BatchQueue<Item> queue_;  // last: stopped first, while the rest still exists
};

}  // namespace registrar::authz
