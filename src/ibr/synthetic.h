// `registrar ibr seed` and `registrar ibr dedup` without the CLI: a synthetic population written
// into the registry through the store's put_beneficiary (so the change feed and every index
// follow it), and the whole registry scored against the duplicate index.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "ibr/matching/evaluation.h"
#include "ibr/matching/index.h"
#include "ibr/matching/population.h"
#include "ibr/records.h"
#include "store/database.h"

namespace registrar::ibr {

// A synthetic record as the spec's Beneficiary (member.demographic_info.person with name parts,
// birth_date, sex, sub_region_code, identifiers; member.programme_identifier), with the ground
// truth in the registrar-specific top-level member "ground_truth_person": "{seed}:{person}"
// (records sharing it are one real person). Two seeds' populations share identifier values (the
// generator numbers from 0): seed one population per registry.
Beneficiary synthetic_beneficiary(const matching::SyntheticRecord& r, uint64_t seed,
                                  const std::string& sender_id, const std::string& reference_id);

struct SeedOptions {
  size_t count = 0;
  double duplicate_rate = 0.05;
  uint64_t seed = 1;
  std::string sender_id = "synthetic";
  size_t batch = 1000;  // records per write transaction
};
struct SeedStats {
  size_t records = 0;
  size_t duplicates = 0;  // records that copy an earlier person
};
// `progress(done, total)` after each batch.
SeedStats seed_population(store::Database& db, const core::Clock& clock, const SeedOptions& o,
                          const std::function<void(size_t, size_t)>& progress = {});

struct DedupReport {
  size_t records = 0;
  size_t confirmed_pairs = 0;  // score >= confirmed, or an identifier shared
  size_t possible_pairs = 0;   // threshold <= score < confirmed
  // Set when every record carries ground_truth_person.
  std::optional<matching::PairCounts> evaluation;
  size_t true_pairs = 0;
  size_t index_bytes = 0;  // BeneficiaryIndex::memory_usage().total() of the index built
};
// Builds an index over the registry (options' thresholds; `threshold` overrides "possible") and
// searches every record against it: its identifiers (exact) and its person (fuzzy).
DedupReport dedup_registry(store::Database& db, const matching::IndexOptions& options,
                           std::optional<double> threshold);

}  // namespace registrar::ibr
