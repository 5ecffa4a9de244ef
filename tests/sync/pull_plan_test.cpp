// The cursor pull's plan (pull_plan.h), pure: the cursor's two forms and which ranges a page
// reads, for a machine that stayed, moved once, and moved twice.
#include "sync/pull_plan.h"

#include <gtest/gtest.h>

namespace registrar::sync {
namespace {

using K = ScopeRead::Kind;

TEST(PullCursor, ParsesAndFormatsBothForms) {
  EXPECT_EQ(parse_pull_cursor("0"), (PullCursor{0, 0, 0}));
  EXPECT_EQ(parse_pull_cursor("42"), (PullCursor{42, 0, 0}));
  EXPECT_EQ(parse_pull_cursor("7.20.3"), (PullCursor{7, 20, 3}));
  EXPECT_EQ(format_pull_cursor({7, 20, 3}), "7.20.3");
  EXPECT_EQ(format_pull_cursor({42, 0, 0}), "42");
  EXPECT_EQ(parse_pull_cursor("7.20.3.1"), (PullCursor{7, 20, 3, true}));
  EXPECT_EQ(format_pull_cursor({7, 20, 3, true}), "7.20.3.1");
  for (const char* bad : {"", "-1", "+1", "1.", ".1", "1.2", "1.2.3.4", "1.2.3.1.1", "20.7.0",
                          "5.5.0", "a", "1 ", "99999999999999999999"})
    EXPECT_FALSE(parse_pull_cursor(bad)) << bad;
}

TEST(PullPlan, AMachineThatStayedReadsRowsAndDeparturesOfEachScopeAfterTheCursor) {
  auto plan = plan_pull({12, 0, 0}, {{0, {"", "c:A"}}});
  EXPECT_EQ(plan.cursor, (PullCursor{12, 0, 0}));
  EXPECT_EQ(plan.reads, (std::vector<ScopeRead>{{K::kRows, "", 12, kToHead},
                                                {K::kDepartures, "", 12, kToHead},
                                                {K::kRows, "c:A", 12, kToHead},
                                                {K::kDepartures, "c:A", 12, kToHead}}));
  // A cursor at or after the latest switch is ordinary.
  EXPECT_EQ(plan_pull({30, 0, 0}, {{0, {"c:A"}}, {30, {"c:B"}}}).reads.front(),
            (ScopeRead{K::kRows, "c:B", 30, kToHead}));
}

TEST(PullPlan, AMoveDepartsWhatWasLeftBringsWhatWasEnteredAndTheKeptScopesChanges) {
  const std::vector<ScopeRecord> records = {{0, {"", "c:A"}}, {30, {"", "c:B"}}};
  auto plan = plan_pull({12, 0, 0}, records);
  EXPECT_EQ(plan.cursor, (PullCursor{12, 30, 0}));  // the catch-up begins
  EXPECT_EQ(plan.reads, (std::vector<ScopeRead>{{K::kRowsDeparted, "c:A", 0, kToHead},
                                                {K::kDepartures, "c:A", 12, kToHead},
                                                {K::kRows, "", 12, 30},
                                                {K::kDepartures, "", 12, 30},
                                                {K::kRows, "c:B", 0, 30}}));
  // A later page of it: every range starts after the page's progress.
  plan = plan_pull({12, 30, 17}, records);
  EXPECT_EQ(plan.cursor, (PullCursor{12, 30, 17}));
  EXPECT_EQ(plan.reads, (std::vector<ScopeRead>{{K::kRowsDeparted, "c:A", 17, kToHead},
                                                {K::kDepartures, "c:A", 17, kToHead},
                                                {K::kRows, "", 17, 30},
                                                {K::kDepartures, "", 17, 30},
                                                {K::kRows, "c:B", 17, 30}}));
}

TEST(PullPlan, ASecondMoveRestartsTheCatchUpAndTrustsNoScopeTheFirstOneLeft) {
  // A, then B at 30, then back to A at 40; the client was part-way to B.
  const std::vector<ScopeRecord> records = {{0, {"", "c:A"}}, {30, {"", "c:B"}}, {40, {"", "c:A"}}};
  auto plan = plan_pull({12, 30, 25}, records);
  EXPECT_EQ(plan.cursor, (PullCursor{12, 40, 0, true}));
  // It may have departed some of A's rows and received some of B's: A comes again in full
  // (with A's departures since 12), B's rows go; "" was kept throughout.
  EXPECT_EQ(plan.reads, (std::vector<ScopeRead>{{K::kRowsDeparted, "c:B", 0, kToHead},
                                                {K::kDepartures, "c:B", 12, kToHead},
                                                {K::kRows, "", 12, 40},
                                                {K::kDepartures, "", 12, 40},
                                                {K::kRows, "c:A", 0, 40},
                                                {K::kDepartures, "c:A", 12, 40}}));
  // The next page of the restarted catch-up reads the same sets.
  EXPECT_EQ(plan_pull({12, 40, 25, true}, records).reads.back(),
            (ScopeRead{K::kDepartures, "c:A", 25, 40}));
  // A client that did not pull between the two moves holds A completely: only A's changes.
  plan = plan_pull({12, 0, 0}, records);
  EXPECT_EQ(plan.cursor, (PullCursor{12, 40, 0, false}));
  EXPECT_EQ(plan.reads, (std::vector<ScopeRead>{{K::kRows, "", 12, 40},
                                                {K::kDepartures, "", 12, 40},
                                                {K::kRows, "c:A", 12, 40},
                                                {K::kDepartures, "c:A", 12, 40}}));
}

TEST(PullCursor, NextCursorEndsACatchUpAtItsSwitch) {
  bool more = false;
  EXPECT_EQ(next_cursor({12, 0, 0}, 3, 19, 5, more), (PullCursor{19, 0, 0}));
  EXPECT_FALSE(more);
  EXPECT_EQ(next_cursor({12, 0, 0}, 6, 19, 5, more), (PullCursor{19, 0, 0}));
  EXPECT_TRUE(more);
  EXPECT_EQ(next_cursor({12, 0, 0}, 0, 0, 5, more), (PullCursor{12, 0, 0}));
  EXPECT_FALSE(more);
  EXPECT_EQ(next_cursor({12, 30, 0}, 6, 21, 5, more), (PullCursor{12, 30, 21}));
  EXPECT_TRUE(more);
  EXPECT_EQ(next_cursor({12, 30, 21}, 2, 28, 5, more), (PullCursor{30, 0, 0}));
  EXPECT_TRUE(more);  // the changes after the switch follow
}

}  // namespace
}  // namespace registrar::sync
