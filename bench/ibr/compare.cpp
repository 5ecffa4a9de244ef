// ibr_compare: the registrar's in-memory match index beside the PostgreSQL pg_trgm +
// fuzzystrmatch baseline (pg_baseline.h), on the same seeded population and the same query
// samples, printed side by side: exact lookup and fuzzy search latency (p50 / p99, each query
// timed on its own on one thread / one connection, the query's name normalisation included on
// both sides), memory per record, and precision / recall / F1 against the ground truth scored by
// one evaluator (ibr/matching/evaluation.h) for both.
//
// Usage: ibr_compare [POSTGRESQL_URL]   (or IBR_BENCH_PG_URL; without either, the index only)
// Environment: REGISTRAR_BENCH_IBR_N (records, default 1,000,000), IBR_BENCH_QUERIES (latency
// queries per kind, default 5,000), IBR_BENCH_QUALITY_DRAWS (random picks of query records for
// P/R/F1, default 10,000), IBR_BENCH_PG_TRGM (pg_trgm.similarity_threshold, default 0.3),
// IBR_BENCH_PG_MODE (blocked, the default: trigram candidates near the birth year, as the
// registrar blocks; unblocked: trigram candidates from every record, see pg_baseline.h).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>

#include "ibr/matching/evaluation.h"
#include "ibr/matching/index.h"
#include "pg_baseline.h"
#include "workload.h"

namespace registrar::bench::ibr {
namespace {

using matching::RecordPair;
using ScoredPairs = std::vector<std::pair<RecordPair, double>>;

// Hits kept for the quality run (then cut at each threshold of the sweep), and the cut-off of
// the latency runs: the registrar's "possible" threshold, as a server answers.
constexpr double kMinScore = 0.70;
constexpr double kServingScore = 0.82;
constexpr double kThresholds[] = {0.70, 0.75, 0.80, 0.82, 0.85, 0.90};

struct Side {
  std::string build;
  Latency exact, fuzzy;
  size_t exact_misses = 0;  // identifier lookups that did not return their own record
  std::string memory;
  ScoredPairs scored;
  double quality_s = 0;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string format(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

matching::PairCounts quality_at(const ScoredPairs& scored, double threshold, const Population& p,
                                const std::vector<bool>& sample) {
  std::vector<RecordPair> predicted;
  for (const auto& [pair, score] : scored)
    if (score >= threshold) predicted.push_back(pair);
  return matching::evaluate_pairs(std::move(predicted), p.person_of, sample);
}

// The same measurements on either side: `exact(type, value)` returns record ids,
// `search(person, exclude, min_score)` returns hits (with `id` and `score`) scoring at least
// min_score.
template <typename Exact, typename Search>
void measure(Side& side, const Population& p, const std::vector<IdentifierQuery>& ids,
             const std::vector<uint32_t>& fuzzy, const std::vector<bool>& sample,
             matching::NameNormalizer& normalizer, Exact&& exact, Search&& search) {
  side.exact = time_each(ids.size(), [&](size_t i) {
    const auto found = exact(ids[i].identifier->type, ids[i].identifier->value);
    if (std::find(found.begin(), found.end(), ids[i].record) == found.end()) ++side.exact_misses;
  });
  // A warm-up pass over part of the sample (caches, the planner's prepared plan), then the
  // timed pass; normalisation of the query's name is inside the timed part, as in a server.
  for (size_t i = 0; i < std::min<size_t>(fuzzy.size(), 500); ++i)
    search(matching::to_person(p.records[fuzzy[i]], normalizer), -1, kServingScore);
  side.fuzzy = time_each(fuzzy.size(), [&](size_t i) {
    search(matching::to_person(p.records[fuzzy[i]], normalizer), -1, kServingScore);
  });
  const auto start = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < p.records.size(); ++i) {
    if (!sample[i]) continue;
    for (const auto& hit : search(matching::to_person(p.records[i], normalizer), i, kMinScore))
      side.scored.push_back({{i, hit.id}, hit.score});
  }
  side.quality_s = seconds_since(start);
}

void print_row(const char* label, const std::string& a, const std::string& b, const char* target) {
  std::printf("%-34s %-30s %-40s %s\n", label, a.c_str(), b.c_str(), target);
}

int run(int argc, char** argv) {
  const char* env_url = std::getenv("IBR_BENCH_PG_URL");
  const std::string pg_url = argc > 1 ? argv[1] : env_url ? env_url : "";
  const size_t n = population_size();
  const size_t query_count = env_size("IBR_BENCH_QUERIES", 5000);
  const size_t draws = env_size("IBR_BENCH_QUALITY_DRAWS", 10000);
  const char* trgm_env = std::getenv("IBR_BENCH_PG_TRGM");
  const double trgm = trgm_env ? std::atof(trgm_env) : 0.3;
  const char* mode_env = std::getenv("IBR_BENCH_PG_MODE");
  const bool blocked = !mode_env || std::string(mode_env) != "unblocked";

  auto start = std::chrono::steady_clock::now();
  const Population p = make_population(n);
  const auto ids = exact_queries(p, query_count);
  const auto fuzzy = fuzzy_queries(p, query_count);
  const auto sample = quality_sample(p, draws);
  std::printf("population: %zu records generated in %.1f s (seed %llu, %.0f %% duplicates)\n",
              p.records.size(), seconds_since(start),
              static_cast<unsigned long long>(kPopulationSeed), kDuplicateRate * 100);
  std::fflush(stdout);

  matching::NameNormalizer normalizer;
  Side reg, pg;
  start = std::chrono::steady_clock::now();
  matching::MatchIndex index(matching::IndexOptions{.expected_records = p.records.size()});
  for (uint32_t i = 0; i < p.records.size(); ++i)
    index.upsert(i, matching::to_person(p.records[i], normalizer));
  const double build_s = seconds_since(start);
  reg.build = format("%.1f s (%.0f records/s)", build_s, p.records.size() / build_s);
  reg.memory = format("%.0f B (index)", index.memory_usage().bytes_per_record());
  measure(
      reg, p, ids, fuzzy, sample, normalizer,
      [&](const std::string& type, const std::string& value) {
        return index.find_by_identifier(type, value);
      },
      [&](const matching::Person& q, int64_t exclude, double min_score) {
        std::optional<matching::RecordId> ex;
        if (exclude >= 0) ex = static_cast<matching::RecordId>(exclude);
        return index.search(q, 50, ex, nullptr, min_score);
      });
  std::printf("registrar index measured (match quality run %.1f s)\n", reg.quality_s);
  std::fflush(stdout);

  std::string pg_label = "PostgreSQL (no URL: skipped)";
  if (!pg_url.empty()) {
    PgBaseline db(pg_url, blocked);
    pg_label = "PostgreSQL " + db.server_version().substr(0, db.server_version().find(' ')) +
               (blocked ? ", blocked" : ", unblocked") + format(", trgm %.2f", trgm);
    const PgBaseline::LoadTimes t = db.load(p.records, normalizer);
    db.set_trigram_threshold(trgm);
    pg.build = format("COPY %.1f s + indexes %.1f s", t.copy_s, t.index_s);
    const PgSizes s = db.sizes();
    const double rows = static_cast<double>(p.records.size());
    pg.memory = format("%.0f B (indexes %.0f)", (s.table_bytes + s.index_bytes) / rows,
                       s.index_bytes / rows);
    measure(
        pg, p, ids, fuzzy, sample, normalizer,
        [&](const std::string& type, const std::string& value) {
          return db.find_by_identifier(type, value);
        },
        [&](const matching::Person& q, int64_t exclude, double min_score) {
          return db.search(q, exclude, min_score);
        });
    std::printf("PostgreSQL measured (match quality run %.1f s)\n", pg.quality_s);
  }

  size_t queried = 0;
  for (const bool b : sample) queried += b;
  std::printf("\nibr: %zu records, %zu exact + %zu fuzzy latency queries, %zu quality queries\n",
              p.records.size(), ids.size(), fuzzy.size(), queried);
  print_row("", "registrar MatchIndex", pg_label, "target");
  print_row("load / index build", reg.build, pg.build, "");
  auto lat = [](const Side& s, const Latency& l) {
    return s.build.empty() ? std::string()
                           : format("%.3f / %.3f ms", l.p50_us / 1000, l.p99_us / 1000);
  };
  print_row("exact lookup p50 / p99", lat(reg, reg.exact), lat(pg, pg.exact), "p99 < 1 ms");
  print_row("fuzzy search p50 / p99", lat(reg, reg.fuzzy), lat(pg, pg.fuzzy), "p99 < 10 ms");
  print_row("exact lookups missing the record", std::to_string(reg.exact_misses),
            pg.build.empty() ? "" : std::to_string(pg.exact_misses), "0");
  print_row("bytes per record", reg.memory, pg.memory, "< 500 B");
  auto prf = [&](const Side& s, double threshold) {
    if (s.build.empty()) return std::string();
    const matching::PairCounts c = quality_at(s.scored, threshold, p, sample);
    return format("%.3f / %.3f / %.3f", c.precision(), c.recall(), c.f1());
  };
  auto best = [&](const Side& s) {
    if (s.build.empty()) return std::string();
    double best_f1 = -1, best_t = 0;
    for (const double t : kThresholds) {
      const double f1 = quality_at(s.scored, t, p, sample).f1();
      if (f1 > best_f1) best_f1 = f1, best_t = t;
    }
    return format("%.3f at %.2f", best_f1, best_t);
  };
  print_row("P / R / F1 at 0.82 (registrar's)", prf(reg, 0.82), prf(pg, 0.82), "F1 >= 0.95");
  print_row("best F1 (threshold)", best(reg), best(pg), "registrar > PostgreSQL");
  std::printf("\nthreshold sweep, P / R / F1:\n");
  for (const double t : kThresholds)
    print_row(format("  score >= %.2f", t).c_str(), prf(reg, t), prf(pg, t), "");
  return 0;
}

}  // namespace
}  // namespace registrar::bench::ibr

int main(int argc, char** argv) {
  try {
    return registrar::bench::ibr::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ibr_compare: %s\n", e.what());
    return 1;
  }
}
