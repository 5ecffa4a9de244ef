#include "authz/batcher.h"

#include <algorithm>

#include "core/log.h"

namespace registrar::authz {

LookupBatcher::LookupBatcher(AuthzService& service, int threads, size_t max_batch,
                             EstateCache* cache)
    : service_(service), cache_(cache), max_batch_(max_batch < 1 ? 1 : max_batch) {
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

std::vector<std::vector<Assignment>> LookupBatcher::read(const std::vector<Item>& batch) {
  std::vector<std::string> estates;
  for (const auto& item : batch) estates.push_back(item.lookup.estate);
  std::sort(estates.begin(), estates.end());
  estates.erase(std::unique(estates.begin(), estates.end()), estates.end());
  std::vector<EstateCache::Ticket> tickets;
  if (cache_)
    for (const auto& e : estates) tickets.push_back(cache_->ticket(e));  // before the read
  auto by_estate = service_.load_estates(estates);
  const std::vector<Assignment> none;
  auto rows_of = [&](const std::string& e) -> const std::vector<Assignment>& {
    auto it = by_estate.find(e);
    return it == by_estate.end() ? none : it->second;
  };
  if (cache_)
    for (size_t i = 0; i < estates.size(); ++i)
      cache_->fill(estates[i], tickets[i], rows_of(estates[i]));
  std::vector<std::vector<Assignment>> out;
  out.reserve(batch.size());
  for (const auto& item : batch)
    out.push_back(pip_rows(rows_of(item.lookup.estate), item.lookup.recipient));
  return out;
}

void LookupBatcher::run() {
  std::vector<Item> batch;
  for (;;) {
    batch.clear();
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and nothing left
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<std::vector<Assignment>> results;
    std::exception_ptr error;
    try {
      results = read(batch);
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
