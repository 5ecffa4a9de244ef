// The pure half of MOSIP's clientsettings (docs/sync.md, "MOSIP clientsettings"; spec
// mosip-ids-and-sync.md §6.3): reading the client's lastUpdated, the time window a full or delta
// sync covers, the lastSyncTime the client sends back, and one row rendered as a DTO. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace registrar::sync {

struct WindowSettings {
  // A delta ends at the latest multiple of this many seconds (since the epoch, UTC) not after
  // now: MOSIP's delta-sync cache cron, every 15 minutes. 1 ends it at now, to the second.
  int64_t delta_interval_s = 900;
  // A full sync ends at today 00:00 UTC (MOSIP) unless this is set: then at now.
  bool full_sync_to_now = false;
};

// MOSIP's lastUpdated: "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", else an ISO local date-time
// ("yyyy-MM-ddTHH:mm[:ss[.fraction]]", read as UTC). Unix microseconds; nullopt when neither.
std::optional<int64_t> parse_last_updated(std::string_view text);

// The rows a sync sends: created, updated or deleted within [from_us, to_us] (inclusive).
// from > to is an empty delta (a client that synced after the last boundary), not an error.
struct SyncWindow {
  int64_t from_us = 0;
  int64_t to_us = 0;
  bool full = false;
};
SyncWindow sync_window(int64_t now_us, std::optional<int64_t> last_updated_us,
                       const WindowSettings& settings);

// "yyyy-MM-ddTHH:mm:ss.SSSZ" (UTC, milliseconds truncated): lastSyncTime.
std::string format_sync_time(int64_t us);

// Appends the DTO of a stored row to `out`: its compact JSON object `data` with langCode,
// isActive and isDeleted spliced in as text (no parse, no re-serialisation: a full sync renders
// every row of a centre). `lang_json` is the JSON of the language ("\"eng\"" or "null").
void append_dto(std::string& out, std::string_view data, std::string_view lang_json, bool active,
                bool deleted);

}  // namespace registrar::sync
