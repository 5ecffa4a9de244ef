// The sync routes' query parameters that are parsed rather than looked up (docs/sync.md): the
// pull cursor (`cursor=B` or `B.T.A[.1]` of GET /v1/sync/pull), MOSIP's `lastUpdated` of
// clientsettings, and the window a sync covers from it. The input is split at '\n': the cursor
// first, lastUpdated second. Properties: a cursor that reads is written back as it reads, and
// planned against a machine's scope records without failing; a lastUpdated that reads gives a
// window ending no later than now; lastSyncTime (what the client sends next) reads back to the
// millisecond.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sync/mosip_window.h"
#include "sync/pull_plan.h"

using namespace registrar::sync;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view cursor_text = input.substr(0, nl);
  const std::string_view last_text = nl == std::string_view::npos ? "" : input.substr(nl + 1);

  if (const auto cursor = parse_pull_cursor(cursor_text)) {
    const auto again = parse_pull_cursor(format_pull_cursor(*cursor));
    if (!again || !(*again == *cursor)) std::abort();
    // A machine that moved twice (records since 0, 40 and 90); plan_pull is given cursors the
    // route has checked against the last change, as here.
    static const std::vector<ScopeRecord> records = {{0, {"centre:10001", "location:KTA"}},
                                                     {40, {"centre:10002", "location:KTA"}},
                                                     {90, {"centre:10002", "location:RBT"}}};
    if (cursor->base <= 1000 && cursor->target <= 1000 && cursor->after <= 1000)
      (void)plan_pull(*cursor, records);
  }

  // 2025-01-01T12:34:56.789Z
  constexpr int64_t kNow = 1'735'734'896'789'000;
  const auto last = parse_last_updated(last_text);
  for (int64_t interval : {int64_t(1), int64_t(900)}) {
    for (bool to_now : {false, true}) {
      WindowSettings settings{interval, to_now};
      const SyncWindow w = sync_window(kNow, last, settings);
      if (w.to_us > kNow) std::abort();
      if (!last && !w.full) std::abort();  // no lastUpdated: a full sync
    }
  }
  if (last && *last >= 0 && *last < 253'402'300'800'000'000) {  // 1970 .. 9999
    const std::string formatted = format_sync_time(*last);
    const auto back = parse_last_updated(formatted);
    if (!back || *back != *last - *last % 1000) std::abort();
  }
  return 0;
}
