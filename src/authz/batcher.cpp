#include "authz/batcher.h"

#include <algorithm>

#include "core/error.h"
#include "core/log.h"
#include "http/delivery.h"

namespace registrar::authz {

namespace {
core::BatchOptions batch_options(int max_concurrent, size_t max_batch) {
  core::BatchOptions o;
  o.max_batch = max_batch < 1 ? 1 : max_batch;
  o.max_concurrent = max_concurrent < 1 ? 1 : max_concurrent;
  o.name = "authz_pip";
  return o;
}
}  // namespace

LookupBatcher::LookupBatcher(AuthzService& service, core::Background& background,
                             int max_concurrent, size_t max_batch, EstateCache* cache)
    : service_(service),
      cache_(cache),
      queue_(background, batch_options(max_concurrent, max_batch),
             [this](std::vector<Item>& batch) { process(batch); }) {}

LookupBatcher::~LookupBatcher() {
  queue_.stop();
}

void LookupBatcher::submit(Lookup lookup, Done done) {
  Item item{std::move(lookup), std::move(done)};
  if (queue_.submit(std::move(item))) return;
  // Refused (stopping): `item` was left untouched.
  item.done({}, std::make_exception_ptr(
                    core::Error(core::ErrorKind::kUnavailable, "the server is shutting down")));
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

void LookupBatcher::process(std::vector<Item>& batch) {
  std::vector<std::vector<Assignment>> results;
  std::exception_ptr error;
  try {
    results = read(batch);
  } catch (...) {
    error = std::current_exception();
  }
  http::DeliveryBatch together;  // the answers reach the I/O threads in one hand-over each
  for (size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i].done(error ? std::vector<Assignment>{} : std::move(results[i]), error);
    } catch (const std::exception& e) {
      log::error("authz_lookup_completion_failed", {{"error", core::loggable_message(e)}});
    }
  }
}

}  // namespace registrar::authz
