// `registrar ibr seed` and `registrar ibr dedup` (synthetic.h does the work).
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "core/progress.h"
#include "ibr/cli.h"
#include "ibr/config.h"
#include "ibr/synthetic.h"

namespace registrar::ibr {
namespace {

struct SeedArgs {
  SeedOptions options;
};

struct DedupArgs {
  double threshold = -1;  // < 0: the configured ibr.match.possible
};

}  // namespace

void add_seed_commands(CLI::App& ibr, app::ServiceProvider& provider) {
  auto seed_args = std::make_shared<SeedArgs>();
  auto* seed = ibr.add_subcommand(
      "seed", "Write a synthetic population with injected duplicates (ground truth kept).");
  seed->add_option("--count", seed_args->options.count, "Records to write")->required();
  seed->add_option("--duplicates", seed_args->options.duplicate_rate,
                   "Share of records that duplicate an earlier person (default 0.05)")
      ->check(CLI::Range(0.0, 0.9));
  seed->add_option("--seed", seed_args->options.seed, "Generator seed (default 1)");
  seed->add_option("--sender", seed_args->options.sender_id,
                   "sender_id the records are stored under (default synthetic)");
  seed->callback([&provider, seed_args] {
    provider.set_action([&provider, seed_args] {
      app::Services& s = provider.services();
      const bool tty = isatty(STDERR_FILENO) != 0;
      auto started = std::chrono::steady_clock::now();
      std::function<void(size_t, size_t)> progress;
      if (tty) progress = core::draw_progress;
      SeedStats stats = seed_population(s.db, s.clock, seed_args->options, progress);
      double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (tty) std::fprintf(stderr, "\n");
      std::fprintf(stderr, "seeded %zu records (%zu injected duplicates) as sender %s in %.1f s\n",
                   stats.records, stats.duplicates, seed_args->options.sender_id.c_str(), secs);
      std::cout << "records: " << stats.records << "\nduplicates: " << stats.duplicates << "\n";
      return 0;
    });
  });

  auto dedup_args = std::make_shared<DedupArgs>();
  auto* dedup = ibr.add_subcommand(
      "dedup",
      "Score every record against the duplicate index; precision/recall/F1 when the "
      "records carry ground truth (ibr seed).");
  dedup
      ->add_option("--threshold", dedup_args->threshold,
                   "Score from which a pair counts (default ibr.match.possible)")
      ->check(CLI::Range(0.0, 1.0));
  dedup->callback([&provider, dedup_args] {
    provider.set_action([&provider, dedup_args] {
      app::Services& s = provider.services();
      IbrSettings settings = read_ibr_config(s.config);
      std::optional<double> threshold;
      if (dedup_args->threshold >= 0) threshold = dedup_args->threshold;
      DedupReport r = dedup_registry(s.db, index_options(settings), threshold);
      std::printf("records: %zu\nconfirmed pairs: %zu\npossible pairs: %zu\n", r.records,
                  r.confirmed_pairs, r.possible_pairs);
      std::printf(
          "index bytes per record: %.0f\n",
          r.records ? static_cast<double>(r.index_bytes) / static_cast<double>(r.records) : 0.0);
      if (r.evaluation)
        std::printf("true pairs: %zu\nprecision: %.4f\nrecall: %.4f\nf1: %.4f\n", r.true_pairs,
                    r.evaluation->precision(), r.evaluation->recall(), r.evaluation->f1());
      else
        std::printf("ground truth: unknown (not every record carries ground_truth_person)\n");
      return 0;
    });
  });
}

}  // namespace registrar::ibr
