// `registrar ibr seed` then `registrar ibr dedup` through the real binary (no server): the
// population lands in the database, and dedup's figures against the ground truth are printed.
#include <gtest/gtest.h>

#include <regex>

#include "ibr/store.h"
#include "store/database.h"
#include "support/databases.h"
#include "support/registrar_process.h"
#include "support/temp_dir.h"

namespace registrar::ibr {
namespace {

// The number after "label: " in the output, or -1.
double figure(const std::string& output, const std::string& label) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex("(^|\\n)" + label + ": ([0-9.]+)"))) return -1;
  return std::stod(m[2]);
}

class IbrSeedCli : public ::testing::TestWithParam<std::string> {
 protected:
  IbrSeedCli() : db_(GetParam()) {
    env_ = {{"REGISTRAR_DATABASE_URL", db_.url()},
            {"REGISTRAR_IDENTITY_MASTER_KEY_FILE", dir_.file("master.key")},
            {"REGISTRAR_IDENTITY_PASSWORD_HASH_COST", "minimal"}};
  }
  testing::TempDir dir_;
  testing::TestDatabase db_;
  std::map<std::string, std::string> env_;
};

TEST_P(IbrSeedCli, SeedThenDedupPrintsF1AgainstGroundTruth) {
  auto seed = testing::run_registrar("ibr seed --count 2000 --seed 42 --duplicates 0.05", env_);
  ASSERT_EQ(seed.exit_code, 0) << seed.output;
  EXPECT_EQ(figure(seed.output, "records"), 2000) << seed.output;
  // stderr is not a terminal here: one plain final line, no bar.
  EXPECT_NE(seed.output.find("seeded 2000 records"), std::string::npos) << seed.output;
  EXPECT_EQ(seed.output.find('\r'), std::string::npos);
  double injected = figure(seed.output, "duplicates");
  EXPECT_GT(injected, 40);

  store::Database db(db_.options());
  int64_t stored = 0;
  db.read([&](soci::session& s) { stored = db::count_beneficiaries(s); });
  EXPECT_EQ(stored, 2000);

  auto dedup = testing::run_registrar("ibr dedup", env_);
  ASSERT_EQ(dedup.exit_code, 0) << dedup.output;
  EXPECT_EQ(figure(dedup.output, "records"), static_cast<double>(stored)) << dedup.output;
  // Every injected duplicate copies one earlier record: at least that many true pairs.
  EXPECT_GE(figure(dedup.output, "true pairs"), injected) << dedup.output;
  EXPECT_GT(figure(dedup.output, "confirmed pairs") + figure(dedup.output, "possible pairs"),
            0.8 * injected)
      << dedup.output;
  EXPECT_GE(figure(dedup.output, "f1"), 0.9) << dedup.output;
  EXPECT_GE(figure(dedup.output, "precision"), 0.9) << dedup.output;

  EXPECT_GT(figure(dedup.output, "index bytes per record"), 0) << dedup.output;

  // The same seed again replaces its records (references seed-{seed}-{n}): nothing is added.
  auto again = testing::run_registrar("ibr seed --count 2000 --seed 42 --duplicates 0.05", env_);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  db.read([&](soci::session& s) { stored = db::count_beneficiaries(s); });
  EXPECT_EQ(stored, 2000);

  // A threshold of 1 keeps only identical records and shared identifiers: fewer pairs.
  auto strict = testing::run_registrar("ibr dedup --threshold 1", env_);
  ASSERT_EQ(strict.exit_code, 0) << strict.output;
  EXPECT_LT(figure(strict.output, "recall"), figure(dedup.output, "recall")) << strict.output;
}

INSTANTIATE_TEST_SUITE_P(Backends, IbrSeedCli, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr
