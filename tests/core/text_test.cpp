#include "core/text.h"

#include <gtest/gtest.h>

namespace registrar::core {
namespace {

using Words = std::vector<std::string>;

TEST(SplitWords, KeepsOnlyNonEmptyRuns) {
  EXPECT_EQ(split_words("a b"), (Words{"a", "b"}));
  EXPECT_EQ(split_words("  a   b  "), (Words{"a", "b"}));
  EXPECT_EQ(split_words(""), Words{});
  EXPECT_EQ(split_words("   "), Words{});
  EXPECT_EQ(split_words("one"), Words{"one"});
}

TEST(SplitWords, OtherSeparators) {
  EXPECT_EQ(split_words("x,,y,", ','), (Words{"x", "y"}));
  // Only the named separator splits: a space inside a comma list stays.
  EXPECT_EQ(split_words("a b,c", ','), (Words{"a b", "c"}));
}

}  // namespace
}  // namespace registrar::core
