#include "ibr/outbox.h"

#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "ibr/outbox_store.h"

namespace registrar::ibr {

namespace {

// Where a row goes, for logs: the URL without its query, which may carry a token.
std::string loggable_url(const std::string& url) {
  return url.substr(0, url.find_first_of("?#"));
}

double unit_random() {
  return double(core::random_u64() >> 11) / double(uint64_t(1) << 53);
}

}  // namespace

struct OutboxDelivery::Attempt {
  std::string id;
  std::string action;
  std::string url;
  int64_t attempt = 0;  // 1 for the first
};

std::shared_ptr<OutboxDelivery> OutboxDelivery::create(store::Database& db,
                                                       const core::Clock& clock,
                                                       core::Background& background,
                                                       http::HttpClient& client,
                                                       IbrSettings::Outbox settings) {
  return std::shared_ptr<OutboxDelivery>(
      new OutboxDelivery(db, clock, background, client, settings));
}

OutboxDelivery::OutboxDelivery(store::Database& db, const core::Clock& clock,
                               core::Background& background, http::HttpClient& client,
                               IbrSettings::Outbox settings)
    : db_(db),
      clock_(clock),
      background_(background),
      client_(client),
      settings_(settings),
      owner_("ibr-" + core::random_token(8)) {}

void OutboxDelivery::start() {
  poll_ = background_.every(settings_.poll_interval, [self = shared_from_this()] {
    try {
      self->run_once();
    } catch (const std::exception& e) {
      log::warn("ibr_outbox_poll_failed", {{"error", core::loggable_message(e)}});
    }
  });
}

void OutboxDelivery::kick() {
  // Many requests in a burst need one look, not one each.
  if (kick_pending_.exchange(true)) return;
  bool queued = background_.schedule([self = shared_from_this()] {
    self->kick_pending_ = false;
    try {
      self->run_once();
    } catch (const std::exception& e) {
      log::warn("ibr_outbox_poll_failed", {{"error", core::loggable_message(e)}});
    }
  });
  if (!queued) kick_pending_ = false;
}

size_t OutboxDelivery::run_once() {
  std::vector<OutboxRow> rows;
  {
    core::MutexLock lock(mu_);
    if (stopped_) return 0;
    int64_t room = settings_.batch - in_flight_.load();
    if (room <= 0) return 0;
    core::SystemTime now = clock_.now();
    auto until = now + std::chrono::duration_cast<core::SystemTime::duration>(settings_.lease());
    rows = db_.write(
        [&](soci::session& s) { return db::claim_outbox(s, owner_, size_t(room), now, until); });
    in_flight_ += int64_t(rows.size());
  }
  for (auto& row : rows) send(std::move(row));
  return rows.size();
}

void OutboxDelivery::send(OutboxRow row) {
  Attempt attempt{row.id, row.message.action, row.message.target_url, row.attempts + 1};
  http::ClientRequest req;
  req.method = http::Method::kPost;
  req.url = attempt.url;
  req.timeout = settings_.request_timeout;
  req.read_timeout = settings_.request_timeout;
  req.connect_timeout = std::min(settings_.request_timeout, req.connect_timeout);
  req.max_response_bytes = 1024 * 1024;
  req.headers.set("Content-Type", "application/json");
  req.body = std::move(row.message.body);
  // As OpenSPP's server sends its callbacks (dci-ibr.md §5).
  req.headers.set("X-DCI-Transaction-ID", row.message.transaction_id);
  client_.send(std::move(req), [self = shared_from_this(), attempt](http::Outcome outcome) {
    int status = outcome.ok() ? outcome.response().status : 0;
    std::string error = outcome.ok() ? "" : outcome.error().what();
    // Completions run on the client's thread, which must not block: record on a worker.
    bool queued = self->background_.schedule(
        [self, attempt, status, error] { self->record(attempt, status, error); });
    if (!queued) --self->in_flight_;
  });
}

void OutboxDelivery::record(const Attempt& a, int status, const std::string& error) {
  core::MutexLock lock(mu_);
  --in_flight_;
  if (stopped_) return;
  core::SystemTime now = clock_.now();
  try {
    if (status >= 200 && status < 300) {
      db_.write([&](soci::session& s) { db::mark_outbox_delivered(s, a.id, now); });
      log::info("ibr_outbox_delivered",
                {{"id", a.id}, {"action", a.action}, {"attempt", a.attempt}});
      return;
    }
    std::string why = status ? "HTTP " + std::to_string(status) : error;
    auto delay =
        outbox_backoff(a.attempt, settings_.backoff_base, settings_.backoff_cap, unit_random());
    auto retry_at = now + std::chrono::duration_cast<core::SystemTime::duration>(delay);
    auto state = db_.write([&](soci::session& s) {
      return db::mark_outbox_failed(s, a.id, owner_, why, settings_.max_attempts, retry_at, now);
    });
    log::warn("ibr_outbox_delivery_failed",
              {{"id", a.id},
               {"action", a.action},
               {"target", loggable_url(a.url)},
               {"attempt", a.attempt},
               {"max_attempts", settings_.max_attempts},
               {"error", why},
               {"state", state ? std::string(outbox_state_name(*state)) : "gone"},
               {"retry_in_ms", state == OutboxState::kPending ? delay.count() : 0}});
  } catch (const std::exception& e) {
    // The lease runs out and the row is tried again.
    log::warn("ibr_outbox_record_failed", {{"id", a.id}, {"error", core::loggable_message(e)}});
  }
}

void OutboxDelivery::stop() {
  poll_.cancel();
  core::MutexLock lock(mu_);
  stopped_ = true;
}

}  // namespace registrar::ibr
