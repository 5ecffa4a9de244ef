#include "core/log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <string>

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

// Every escaped string is valid JSON that decodes back to the input, over random byte strings
// weighted towards the characters that need escapes (ASCII only, so the decoder's UTF-8 check does
// not interfere); DEL is escaped too.
TEST(Log, JsonEscapingRoundTrips) {
  std::mt19937 rng(7);
  const std::string special = "\"\\\n\r\t\x01\x1f\x7f ";
  for (int round = 0; round < 20000; ++round) {
    std::string text(rng() % 24, '\0');
    for (char& c : text)
      c = rng() % 3 == 0 ? special[rng() % special.size()] : static_cast<char>(rng() % 128);
    std::string out = "prefix";
    append_json_escaped(out, text);
    ASSERT_EQ(out.substr(0, 6), "prefix");
    const std::string escaped = out.substr(6);
    ASSERT_EQ(escaped.find('\x7f'), std::string::npos);
    ASSERT_EQ(nlohmann::json::parse("\"" + escaped + "\"").get<std::string>(), text) << escaped;
  }
}

TEST(Log, ParseLevel) {
  EXPECT_EQ(parse_level("warn"), Level::kWarn);
  EXPECT_THROW(parse_level("loud"), std::invalid_argument);
}

}  // namespace
}  // namespace registrar::log
