#include "core/random.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace registrar::core {
namespace {

TEST(RandomToken, Base64UrlOfTheAskedLengthNeverStartingWithADash) {
  // One token in 64 would start with '-' if the first character were not drawn again: 4,096
  // draws would show about 64 of them.
  std::set<std::string> seen;
  std::set<char> first;
  for (int i = 0; i < 4096; ++i) {
    std::string t = random_token(16);
    ASSERT_EQ(t.size(), 22u);
    ASSERT_NE(t[0], '-') << t;
    EXPECT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << t;
    first.insert(t[0]);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 4096u);
  EXPECT_EQ(first.size(), 63u);  // every other first character turns up
  EXPECT_EQ(random_token(6).size(), 8u);
  EXPECT_EQ(random_token(0), "");
}

TEST(TimeOrderedUuid, IsUuid4ShapedSortsByItsMillisecondAndKeeps74RandomBits) {
  // The pattern intercoop's peers check a token against (docs/compatibility.md).
  const std::regex uuid4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const int64_t ms = 1'800'000'000'123;  // 2027-01-15T08:00:00.123Z
  std::set<std::string> same_ms;
  std::set<char> variant;
  for (int i = 0; i < 2000; ++i) {
    std::string u = uuid_v4_time_ordered(ms);
    ASSERT_TRUE(std::regex_match(u, uuid4)) << u;
    ASSERT_EQ(u.substr(0, 13), "01a3185c-507b") << u;  // 0x01a3185c507b = the milliseconds
    variant.insert(u[19]);
    same_ms.insert(u);
  }
  EXPECT_EQ(same_ms.size(), 2000u);  // the random part differs within one millisecond
  EXPECT_EQ(variant.size(), 4u);     // 8, 9, a and b: the variant's two free bits are random
  // Later milliseconds sort after, so consecutive keys are neighbours in an index.
  std::string previous = uuid_v4_time_ordered(ms);
  for (int64_t later : {ms + 1, ms + 1000, ms + 86'400'000, int64_t{1} << 46}) {
    std::string next = uuid_v4_time_ordered(later);
    EXPECT_LT(previous, next) << later;
    previous = next;
  }
}

}  // namespace
}  // namespace registrar::core
