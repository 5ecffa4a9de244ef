// read_json is the JSON reader of request bodies, JOSE headers and JWT payloads. It must give
// the document nlohmann's own parser gives (the last of duplicate members included), report a
// duplicate member at any depth, and still call a document malformed when it is malformed after
// a duplicate (so "duplicate" never hides "not JSON"). The reference is nlohmann's DOM parser
// plus a walk with its callback parser. crypto's parse_json_strict refuses what this reports as
// duplicate (tests/crypto/jws_reject_test.cpp).
#include "core/json_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace registrar::core {

using Json = nlohmann::json;
using JsonParse = JsonRead;
namespace {

// Reference: invalid when nlohmann's parser refuses the text; duplicate when some object holds a
// name twice (tracked per open object, as the callback parser reports keys in order).
// One deliberate difference: nlohmann stops at a NUL byte as if the input ended there, so it
// would accept `{"alg":"EdDSA"}` followed by a NUL and anything at all. A raw NUL is never valid
// JSON (not whitespace, and a control character inside a string), and parse_json_strict refuses it.
JsonParse reference(const std::string& text) {
  if (text.find('\0') != std::string::npos) return JsonParse::kInvalid;
  if (!Json::accept(text)) return JsonParse::kInvalid;
  std::vector<std::set<std::string>> open;
  bool duplicate = false;
  // The DOM is not needed: the callback sees every key.
  const Json dom = Json::parse(text, [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) open.emplace_back();
    if (event == Json::parse_event_t::object_end) open.pop_back();
    if (event == Json::parse_event_t::key && !open.back().insert(parsed.get<std::string>()).second)
      duplicate = true;
    return true;
  });
  EXPECT_FALSE(dom.is_discarded());
  return duplicate ? JsonParse::kDuplicateMember : JsonParse::kOk;
}

void expect_agrees(const std::string& text) {
  SCOPED_TRACE(text);
  Json out;
  const JsonParse got = read_json(text, out);
  ASSERT_EQ(got, reference(text));
  if (got != JsonParse::kInvalid) {  // duplicates too: the last value counts, as in nlohmann
    const Json expected = Json::parse(text);
    EXPECT_EQ(out, expected);
    // Also the same number types (1 and 1.0 compare equal but are not the same value).
    EXPECT_EQ(out.dump(), expected.dump());
  }
}

TEST(JsonReader, DocumentsAsTheDomParserReadsThem) {
  for (const char* text :
       {R"({})", R"([])", "null", "true", "-1.5e3", "18446744073709551615", "-9223372036854775808",
        R"("a\u00e9\ud83d\ude00")", R"({"a":1,"b":[1,{"c":null},[]],"d":{"e":{"f":"g"}}})",
        R"([{"a":1},{"a":2},[{"a":3}],{"b":{"a":4}}])", R"({"a":{"b":1},"b":{"a":1}})",
        R"({"":1," ":2})", R"([[[[[[[[[[1]]]]]]]]]])", " \n{ \"a\" : [ ] } \t"}) {
    expect_agrees(text);
  }
}

TEST(JsonReader, DuplicatesAtAnyDepth) {
  Json out;
  EXPECT_EQ(read_json(R"({"a":1,"a":1})", out), JsonParse::kDuplicateMember);
  EXPECT_EQ(read_json(R"({"x":{"a":1,"b":2,"a":3}})", out), JsonParse::kDuplicateMember);
  EXPECT_EQ(read_json(R"([1,{"a":[{"k":1,"k":2}]}])", out), JsonParse::kDuplicateMember);
  EXPECT_EQ(read_json(R"({"a":{},"a":[]})", out), JsonParse::kDuplicateMember);
  // The same name in sibling or nested objects is not a duplicate.
  EXPECT_EQ(read_json(R"([{"a":1},{"a":1}])", out), JsonParse::kOk);
  EXPECT_EQ(read_json(R"({"a":{"a":{"a":1}}})", out), JsonParse::kOk);
  EXPECT_EQ(out["a"]["a"]["a"], 1);
  // The last value of a duplicate is kept, replacing a container as well as a scalar.
  EXPECT_EQ(read_json(R"({"a":{"x":[1,{"y":2}]},"b":0,"a":[3]})", out),
            JsonParse::kDuplicateMember);
  EXPECT_EQ(out, Json::parse(R"({"a":[3],"b":0})"));
}

TEST(JsonReader, MalformedAfterADuplicateIsMalformed) {
  Json out;
  EXPECT_EQ(read_json(R"({"a":1,"a":2,)", out), JsonParse::kInvalid);
  EXPECT_EQ(read_json(R"({"a":1,"a":{"b":[1,2}})", out), JsonParse::kInvalid);
  EXPECT_EQ(read_json(R"({"a":1,"a":2} trailing)", out), JsonParse::kInvalid);
  EXPECT_TRUE(out.is_discarded());
  EXPECT_EQ(read_json(std::string(R"({"a":1,"a":2})") + '\0', out), JsonParse::kInvalid);
  // ... and values after a duplicate, nested containers included, do not upset the builder.
  EXPECT_EQ(read_json(R"({"a":1,"a":{"b":[{"c":{}}],"d":[[]]},"e":[1,{"f":2}]})", out),
            JsonParse::kDuplicateMember);
}

std::string nested(size_t depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(JsonReader, NestingIsLimited) {
  Json out;
  EXPECT_EQ(read_json(nested(kMaxJsonDepth, '[', ']'), out), JsonParse::kOk);
  EXPECT_EQ(read_json(nested(kMaxJsonDepth + 1, '[', ']'), out), JsonParse::kTooDeep);
  EXPECT_TRUE(out.is_discarded());
  // Objects count as arrays do, and an empty container counts as a level.
  std::string objects;
  for (size_t i = 0; i < kMaxJsonDepth; ++i) objects += i % 2 ? "[" : "{\"a\":";
  std::string deep_objects = objects + "[]";
  std::string ok_objects = objects + "1";
  for (size_t i = kMaxJsonDepth; i-- > 0;) {
    deep_objects += i % 2 ? "]" : "}";
    ok_objects += i % 2 ? "]" : "}";
  }
  EXPECT_EQ(read_json(ok_objects, out), JsonParse::kOk);
  EXPECT_EQ(read_json(deep_objects, out), JsonParse::kTooDeep);
  // The attack: a megabyte of openers is refused without building (or recursing into) it.
  EXPECT_EQ(read_json(std::string(1 << 20, '['), out), JsonParse::kTooDeep);
  EXPECT_TRUE(read_json_or_discarded(std::string(1 << 20, '[')).is_discarded());
  EXPECT_TRUE(read_json_or_discarded(R"({"a":[)" + nested(200, '[', ']') + "]}").is_discarded());
  // A caller may ask for less.
  EXPECT_EQ(read_json("[[1]]", out, 1), JsonParse::kTooDeep);
  EXPECT_EQ(read_json("[1]", out, 1), JsonParse::kOk);
  EXPECT_EQ(json_error_position(nested(100, '[', ']'), JsonParse::kTooDeep),
            "nested deeper than 64 levels");
}

TEST(JsonReader, ErrorPositionNamesTheByte) {
  Json out;
  EXPECT_EQ(read_json("[1,]", out), JsonParse::kInvalid);
  EXPECT_EQ(json_error_position("[1,]", JsonParse::kInvalid), "at byte 4");
  const std::string with_nul = std::string("[1]") + '\0';
  EXPECT_EQ(json_error_position(with_nul, JsonParse::kInvalid), "at byte 4: a NUL byte");
  // Found by tests/fuzz/json_reader_fuzz: nlohmann throws out_of_range, not parse_error, here.
  EXPECT_EQ(json_error_position("[1e400]", JsonParse::kInvalid), "a number too large for a double");
}

TEST(JsonReader, MalformedInput) {
  for (const char* text : {"", " ", "{", "}", "[1,]", R"({"a"})", R"({"a":})", "{'a':1}", "01",
                           "nul", R"("\x")", "[1] [2]", "/* c */ {}", "NaN", "\"\xff\""}) {
    expect_agrees(text);
  }
}

// The corners of numbers, strings and whitespace, one document each.
TEST(JsonReader, NumbersStringsAndWhitespaceAsTheDomParserReadsThem) {
  for (const std::string& text : std::vector<std::string>{
           // numbers: integer types, the 64-bit edges, doubles, exponents, under- and overflow
           "0", "-0", "7", "-7", "0.5", "-0.0", "1e5", "1E+5", "1e-5", "2.5E-3",
           "9223372036854775807", "9223372036854775808", "-9223372036854775808",
           "-9223372036854775809", "18446744073709551615", "18446744073709551616",
           "123456789012345678901234567890", "1e308", "1e309", "-1e309", "1e-400", "4.9e-324",
           "1" + std::string(400, '0'), "1.", ".5", "-", "--1", "+1", "1e", "1e+", "0x10", "00",
           "-01", "1.5.2", "1ee5",
           // strings: escapes, surrogate pairs, lone surrogates, raw UTF-8, control characters
           R"("")", R"("\"\\\/\b\f\n\r\t")", R"("\u0000")", R"("\u00E9\u20ac")",
           R"("\ud83d\ude00")", R"("\ud83d")", R"("\ude00")", R"("\ud83d\u0041")", R"("\ud83dx")",
           R"("\u12")", R"("\u12G4")", R"("\U0041")", R"("\a")",
           "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "\"\xc0\xaf\"", "\"\xe0\x80\xaf\"",
           "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xc3\"",
           "\"\xe2\x82\"", "\"\x80\"", "\"a\tb\"", "\"a\nb\"", std::string("\"a\0b\"", 5),
           "\"\x7f\"", "\"unterminated", "\"a\\",
           // literals, whitespace, the byte-order mark
           "true", "false", "null", "tru", "nulll", "True", " \r\n\t true \r\n\t ", "\f1",
           "\xEF\xBB\xBF{}", "\xEF\xBB{}", "\xEF\xBB\xBF", "{} \xEF\xBB\xBF",
           // structure
           R"({"a":1,})", R"({,"a":1})", R"({"a" 1})", R"({"a":1 "b":2})", R"([1 2])", R"([,1])",
           R"({1:2})", R"({"a":1}})", R"([[1]]])", "[", "[[", R"({"a":[})"}) {
    expect_agrees(text);
  }
}

// Random documents over a small alphabet of names, so that duplicates, nesting and arrays of
// objects all occur often; some are cut short or have a byte changed to exercise malformed input.
class RandomJson {
 public:
  explicit RandomJson(uint32_t seed) : rng_(seed) {}

  std::string document() {
    std::string s = value(0);
    switch (pick(8)) {
      case 0:
        return s.substr(0, pick(static_cast<uint32_t>(s.size()) + 1));
      case 1:
        s[pick(static_cast<uint32_t>(s.size()))] = "{}[],:\"1 "[pick(9)];
        return s;
      case 2:  // any byte anywhere
        s[pick(static_cast<uint32_t>(s.size()))] = static_cast<char>(pick(256));
        return s;
      case 3:
        return (pick(2) ? "\xEF\xBB\xBF" : "") + ws() + s + ws();
      default:
        return s;
    }
  }

 private:
  uint32_t pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }

  // Whitespace between tokens, usually none.
  std::string ws() {
    static const char* const kSpaces[] = {" ", "\n", "\r\n", "\t", "  "};
    return pick(4) == 0 ? kSpaces[pick(5)] : "";
  }

  std::string number() {
    static const char* const kFractions[] = {"", "", ".5", ".25", ".0", ".125"};
    static const char* const kExponents[] = {"", "", "", "e3", "E-2", "e+10", "e400", "e-400"};
    static const char* const kLarge[] = {"9223372036854775808", "18446744073709551615",
                                         "18446744073709551616", "123456789012345678901"};
    std::string s = pick(3) == 0 ? "-" : "";
    s += pick(8) == 0 ? kLarge[pick(4)] : std::to_string(pick(2000));
    return s + kFractions[pick(6)] + kExponents[pick(8)];
  }

  std::string string_value() {
    static const char* const kPieces[] = {"a",
                                          "b",
                                          "\\n",
                                          "\\\"",
                                          "\\\\",
                                          "\\/",
                                          "\\u00e9",
                                          "\\ud83d\\ude00",
                                          "\\ud83d",
                                          "\\udc00",
                                          "\xc3\xa9",
                                          "\xe2\x82\xac",
                                          "\xf0\x9f\x98\x80",
                                          "\xc3",
                                          "\xed\xa0\x80",
                                          "\t",
                                          "\\x",
                                          "\\u00",
                                          " "};
    std::string s = "\"";
    for (uint32_t i = 0, n = pick(4); i < n; ++i) s += kPieces[pick(19)];
    return s + "\"";
  }

  std::string value(int depth) {
    switch (depth > 4 ? pick(3) : pick(6)) {
      case 0:
        return pick(3) == 0 ? number() : std::to_string(static_cast<int>(pick(2000)) - 1000);
      case 1:
        return pick(4) == 0 ? string_value()
                            : "\"" + std::string(1, static_cast<char>('a' + pick(4))) + "\"";
      case 2:
        return pick(2) ? "null" : "true";
      case 3:
      case 4: {
        std::string s = "{";
        for (uint32_t i = 0, n = pick(5); i < n; ++i) {
          if (i) s += ws() + ",";
          s += ws() + "\"" + std::string(1, static_cast<char>('a' + pick(4))) + "\"" + ws() + ":" +
               ws() + value(depth + 1);
        }
        return s + ws() + "}";
      }
      default: {
        std::string s = "[";
        for (uint32_t i = 0, n = pick(4); i < n; ++i)
          s += (i ? "," : "") + ws() + value(depth + 1) + ws();
        return s + "]";
      }
    }
  }

  std::mt19937 rng_;
};

TEST(JsonReader, RandomDocumentsAgreeWithTheReference) {
  RandomJson gen(20261122);
  int ok = 0, duplicate = 0, invalid = 0;
  for (int i = 0; i < 30000; ++i) {
    const std::string text = gen.document();
    expect_agrees(text);
    if (HasFatalFailure()) return;
    switch (reference(text)) {
      case JsonParse::kOk:
        ++ok;
        break;
      case JsonParse::kDuplicateMember:
        ++duplicate;
        break;
      case JsonParse::kInvalid:
        ++invalid;
        break;
      case JsonParse::kTooDeep:  // the reference knows no limit
        ADD_FAILURE() << "reference said too deep";
        break;
    }
  }
  // The generator must exercise all three outcomes for the agreement to mean something.
  EXPECT_GT(ok, 1000);
  EXPECT_GT(duplicate, 1000);
  EXPECT_GT(invalid, 1000);
}

}  // namespace
}  // namespace registrar::core
