// After a restore: the identifiers handed out between the backup and the restore are gone from
// the database but not from the world (printed on cards, sent to partners). Without care the
// generator would walk the same counters again and issue those IDs a second time. So after a
// restore the ids module moves every counter and sequence forward, past what the lost interval
// can have used, and keeps IDs that were back in the pool (UNASSIGNED) from being reissued.
//
// How far: the backup itself tells how fast counters were used (the counters of the IDs issued
// in the last day it holds) and how long ago its newest ID was issued; the skip is twice the
// daily use times the days since then (at least one), and never less than ten lease blocks.
// An operator who knows more (another instance's logs, a partner's count) moves further with
// `registrar ids skip-ahead`.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "ids/config.h"
#include "store/database.h"

namespace registrar::ids {

// What the restored database says about one ID type's counters.
struct CounterUse {
  std::optional<int64_t> newest_us;    // the newest issued ID's creation time; none issued: nullopt
  int64_t first_counter_last_day = 0;  // lowest / highest counter of the IDs issued in the day
  int64_t last_counter_last_day = 0;   // before newest_us
};

// Counters to skip for one type (pure; see the header comment for the rule).
int64_t counter_skip(const CounterUse& use, int64_t now_us, int64_t block_size);

// Values skipped for each machine / centre / MISP / partner sequence: these are issued by
// administrators a few at a time, so a fixed margin is enough; more with `ids skip-ahead`.
inline constexpr int kSequenceSkip = 10;

// Applies the above in the caller's transaction, writes one audit entry, and prints one line per
// change to `out`.
void advance_after_restore(soci::session& s, store::Backend backend, const IdsConfig& config,
                           int64_t now_us, std::ostream& out);

// `ids skip-ahead`: moves `kind` (uin, vid, prid, or a sequence: machine, centre, misp,
// partner) forward by `by` (> 0). Throws core::Error (kInvalidArgument) for an unknown kind.
void skip_ahead(soci::session& s, store::Backend backend, const IdsConfig& config,
                const std::string& kind, int64_t by, int64_t now_us, std::ostream& out);

}  // namespace registrar::ids
