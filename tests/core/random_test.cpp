#include "core/random.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace registrar::core
