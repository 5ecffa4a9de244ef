// The cursor pull's plan (docs/sync.md, "Pull" and "Machine moves"), pure: which index ranges of
// which scopes a page reads, given the client's cursor and the scopes the machine was served
// since which change. store.h's pull_page runs the plan as one statement.
//
// A machine's scopes change when it moves to another centre or its centre's holiday location
// changes. The server records each scope set with the change-sequence number at which it took
// effect (sync_machine_scopes): a client whose cursor is below that number holds the previous
// set. It is brought over by a **catch-up**: departures for every row of the scopes it left, the
// rows of the scopes it entered up to the switch, and the changes of the scopes it kept up to the
// switch, in sequence order and paged; then it continues normally from the switch.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace registrar::sync {

// The cursor a client sends back. Normally one integer (`base`): every change up to it in the
// machine's scopes has been delivered. During a catch-up "base.target.after": the client still
// holds its scopes as of `base`, is being brought to the scopes that took effect at `target`, and
// has received the catch-up items up to sequence number `after`; "base.target.after.1" when the
// catch-up was restarted (the machine moved again during an earlier one, whose pages the client
// may have applied in part).
struct PullCursor {
  int64_t base = 0;
  int64_t target = 0;  // 0: no catch-up
  int64_t after = 0;
  bool restarted = false;
  bool catching_up() const { return target > 0; }
  bool operator==(const PullCursor&) const = default;
};
// nullopt when `text` is neither form (or a catch-up's target is not above its base).
std::optional<PullCursor> parse_pull_cursor(std::string_view text);
std::string format_pull_cursor(const PullCursor& cursor);

// The scopes a machine is served from change `since` on (records ascend by since; the first is
// since 0).
struct ScopeRecord {
  int64_t since = 0;
  std::vector<std::string> scopes;
  bool operator==(const ScopeRecord&) const = default;
};

inline constexpr int64_t kToHead = std::numeric_limits<int64_t>::max();

// One index range: sync_rows (as rows, or as departures of those rows: the scopes left) or
// sync_departures of `scope` with after < seq <= upto.
struct ScopeRead {
  enum class Kind { kRows, kRowsDeparted, kDepartures };
  Kind kind = Kind::kRows;
  std::string scope;
  int64_t after = 0, upto = kToHead;
  bool operator==(const ScopeRead&) const = default;
};

struct PullPlan {
  // The cursor the page is read for: the client's, or the start of a catch-up (after 0) when
  // the client's base is below the latest switch, or a catch-up restarted towards a newer one.
  PullCursor cursor;
  std::vector<ScopeRead> reads;
};
// `records` not empty.
PullPlan plan_pull(const PullCursor& cursor, const std::vector<ScopeRecord>& records);

// The cursor after a page of `got` items whose last has sequence number `last_seq`, when the
// page asked for `limit` (and read limit + 1 to know whether more follow); `more` set.
PullCursor next_cursor(const PullCursor& read, size_t got, int64_t last_seq, int limit, bool& more);

}  // namespace registrar::sync
