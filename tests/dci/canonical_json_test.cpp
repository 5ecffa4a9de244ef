// Hand-picked cases of Python's json.dumps(json.loads(text), sort_keys=True,
// separators=(",", ":")); each expected string was checked with /usr/bin/python3.
#include "dci/canonical_json.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace registrar::dci {
namespace {

std::string canon(std::string_view text) {
  return canonical_json(text);
}

bool rejects(std::string_view text) {
  JsonParseError error;
  bool failed = !parse_json(text, &error);
  EXPECT_TRUE(!failed || !error.message.empty()) << text;
  return failed;
}

TEST(DciCanonicalJson, SpecExample) {
  // dci-ibr.md §7.3
  EXPECT_EQ(canon(R"({"b":"Zoë 😀","a":[1,2.50,1e16,true,null],"é":"\u007f/"})"),
            R"({"a":[1,2.5,1e+16,true,null],"b":"Zo\u00eb \ud83d\ude00","\u00e9":"\u007f/"})");
}

TEST(DciCanonicalJson, Whitespace) {
  EXPECT_EQ(canon(" \t\r\n{ \"a\" : [ 1 , { } , [ ] ] } \n"), R"({"a":[1,{},[]]})");
}

TEST(DciCanonicalJson, StringEscapes) {
  EXPECT_EQ(canon(R"("\" \\ \/ \b \f \n \r \t")"), R"("\" \\ / \b \f \n \r \t")");
  EXPECT_EQ(canon(R"("\u0000\u001f\u0020\u007e\u007F")"), R"("\u0000\u001f ~\u007f")");
  EXPECT_EQ(canon("\"\x7f\""), R"("\u007f")");
  EXPECT_EQ(canon(R"("\u00C9\uFFFF")"), R"("\u00c9\uffff")");
  EXPECT_EQ(canon("\"\xF0\x9F\x98\x80\""), R"("\ud83d\ude00")");  // raw astral
}

TEST(DciCanonicalJson, Surrogates) {
  EXPECT_EQ(canon(R"("\ud83d\ude00")"), R"("\ud83d\ude00")");
  EXPECT_EQ(canon(R"("\ud83d")"), R"("\ud83d")");
  EXPECT_EQ(canon(R"("\ude00\ud83d")"), R"("\ude00\ud83d")");
  EXPECT_EQ(canon(R"("\ud83dx\ude00")"), R"("\ud83dx\ude00")");
  EXPECT_EQ(canon(R"("\ud83d\ud83d\ude00")"), R"("\ud83d\ud83d\ude00")");
  EXPECT_TRUE(rejects(R"("\ud83d\u12")"));
}

TEST(DciCanonicalJson, KeysSortByCodePoint) {
  // U+FFFD sorts before U+1F600 by code point (UTF-16 order would put the astral key first);
  // a lone surrogate key sorts between U+D7FF and U+E000.
  EXPECT_EQ(canon(R"({"😀":1,"\ufffd":2,"\ud800":3,"\ue000":4,"\ud7ff":5,"Z":6,"a":7})"),
            R"({"Z":6,"a":7,"\ud7ff":5,"\ud800":3,"\ue000":4,"\ufffd":2,"\ud83d\ude00":1})");
}

TEST(DciCanonicalJson, LastDuplicateWins) {
  EXPECT_EQ(canon(R"({"a":1,"b":2,"a":3})"), R"({"a":3,"b":2})");
  // "é" raw and escaped are the same key.
  EXPECT_EQ(canon("{\"\\u00e9\":1,\"\xC3\xA9\":2}"), R"({"\u00e9":2})");
}

TEST(DciCanonicalJson, Integers) {
  EXPECT_EQ(canon("-0"), "0");
  EXPECT_EQ(canon("123456789012345678901234567890"), "123456789012345678901234567890");
  EXPECT_EQ(canon("-98765432109876543210987654321"), "-98765432109876543210987654321");
  EXPECT_EQ(canon(std::string(4300, '9')), std::string(4300, '9'));
  EXPECT_EQ(canon("-" + std::string(4300, '9')), "-" + std::string(4300, '9'));
  EXPECT_TRUE(rejects(std::string(4301, '9')));
  EXPECT_TRUE(rejects("01"));
  EXPECT_TRUE(rejects("-"));
  EXPECT_TRUE(rejects("+1"));
}

TEST(DciCanonicalJson, Floats) {
  const std::pair<const char*, const char*> cases[] = {
      {"1.0", "1.0"},
      {"2.50", "2.5"},
      {"1e2", "100.0"},
      {"1E2", "100.0"},
      {"-0.0", "-0.0"},
      {"0e0", "0.0"},
      {"1e16", "1e+16"},
      {"1e15", "1000000000000000.0"},
      {"9999999999999998.0", "9999999999999998.0"},
      {"1.5e16", "1.5e+16"},
      {"0.0001", "0.0001"},
      {"0.00001", "1e-05"},
      {"0.1", "0.1"},
      {"103.8198", "103.8198"},
      {"1e-7", "1e-07"},
      {"1.7976931348623157e308", "1.7976931348623157e+308"},
      {"5e-324", "5e-324"},
      {"2e-324", "0.0"},
      {"1e400", "Infinity"},
      {"-1e400", "-Infinity"},
      {"1e-400", "0.0"},
      {"-1e-400", "-0.0"},
      {"123456789012345678.5", "1.2345678901234568e+17"},
      {"0.30000000000000004", "0.30000000000000004"},
      {"NaN", "NaN"},
      {"Infinity", "Infinity"},
      {"-Infinity", "-Infinity"},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(canon(in), out) << in;
  for (const char* bad : {"1.", ".5", "1e", "1e+", "-NaN", "nan", "inf", "1.e3", "0x10"}) {
    EXPECT_TRUE(rejects(bad)) << bad;
  }
}

TEST(DciCanonicalJson, RejectsInvalidInput) {
  for (std::string bad : {"", " ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "[1 2]", "\"a", "\"\x01\"",
                          "\"\\x\"", "tru", "nul", "[] []", "{\"a\" 1}", "{1:2}"}) {
    EXPECT_TRUE(rejects(bad)) << bad;
  }
  // invalid UTF-8: lone continuation, overlong, encoded surrogate, beyond U+10FFFF, truncated
  for (std::string bad : {"\"\x80\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"",
                          "\"\xE2\x82\"", "\xEF\xBB\xBF{}"}) {
    EXPECT_TRUE(rejects(bad)) << bad;
  }
}

TEST(DciCanonicalJson, ErrorsNameTheOffset) {
  JsonParseError error;
  EXPECT_FALSE(parse_json("[1, x]", &error));
  EXPECT_EQ(error.offset, 4u);
  EXPECT_FALSE(error.message.empty());
  try {
    canonical_json("[1, x]");
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("byte 4"), std::string::npos);
  }
}

TEST(DciCanonicalJson, DepthLimit) {
  std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_EQ(canon(ok), ok);
  std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_TRUE(rejects(deep));
  EXPECT_TRUE(rejects(std::string(100000, '[')));  // no stack overflow
}

TEST(DciCanonicalJson, FromNlohmann) {
  auto j = nlohmann::json::parse(R"({"b":[1.0,-2,18446744073709551615,1e16],"a":"é😀","c":null})");
  std::string out;
  append_canonical(out, j);
  EXPECT_EQ(out, R"({"a":"\u00e9\ud83d\ude00","b":[1.0,-2,18446744073709551615,1e+16],"c":null})");
}

TEST(DciCanonicalJson, ToNlohmann) {
  auto v =
      parse_json(R"({"a":[1,-1,18446744073709551615,1e400,"\ud800x"],"b":99999999999999999999})");
  ASSERT_TRUE(v);
  nlohmann::json j = to_nlohmann(*v);
  EXPECT_EQ(j["a"][0], 1);
  EXPECT_EQ(j["a"][2].get<uint64_t>(), 18446744073709551615u);
  EXPECT_EQ(j["a"][4], "\xEF\xBF\xBDx");
  EXPECT_TRUE(j["b"].is_number_float());
  EXPECT_EQ(v->find("b")->text, "99999999999999999999");
  EXPECT_EQ(v->find("zz"), nullptr);
}

}  // namespace
}  // namespace registrar::dci
