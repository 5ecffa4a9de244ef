// The ids module's records, as the store reads and writes them and the service returns them. No
// SQL or SOCI here. Times are unix milliseconds, the precision of MOSIP's formats; the tables keep
// µs since the epoch (store.cpp converts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace registrar::ids {

// Life cycle of an issued ID (MOSIP ISSUED -> ASSIGNED / UNASSIGNED; UNASSIGNED IDs are served
// again before new ones).
inline constexpr const char* kIssued = "ISSUED";
inline constexpr const char* kAssigned = "ASSIGNED";
inline constexpr const char* kUnassigned = "UNASSIGNED";

struct IssuedRow {
  std::string type;  // "uin", "vid", "prid"
  std::string id;
  int64_t counter = 0;  // -1 for an ID not produced by the generator
  std::string status;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::optional<int64_t> expires_ms;  // only VIDs expire
  std::string issued_by;
};

struct LicenceRow {
  std::string key;
  std::string partner;
  std::string status;  // stored status: ACTIVE, SUSPENDED, BLOCKED
  int64_t expires_ms = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

}  // namespace registrar::ids
