#include "workload.h"

#include <algorithm>
#include <cstdlib>
#include <random>

namespace registrar::bench::ibr {

size_t env_size(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

size_t population_size() {
  return env_size("REGISTRAR_BENCH_IBR_N", 1'000'000);
}

Population make_population(size_t count) {
  Population p;
  p.records = matching::generate_population(count, kDuplicateRate, kPopulationSeed);
  p.person_of.reserve(p.records.size());
  for (const matching::SyntheticRecord& r : p.records) p.person_of.push_back(r.person);
  return p;
}

std::vector<IdentifierQuery> exact_queries(const Population& p, size_t count) {
  std::mt19937_64 rng(1);
  std::vector<IdentifierQuery> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const auto record = static_cast<uint32_t>(rng() % p.records.size());
    const auto& ids = p.records[record].identifiers;
    out.push_back({record, &ids[rng() % ids.size()]});
  }
  return out;
}

std::vector<uint32_t> fuzzy_queries(const Population& p, size_t count) {
  std::mt19937_64 rng(2);
  std::vector<uint32_t> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(static_cast<uint32_t>(rng() % p.records.size()));
  return out;
}

std::vector<bool> quality_sample(const Population& p, size_t draws) {
  std::mt19937_64 rng(3);
  std::vector<bool> sampled(p.records.size());
  for (size_t i = 0; i < draws; ++i) sampled[rng() % p.records.size()] = true;
  return sampled;
}

Latency percentiles(std::vector<double> micros) {
  Latency l;
  l.count = micros.size();
  if (micros.empty()) return l;
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[static_cast<size_t>(q * (micros.size() - 1))]; };
  l.p50_us = at(0.50);
  l.p99_us = at(0.99);
  l.max_us = micros.back();
  return l;
}

}  // namespace registrar::bench::ibr
