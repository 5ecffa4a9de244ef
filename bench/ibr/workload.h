// The workload shared by the ibr benchmarks (matching_bench, ibr_compare): one seeded synthetic
// population of REGISTRAR_BENCH_IBR_N records (default 1,000,000, 5 % injected duplicates) and
// the seeded query samples drawn from it, so that the in-memory index and the PostgreSQL
// baseline answer exactly the same queries on exactly the same data.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ibr/matching/population.h"

namespace registrar::bench::ibr {

namespace matching = registrar::ibr::matching;

inline constexpr uint64_t kPopulationSeed = 20261202;
inline constexpr double kDuplicateRate = 0.05;

// REGISTRAR_BENCH_IBR_N, default 1,000,000.
size_t population_size();
// A size_t from the environment variable `name`, `fallback` when it is unset.
size_t env_size(const char* name, size_t fallback);

struct Population {
  std::vector<matching::SyntheticRecord> records;
  std::vector<uint32_t> person_of;  // ground truth: person_of[i] is record i's person
};
Population make_population(size_t count);

struct IdentifierQuery {
  uint32_t record = 0;  // the record the identifier was taken from
  const matching::Identifier* identifier = nullptr;
};
// `count` identifiers of random records (seed 1).
std::vector<IdentifierQuery> exact_queries(const Population& p, size_t count);
// `count` random records used as fuzzy queries (seed 2).
std::vector<uint32_t> fuzzy_queries(const Population& p, size_t count);
// The records of the match-quality run: `draws` random picks (seed 3), repeats collapsed, as a
// flag per record (the `in_scope` of matching::evaluate_pairs).
std::vector<bool> quality_sample(const Population& p, size_t draws);

struct Latency {
  double p50_us = 0, p99_us = 0, max_us = 0;
  size_t count = 0;
};

Latency percentiles(std::vector<double> micros);

// Times `run(i)` for i in [0, count), each call on its own, and returns the percentiles.
template <typename F>
Latency time_each(size_t count, F&& run) {
  std::vector<double> micros;
  micros.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run(i);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  return percentiles(std::move(micros));
}

}  // namespace registrar::bench::ibr
