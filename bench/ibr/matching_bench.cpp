// ibr matching benchmarks on a seeded population of REGISTRAR_BENCH_IBR_N records (default
// 1,000,000, 5 % injected duplicates): index build rate and bytes per record, exact identifier
// lookup and fuzzy search latency (p50 / p99, one query timed at a time, normalisation of the
// query's name included), and precision / recall / F1 of the fuzzy search against the ground
// truth on a random sample of query records. Targets (issue 13): exact p99 < 1 ms, fuzzy p99
// < 10 ms, < 500 bytes per record, F1 >= 0.95.
#include <benchmark/benchmark.h>

#include <memory>

#include "ibr/matching/evaluation.h"
#include "ibr/matching/index.h"
#include "ibr/matching/population.h"
#include "workload.h"

namespace registrar::ibr::matching {
namespace {

using bench::ibr::Latency;

struct World {
  bench::ibr::Population population;
  std::unique_ptr<MatchIndex> index;
};

World& world() {
  static World w{bench::ibr::make_population(bench::ibr::population_size())};
  return w;
}

// Latency percentiles of `run(i)` over `count` queries, each timed on its own.
template <typename F>
void time_queries(benchmark::State& state, size_t count, F&& run) {
  Latency l;
  for (auto _ : state) l = bench::ibr::time_each(count, run);
  state.counters["p50_us"] = l.p50_us;
  state.counters["p99_us"] = l.p99_us;
  state.counters["max_us"] = l.max_us;
  state.SetItemsProcessed(static_cast<int64_t>(l.count));
}

void BM_BuildIndex(benchmark::State& state) {
  World& w = world();
  NameNormalizer normalizer;
  for (auto _ : state) {
    w.index =
        std::make_unique<MatchIndex>(IndexOptions{.expected_records = w.population.records.size()});
    for (uint32_t i = 0; i < w.population.records.size(); ++i)
      w.index->upsert(i, to_person(w.population.records[i], normalizer));
  }
  const MemoryUsage m = w.index->memory_usage();
  state.counters["records"] = static_cast<double>(m.records);
  state.counters["inserts_per_s"] =
      benchmark::Counter(static_cast<double>(w.population.records.size()),
                         benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes_per_record"] = m.bytes_per_record();
  state.counters["slots_B"] = static_cast<double>(m.slots) / m.records;
  state.counters["text_B"] = static_cast<double>(m.text) / m.records;
  state.counters["blocks_B"] = static_cast<double>(m.blocks) / m.records;
  state.counters["identifiers_B"] = static_cast<double>(m.identifiers) / m.records;
}
BENCHMARK(BM_BuildIndex)->Iterations(1)->Unit(benchmark::kSecond);

void BM_ExactLookup(benchmark::State& state) {
  World& w = world();
  const auto ids = bench::ibr::exact_queries(w.population, 100000);
  size_t found = 0;
  time_queries(state, ids.size(), [&](size_t i) {
    found += w.index->find_by_identifier(ids[i].identifier->type, ids[i].identifier->value).size();
  });
  benchmark::DoNotOptimize(found);
}
BENCHMARK(BM_ExactLookup)->Iterations(1)->Unit(benchmark::kMillisecond);

// Arg 1: the query's name normalised (ICU) inside the timed part, as a server does once per
// query; arg 0: queries normalised beforehand, the index's own latency.
void BM_FuzzySearch(benchmark::State& state) {
  World& w = world();
  const bool normalise_in_query = state.range(0) == 1;
  NameNormalizer normalizer;
  const std::vector<uint32_t> queries = bench::ibr::fuzzy_queries(w.population, 20000);
  std::vector<Person> prepared;
  if (!normalise_in_query)
    for (const uint32_t q : queries)
      prepared.push_back(to_person(w.population.records[q], normalizer));
  size_t candidates = 0;
  time_queries(state, queries.size(), [&](size_t i) {
    SearchStats stats;
    const auto hits = normalise_in_query
                          ? w.index->search(to_person(w.population.records[queries[i]], normalizer),
                                            50, {}, &stats)
                          : w.index->search(prepared[i], 50, {}, &stats);
    benchmark::DoNotOptimize(hits.data());
    candidates += stats.candidates;
  });
  state.counters["candidates_per_query"] = static_cast<double>(candidates) / queries.size();
}
BENCHMARK(BM_FuzzySearch)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_NormalizeName(benchmark::State& state) {
  World& w = world();
  NameNormalizer normalizer;
  size_t parts = 0;
  time_queries(state, 20000, [&](size_t i) {
    parts +=
        normalizer.tokens(w.population.records[(i * 7919) % w.population.records.size()].full_name)
            .size();
  });
  benchmark::DoNotOptimize(parts);
}
BENCHMARK(BM_NormalizeName)->Iterations(1)->Unit(benchmark::kMillisecond);

// Every sampled record is a query; pairs with at least one sampled record are what is scored.
// Hits down to 0.70 are kept with their scores, so that one run reports several thresholds.
void BM_MatchQuality(benchmark::State& state) {
  World& w = world();
  NameNormalizer normalizer;
  const std::vector<bool> sampled = bench::ibr::quality_sample(w.population, 50000);
  std::vector<std::pair<RecordPair, double>> scored;
  for (auto _ : state) {
    for (uint32_t i = 0; i < w.population.records.size(); ++i) {
      if (!sampled[i]) continue;
      for (const SearchHit& h :
           w.index->search(to_person(w.population.records[i], normalizer), 50, i, nullptr, 0.70))
        scored.push_back({{i, h.id}, h.score});
    }
  }
  for (const double threshold : {0.75, 0.80, 0.82, 0.83, 0.85, 0.90}) {
    std::vector<RecordPair> predicted;
    for (const auto& [pair, score] : scored)
      if (score >= threshold) predicted.push_back(pair);
    const PairCounts c = evaluate_pairs(std::move(predicted), w.population.person_of, sampled);
    const std::string at = "@" + std::to_string(static_cast<int>(threshold * 100 + 0.5));
    state.counters["P" + at] = c.precision();
    state.counters["R" + at] = c.recall();
    state.counters["F1" + at] = c.f1();
    if (threshold == 0.80)
      state.counters["true_pairs"] = static_cast<double>(c.true_positives + c.false_negatives);
  }
}
BENCHMARK(BM_MatchQuality)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace registrar::ibr::matching

BENCHMARK_MAIN();
