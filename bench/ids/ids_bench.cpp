// ids benchmarks: in-process validation (target >= 10 million UINs/s per core), generation,
// and the exact capacity of the default UIN policy (target < 10 s).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "ids/capacity.h"
#include "ids/issuance.h"
#include "ids/validators.h"

namespace registrar::ids {
namespace {

// A mix of valid UINs (from the generator) and typical invalid input.
std::vector<std::string> uin_corpus() {
  IdGenerator g(default_policy(IdType::kUin), "bench-key-0123456789abcdef");
  CounterBlock block{0, 10'000'000};
  std::vector<IssuedId> out;
  g.next_ids(block, 4096, out);
  std::vector<std::string> ids;
  for (size_t i = 0; i < out.size(); ++i) {
    std::string id = out[i].id;
    if (i % 4 == 1) id.back() = static_cast<char>('0' + (id.back() - '0' + 1) % 10);  // 205
    if (i % 8 == 3) id[2] = id[1];                                                    // 202
    ids.push_back(std::move(id));
  }
  return ids;
}

void BM_ValidateUin(benchmark::State& state) {
  const IdValidator v(default_policy(IdType::kUin));
  const auto ids = uin_corpus();
  size_t i = 0, ok = 0;
  for (auto _ : state) {
    ok += v.validate(ids[i]).ok();
    i = (i + 1) & (ids.size() - 1);
  }
  benchmark::DoNotOptimize(ok);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateUin);

void BM_ValidateUinAllValid(benchmark::State& state) {
  const IdValidator v(default_policy(IdType::kUin));
  IdGenerator g(default_policy(IdType::kUin), "bench-key-0123456789abcdef");
  CounterBlock block{0, 10'000'000};
  std::vector<IssuedId> out;
  g.next_ids(block, 4096, out);
  size_t i = 0, ok = 0;
  for (auto _ : state) {
    ok += v.validate(out[i].id).ok();
    i = (i + 1) & 4095;
  }
  benchmark::DoNotOptimize(ok);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateUinAllValid);

void BM_ValidateVid(benchmark::State& state) {
  const IdValidator v(default_policy(IdType::kVid));
  const std::string id = "6706914957613640";
  for (auto _ : state) benchmark::DoNotOptimize(v.validate(id).ok());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateVid);

void BM_GenerateUin(benchmark::State& state) {
  IdGenerator g(default_policy(IdType::kUin), "bench-key-0123456789abcdef");
  CounterBlock block{0, g.counter_space()};
  std::vector<IssuedId> out;
  out.reserve(1024);
  for (auto _ : state) {
    out.clear();
    g.next_ids(block, 1024, out);
    if (block.exhausted()) block = {0, g.counter_space()};
  }
  state.SetItemsProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_GenerateUin)->Unit(benchmark::kMillisecond);

void BM_GenerateVid(benchmark::State& state) {
  IdGenerator g(default_policy(IdType::kVid), "bench-key-0123456789abcdef");
  CounterBlock block{0, g.counter_space()};
  std::vector<IssuedId> out;
  for (auto _ : state) {
    out.clear();
    g.next_ids(block, 256, out);
  }
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_GenerateVid)->Unit(benchmark::kMillisecond);

void BM_CapacityDefaultUin(benchmark::State& state) {
  const Policy p = default_policy(IdType::kUin);
  uint64_t n = 0;
  for (auto _ : state) n = count_exact(p, Admission::kIssuable);
  state.counters["ids"] = static_cast<double>(n);
  state.counters["valid_ids"] = static_cast<double>(count_exact(p, Admission::kValid));
}
BENCHMARK(BM_CapacityDefaultUin)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_CapacityUin12(benchmark::State& state) {
  Policy p = default_policy(IdType::kUin);
  p.length = 12;
  uint64_t n = 0;
  for (auto _ : state) n = count_exact(p, Admission::kIssuable);
  state.counters["ids"] = static_cast<double>(n);
}
BENCHMARK(BM_CapacityUin12)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace registrar::ids

BENCHMARK_MAIN();
