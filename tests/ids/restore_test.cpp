// The skip after a restore (ids/restore.h): twice the counters the backup's last day used, per
// day since its newest ID, never less than ten lease blocks.
#include <gtest/gtest.h>

#include "ids/restore.h"

namespace registrar::ids {
namespace {

constexpr int64_t kDay = 86'400'000'000;

TEST(RestoreSkip, NothingIssuedSkipsTenBlocks) {
  EXPECT_EQ(counter_skip(CounterUse{}, 5 * kDay, 1000), 10'000);
}

TEST(RestoreSkip, TwiceTheLastDaysUsePerDaySinceTheNewestId) {
  CounterUse use{10 * kDay, 40'000, 89'999};  // 50,000 counters in the backup's last day
  EXPECT_EQ(counter_skip(use, 10 * kDay + 1, 100), 100'000);             // the same day
  EXPECT_EQ(counter_skip(use, 13 * kDay + kDay / 2, 100), 4 * 100'000);  // 3.5 days later
}

TEST(RestoreSkip, NeverBelowTenBlocksNorNegative) {
  CounterUse slow{10 * kDay, 7, 9};
  EXPECT_EQ(counter_skip(slow, 11 * kDay, 100'000), 1'000'000);
  // A clock behind the backup counts as the same day, not as negative time.
  CounterUse fast{10 * kDay, 0, 999'999};
  EXPECT_EQ(counter_skip(fast, 9 * kDay, 1), 2'000'000);
}

TEST(RestoreSkip, SaturatesInsteadOfOverflowing) {
  CounterUse huge{0, 0, int64_t(1) << 61};
  int64_t skip = counter_skip(huge, 1000 * kDay, 1);
  EXPECT_GT(skip, int64_t(1) << 61);
  EXPECT_GT(skip, 0);
}

}  // namespace
}  // namespace registrar::ids
