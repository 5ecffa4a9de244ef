#include "authz/change_follower.h"

#include "authz/store.h"
#include "core/error.h"
#include "core/log.h"

namespace registrar::authz {
namespace {

// Feed rows read per query; a longer backlog is read in several queries within one poll. The
// query's vectors are sized to the page whether or not rows come back (SOCI allocates for every
// element), and most polls find none: 4096 cost an idle server 40,000 allocations a second.
constexpr size_t kPage = 128;

}  // namespace

ChangeFollower::ChangeFollower(store::Database& db, EstateCache& cache,
                               std::chrono::milliseconds interval, core::Metrics* metrics,
                               core::Background* background)
    : db_(db), cache_(cache), interval_(interval) {
  if (metrics)
    polls_failed_ = &metrics->counter("registrar_authz_change_polls_failed_total",
                                      "Polls of the authz change feed that failed.");
  if (background)
    job_ = background->every(interval_, [this] { poll(std::chrono::steady_clock::now()); });
}

ChangeFollower::~ChangeFollower() {
  job_.cancel();
}

bool ChangeFollower::poll(SteadyTime now) {
  core::MutexLock lock(mu_);
  // Were all changes up to now followed? If not, entries may predate a missed change.
  bool was_fresh = cache_.fresh(now);
  try {
    db_.read([&](soci::session& s) {
      mu_.assert_held();  // poll() holds it while the read runs this
      if (!last_seq_) {
        last_seq_ = db::last_change_seq(s);
        return;
      }
      for (;;) {
        std::vector<db::Change> changes = db::read_changes(s, *last_seq_, kPage);
        for (const auto& c : changes) cache_.evict(c.estate);
        if (!changes.empty()) last_seq_ = changes.back().seq;
        if (changes.size() < kPage) return;
      }
    });
  } catch (const std::exception& e) {
    if (polls_failed_) polls_failed_->add();
    if (!failing_)
      log::warn("authz_change_poll_failed",
                {{"error", core::loggable_message(e)}, {"stale_after_ms", stale_after().count()}});
    failing_ = true;
    return false;
  }
  if (failing_) log::info("authz_change_poll_recovered");
  failing_ = false;
  if (!was_fresh) cache_.clear();
  cache_.set_fresh_until(now + stale_after());
  return true;
}

}  // namespace registrar::authz
