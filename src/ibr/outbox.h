// Delivery of the outbox (outbox_store.h): a periodic job on Services::background claims due rows
// under a lease, POSTs each through Services::http_client, and records the outcome — delivered on
// a 2xx answer, else retried with exponential backoff and jitter until ibr.outbox.max_attempts,
// then failed. Each failure is logged (ibr_outbox_delivery_failed) without the body or the URL's
// query. A row whose instance died stays leased until its lease expires, then another (or the
// restarted) instance claims it: delivery is at least once, and a receiver may see a callback
// twice.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "core/background.h"
#include "core/clock.h"
#include "core/thread_annotations.h"
#include "http/async_client.h"
#include "ibr/config.h"
#include "ibr/outbox_store.h"
#include "store/database.h"

namespace registrar::ibr {

class OutboxDelivery : public std::enable_shared_from_this<OutboxDelivery> {
 public:
  // Shared: HTTP completions hold it until they have run (they do nothing after stop()).
  static std::shared_ptr<OutboxDelivery> create(store::Database& db, const core::Clock& clock,
                                                core::Background& background,
                                                http::HttpClient& client,
                                                IbrSettings::Outbox settings);

  // Arms the periodic job.
  void start();
  // Looks for due rows now rather than at the next poll (after a request queued one).
  void kick();
  // Claims due rows and starts their POSTs (blocking on the database); returns how many.
  size_t run_once() EXCLUDES(mu_);
  // Cancels the job; after it returns nothing here touches the database. POSTs in flight are
  // abandoned: their rows stay leased and are delivered again after the lease.
  void stop() EXCLUDES(mu_);

  const std::string& owner() const { return owner_; }

 private:
  OutboxDelivery(store::Database& db, const core::Clock& clock, core::Background& background,
                 http::HttpClient& client, IbrSettings::Outbox settings);
  struct Attempt;
  void send(OutboxRow row);
  void record(const Attempt& attempt, int status, const std::string& error) EXCLUDES(mu_);

  store::Database& db_;
  const core::Clock& clock_;
  core::Background& background_;
  http::HttpClient& client_;
  const IbrSettings::Outbox settings_;
  const std::string owner_;  // this instance's lease name
  std::atomic<int64_t> in_flight_{0};
  std::atomic<bool> kick_pending_{false};
  core::Job poll_;
  core::Mutex mu_;
  bool stopped_ GUARDED_BY(mu_) = false;
};

}  // namespace registrar::ibr
