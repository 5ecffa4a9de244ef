#include "ibr/index_follower.h"

#include <set>
#include <utility>

#include "core/error.h"
#include "core/log.h"
#include "ibr/store.h"

namespace registrar::ibr {
namespace {

// Feed rows read per query; a longer backlog is read in several queries within one poll (SOCI
// allocates the vectors for the whole page on every query, and most polls find nothing).
constexpr size_t kPage = 128;

}  // namespace

IndexFollower::IndexFollower(store::Database& db, BeneficiaryIndex& index,
                             std::chrono::milliseconds interval, core::Background* background)
    : db_(db), index_(index), interval_(interval) {
  if (background)
    job_ = background->every(
        interval_, [this] { poll(); }, interval_);
}

IndexFollower::~IndexFollower() {
  job_.cancel();
}

std::chrono::milliseconds IndexFollower::resync_after() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(kIbrChangeRetention) / 2;
}

void IndexFollower::build_locked(SteadyTime now) {
  auto started = std::chrono::steady_clock::now();
  int64_t seq = 0;
  db_.read([&](soci::session& s) { seq = db::last_change_seq(s); });
  BeneficiaryIndex::LoadStats stats = index_.load(db_);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started);
  log::info("ibr_index_built", {{"records", stats.records},
                                {"removed", stats.removed},
                                {"ms", ms.count()},
                                {"feed_seq", seq}});
  last_seq_ = seq;
  last_ok_ = now;
}

bool IndexFollower::poll(SteadyTime now) {
  core::MutexLock lock(mu_);
  try {
    if (!last_seq_ || !last_ok_ || now - *last_ok_ > resync_after()) {
      if (last_seq_) log::warn("ibr_index_resync", {{"why", "no successful poll for too long"}});
      build_locked(now);
    } else {
      db_.read([&](soci::session& s) {
        mu_.assert_held();  // poll() holds it while the read runs this
        for (;;) {
          std::vector<db::Change> changes = db::read_changes(s, *last_seq_, kPage);
          // One re-read per beneficiary however often it changed.
          std::set<std::pair<std::string, std::string>> keys;
          for (const auto& c : changes) keys.emplace(c.sender_id, c.reference_id);
          for (const auto& [sender, ref] : keys) {
            auto b = db::find_beneficiary(s, sender, ref);
            if (b)
              index_.put(*b);  // a deleted one is removed
            else
              index_.remove({sender, ref});
          }
          if (!changes.empty()) last_seq_ = changes.back().seq;
          if (changes.size() < kPage) return;
        }
      });
      last_ok_ = now;
    }
  } catch (const std::exception& e) {
    if (!failing_) log::warn("ibr_index_poll_failed", {{"error", core::loggable_message(e)}});
    failing_ = true;
    return false;
  }
  if (failing_) log::info("ibr_index_poll_recovered");
  failing_ = false;
  return true;
}

}  // namespace registrar::ibr
