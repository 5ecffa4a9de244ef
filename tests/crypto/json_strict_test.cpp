// parse_json_strict is the one JSON reader of every JOSE header and JWT payload. It must give the
// document nlohmann's own parser gives, refuse a duplicate member at any depth, and still call a
// document malformed when it is malformed after a duplicate (so "duplicate" never hides "not
// JSON"). The reference here is nlohmann's DOM parser plus a walk with its callback parser.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "crypto/jose_internal.h"

namespace registrar::crypto::detail {
namespace {

// Reference: invalid when nlohmann's parser refuses the text; duplicate when some object holds a
// name twice (tracked per open object, as the callback parser reports keys in order).
JsonParse reference(const std::string& text) {
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
  const JsonParse got = parse_json_strict(text, out);
  ASSERT_EQ(got, reference(text));
  if (got == JsonParse::kOk) {
    EXPECT_EQ(out, Json::parse(text));
  }
}

TEST(JsonStrict, DocumentsAsTheDomParserReadsThem) {
  for (const char* text :
       {R"({})", R"([])", "null", "true", "-1.5e3", "18446744073709551615", "-9223372036854775808",
        R"("a\u00e9\ud83d\ude00")", R"({"a":1,"b":[1,{"c":null},[]],"d":{"e":{"f":"g"}}})",
        R"([{"a":1},{"a":2},[{"a":3}],{"b":{"a":4}}])", R"({"a":{"b":1},"b":{"a":1}})",
        R"({"":1," ":2})", R"([[[[[[[[[[1]]]]]]]]]])", " \n{ \"a\" : [ ] } \t"}) {
    expect_agrees(text);
  }
}

TEST(JsonStrict, DuplicatesAtAnyDepth) {
  Json out;
  EXPECT_EQ(parse_json_strict(R"({"a":1,"a":1})", out), JsonParse::kDuplicateMember);
  EXPECT_EQ(parse_json_strict(R"({"x":{"a":1,"b":2,"a":3}})", out), JsonParse::kDuplicateMember);
  EXPECT_EQ(parse_json_strict(R"([1,{"a":[{"k":1,"k":2}]}])", out), JsonParse::kDuplicateMember);
  EXPECT_EQ(parse_json_strict(R"({"a":{},"a":[]})", out), JsonParse::kDuplicateMember);
  // The same name in sibling or nested objects is not a duplicate.
  EXPECT_EQ(parse_json_strict(R"([{"a":1},{"a":1}])", out), JsonParse::kOk);
  EXPECT_EQ(parse_json_strict(R"({"a":{"a":{"a":1}}})", out), JsonParse::kOk);
  EXPECT_EQ(out["a"]["a"]["a"], 1);
}

TEST(JsonStrict, MalformedAfterADuplicateIsMalformed) {
  Json out;
  EXPECT_EQ(parse_json_strict(R"({"a":1,"a":2,)", out), JsonParse::kInvalid);
  EXPECT_EQ(parse_json_strict(R"({"a":1,"a":{"b":[1,2}})", out), JsonParse::kInvalid);
  EXPECT_EQ(parse_json_strict(R"({"a":1,"a":2} trailing)", out), JsonParse::kInvalid);
  EXPECT_TRUE(out.is_discarded());
  // ... and values after a duplicate, nested containers included, do not upset the builder.
  EXPECT_EQ(parse_json_strict(R"({"a":1,"a":{"b":[{"c":{}}],"d":[[]]},"e":[1,{"f":2}]})", out),
            JsonParse::kDuplicateMember);
}

TEST(JsonStrict, MalformedInput) {
  for (const char* text : {"", " ", "{", "}", "[1,]", R"({"a"})", R"({"a":})", "{'a':1}", "01",
                           "nul", R"("\x")", "[1] [2]", "/* c */ {}", "NaN", "\"\xff\""}) {
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
    switch (pick(6)) {
      case 0:
        return s.substr(0, pick(static_cast<uint32_t>(s.size()) + 1));
      case 1:
        s[pick(static_cast<uint32_t>(s.size()))] = "{}[],:\"1 "[pick(9)];
        return s;
      default:
        return s;
    }
  }

 private:
  uint32_t pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }

  std::string value(int depth) {
    switch (depth > 4 ? pick(3) : pick(6)) {
      case 0:
        return std::to_string(static_cast<int>(pick(2000)) - 1000);
      case 1:
        return "\"" + std::string(1, static_cast<char>('a' + pick(4))) + "\"";
      case 2:
        return pick(2) ? "null" : "true";
      case 3:
      case 4: {
        std::string s = "{";
        for (uint32_t i = 0, n = pick(5); i < n; ++i) {
          if (i) s += ",";
          s += "\"" + std::string(1, static_cast<char>('a' + pick(4))) + "\":" + value(depth + 1);
        }
        return s + "}";
      }
      default: {
        std::string s = "[";
        for (uint32_t i = 0, n = pick(4); i < n; ++i) s += (i ? "," : "") + value(depth + 1);
        return s + "]";
      }
    }
  }

  std::mt19937 rng_;
};

TEST(JsonStrict, RandomDocumentsAgreeWithTheReference) {
  RandomJson gen(20261122);
  int ok = 0, duplicate = 0, invalid = 0;
  for (int i = 0; i < 20000; ++i) {
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
    }
  }
  // The generator must exercise all three outcomes for the agreement to mean something.
  EXPECT_GT(ok, 1000);
  EXPECT_GT(duplicate, 1000);
  EXPECT_GT(invalid, 1000);
}

}  // namespace
}  // namespace registrar::crypto::detail
