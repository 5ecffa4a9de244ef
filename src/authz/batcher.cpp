#include "authz/batcher.h"

#include "core/log.h"

namespace registrar::authz {

LookupBatcher::LookupBatcher(AuthzService& service, int threads, size_t max_batch)
    : service_(service), max_batch_(max_batch < 1 ? 1 : max_batch) {
  for (int i = 0; i < (threads < 1 ? 1 : threads); ++i) threads_.emplace_back([this] { run(); });
}

LookupBatcher::~LookupBatcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void LookupBatcher::submit(Lookup lookup, Done done) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back({std::move(lookup), std::move(done)});
  }
  cv_.notify_one();
}

void LookupBatcher::run() {
  std::vector<Item> batch;
  std::vector<Lookup> lookups;
  for (;;) {
    batch.clear();
    lookups.clear();
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and nothing left
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    for (const auto& item : batch) lookups.push_back(item.lookup);
    std::vector<std::vector<Assignment>> results;
    std::exception_ptr error;
    try {
      results = service_.pip_batch(lookups);
    } catch (...) {
      error = std::current_exception();
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      try {
        batch[i].done(error ? std::vector<Assignment>{} : std::move(results[i]), error);
      } catch (const std::exception& e) {
        log::error("authz_lookup_completion_failed", {{"error", e.what()}});
      }
    }
  }
}

}  // namespace registrar::authz
