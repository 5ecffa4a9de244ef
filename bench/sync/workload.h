// bench/sync's synthetic master data: a deterministic function of (rows, centres), so that the
// registrar's store and the MOSIP-shaped PostgreSQL baseline hold the same rows. Every row is
// parsed with the catalogue (parse_row) and placed with scope_of, exactly as the service writes
// them; references point at rows that exist. Pure: no I/O.
//
// Shape: a few reference rows (types, specifications, a language) and `global_rows` global rows
// (locations, blocklisted words, holidays); then centre 0, the big one, with `big_centre_rows`
// centre rows; then the other centres sharing the rest evenly. A centre is its registration
// centre row, its machine and units of four rows: a user, a device, the centre-user and the
// centre-device mappings.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sync/store.h"

namespace registrar::sync_bench {

struct Shape {
  int64_t rows = 0;  // in all
  int centres = 0;
  int64_t big_centre_rows = 0;  // centre 0's own rows (centre, machine, units)
  int64_t global_rows = 0;      // every machine's rows, the fixed reference rows included
};

// rows >= 10,000 and centres >= 2; the big centre has min(133,336, rows / 10) rows — at full size
// 100,002 that clientsettings sends and 33,334 users (sent by userdetails) — and the global rows
// are min(10,000, rows / 100).
Shape shape_for(int64_t rows, int centres);

std::string centre_id(int k);   // "10000" + k
std::string machine_id(int k);  // "<centre>-M"
// The location whose holidays centre k's machines receive.
std::string holiday_location(int k);
inline constexpr const char* kTemplateModule = "10002";

// A machine's keys (PEM): every machine row carries these (only centre 0's are registered).
struct MachineKeys {
  std::string encryption, signing;
  std::string encryption_index, signing_index;  // key_index_of each, as the service stores them
};

// Emits every row, in batches of at most `batch`, in generation order.
void generate(const Shape& shape, size_t batch, const MachineKeys& keys,
              const std::function<void(std::vector<sync::RowWrite>&)>& emit);

// `n` changes to the big centre's rows that clientsettings sends, as an operator would make them
// between two syncs: in turn a device renamed, a centre-user mapping deactivated, a
// centre-device mapping deleted.
std::vector<sync::RowWrite> changes(const Shape& shape, int n);

}  // namespace registrar::sync_bench
