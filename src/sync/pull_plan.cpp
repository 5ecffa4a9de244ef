#include "sync/pull_plan.h"

#include <algorithm>
#include <charconv>

namespace registrar::sync {
namespace {

bool has(const std::vector<std::string>& set, const std::string& s) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

void add_unique(std::vector<std::string>& set, const std::vector<std::string>& more) {
  for (const auto& s : more)
    if (!has(set, s)) set.push_back(s);
}

// The scopes a client at `base` holds completely: those of the last record at or before it.
std::vector<std::string> scopes_at(const std::vector<ScopeRecord>& records, int64_t base) {
  std::vector<std::string> out;
  for (const auto& r : records)
    if (r.since <= base) out = r.scopes;
  return out;
}

}  // namespace

std::optional<PullCursor> parse_pull_cursor(std::string_view text) {
  int64_t parts[4] = {0, 0, 0, 0};
  size_t n = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (;;) {
    if (n == 4) return std::nullopt;
    int64_t v = -1;
    auto [q, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || v < 0 || q == p) return std::nullopt;
    parts[n++] = v;
    if (q == end) break;
    if (*q != '.') return std::nullopt;
    p = q + 1;
  }
  if (n == 2 || (n == 4 && parts[3] != 1)) return std::nullopt;
  PullCursor c{parts[0], parts[1], parts[2], n == 4};
  if (n >= 3 && c.target <= c.base) return std::nullopt;
  return c;
}

std::string format_pull_cursor(const PullCursor& c) {
  if (!c.catching_up()) return std::to_string(c.base);
  return std::to_string(c.base) + "." + std::to_string(c.target) + "." + std::to_string(c.after) +
         (c.restarted ? ".1" : "");
}

PullPlan plan_pull(const PullCursor& cursor, const std::vector<ScopeRecord>& records) {
  const ScopeRecord& latest = records.back();
  PullPlan plan;
  plan.cursor = cursor;
  if (cursor.base >= latest.since) {
    // The client holds the latest scopes (a catch-up cursor cannot have base >= its target, and
    // targets are switches: this one is stale only if records were lost).
    plan.cursor = PullCursor{cursor.base, 0, 0, false};
    for (const auto& s : latest.scopes) {
      plan.reads.push_back({ScopeRead::Kind::kRows, s, cursor.base, kToHead});
      plan.reads.push_back({ScopeRead::Kind::kDepartures, s, cursor.base, kToHead});
    }
    return plan;
  }
  // A catch-up towards the latest switch; restarted from its beginning when the machine moved
  // again since the client's catch-up began (its target is no longer the latest).
  if (!cursor.catching_up())
    plan.cursor = PullCursor{cursor.base, latest.since, 0, false};
  else if (cursor.target != latest.since)
    plan.cursor = PullCursor{cursor.base, latest.since, 0, true};
  const int64_t base = plan.cursor.base, target = plan.cursor.target, k = plan.cursor.after;
  // What the client may hold is a function of the cursor's (base, target, restarted) only, so
  // that every page of one catch-up reads the same sets. At base it held `held` completely. After
  // a restart, any switch between base and target may have been the target of a catch-up the
  // client began and did not finish: it may hold some rows of that switch's scopes, and may have
  // departed some rows of the scopes that switch left. So a scope is then held completely only
  // if every such switch kept it. A catch-up begun from a plain cursor has none of this: the
  // client has applied nothing since base.
  std::vector<std::string> held = scopes_at(records, base);
  std::vector<std::string> full = held, maybe = held;
  for (const auto& r : records) {
    if (!plan.cursor.restarted || r.since <= base || r.since >= target) continue;
    add_unique(maybe, r.scopes);
    std::erase_if(full, [&](const std::string& s) { return !has(r.scopes, s); });
  }
  const int64_t from = std::max(base, k);
  for (const auto& s : maybe) {
    if (has(latest.scopes, s)) continue;
    // Left: every row the client may hold goes, whatever its sequence number, and so does every
    // row that left the scope after base (it was there at base).
    plan.reads.push_back({ScopeRead::Kind::kRowsDeparted, s, k, kToHead});
    plan.reads.push_back({ScopeRead::Kind::kDepartures, s, from, kToHead});
  }
  for (const auto& s : latest.scopes) {
    // Kept (held completely): the changes the client missed up to the switch; later ones come
    // after the catch-up. Otherwise every row up to the switch, and, when the client may hold
    // some of the scope's rows, the departures since base.
    bool kept = has(full, s);
    plan.reads.push_back({ScopeRead::Kind::kRows, s, kept ? from : k, target});
    if (has(maybe, s)) plan.reads.push_back({ScopeRead::Kind::kDepartures, s, from, target});
  }
  return plan;
}

PullCursor next_cursor(const PullCursor& read, size_t got, int64_t last_seq, int limit,
                       bool& more) {
  bool full = got > static_cast<size_t>(limit);
  if (read.catching_up()) {
    // After the last catch-up page the client holds the new scopes as of the switch; the changes
    // after it come normally, so it pulls again at once.
    more = true;
    if (!full) return PullCursor{read.target, 0, 0};
    return PullCursor{read.base, read.target, last_seq, read.restarted};
  }
  more = full;
  return PullCursor{got == 0 ? read.base : last_seq, 0, 0};
}

}  // namespace registrar::sync
