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

TEST(ReadDigits, ExactlyNDigitsInsideTheText) {
  int v = -1;
  EXPECT_TRUE(read_digits("x2026-", 1, 4, v));
  EXPECT_EQ(v, 2026);
  EXPECT_FALSE(read_digits("x20a6", 1, 4, v));
  EXPECT_FALSE(read_digits("x202", 1, 4, v));  // runs past the end
  EXPECT_TRUE(read_digits("07", 0, 2, v));
  EXPECT_EQ(v, 7);
}

TEST(HtmlEscape, EscapesTheFiveCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain"), "plain");
}

}  // namespace
}  // namespace registrar::core
