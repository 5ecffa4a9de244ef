#include "core/log.h"

#include <gtest/gtest.h>

namespace registrar::log {
namespace {

TEST(Log, MaskKeepsOnlyTheTail) {
  EXPECT_EQ(mask("4931839201"), "******9201");
  EXPECT_EQ(mask("123"), "***");
  EXPECT_EQ(mask("abcdef", 2), "****ef");
}

TEST(Log, JsonEscaping) {
  std::string out;
  append_json_escaped(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, "a\\\"b\\\\c\\n\\u0001");
}

TEST(Log, ParseLevel) {
  EXPECT_EQ(parse_level("warn"), Level::kWarn);
  EXPECT_THROW(parse_level("loud"), std::invalid_argument);
}

}  // namespace
}  // namespace registrar::log
