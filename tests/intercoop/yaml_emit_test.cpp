// The emitter on the spec's own examples (§1.2, §1.3) and on each rule that decides a style; the
// property test (yaml_python_test) checks the same against PyYAML on generated documents.
#include "intercoop/yaml_emit.h"

#include <gtest/gtest.h>

#include "intercoop/yaml_parse.h"

namespace registrar::intercoop::yaml {
namespace {

TEST(IntercoopYamlEmit, WritesTheSpecUserRecordAsPyYamlDoes) {
  Value user = Value::object();
  user["originpeer"] = "somillusio";
  user["lang"] = "es";
  user["nif"] = "12345678Z";
  user["name"] = "Bunny, Bugs";
  user["peerroles"] = {"member", "worker"};
  user["innerid"] = 666;
  user["address"] = "Golf Club, 5th hole";
  user["city"] = "Murcia";
  user["state"] = "Murcia";
  user["postalcode"] = "01022";
  user["country"] = "ES";
  user["email"] = {"bugsbunny@loonietoons.com"};
  user["phone"] = {"555121232"};
  user["proxynif"] = nullptr;
  user["proxyname"] = nullptr;
  EXPECT_EQ(dump(user),
            "originpeer: somillusio\n"
            "lang: es\n"
            "nif: 12345678Z\n"
            "name: Bunny, Bugs\n"
            "peerroles:\n"
            "- member\n"
            "- worker\n"
            "innerid: 666\n"
            "address: Golf Club, 5th hole\n"
            "city: Murcia\n"
            "state: Murcia\n"
            "postalcode: '01022'\n"
            "country: ES\n"
            "email:\n"
            "- bugsbunny@loonietoons.com\n"
            "phone:\n"
            "- '555121232'\n"
            "proxynif: null\n"
            "proxyname: null\n");
}

TEST(IntercoopYamlEmit, QuotesStringsThatYaml11WouldReadAsAnotherType) {
  for (const char* s : {"01001", "1.0", "yes", "no", "on", "Off", "~", "null", "", "2018-01-01",
                        "1:20", "0x1F", ".inf", "<<", "="}) {
    Value v = {{"k", s}};
    EXPECT_EQ(dump(v), std::string("k: '") + s + "'\n") << s;
    EXPECT_EQ(load(dump(v)), v) << s;
  }
  // Not another type in 1.1: plain.
  for (const char* s : {"y", "n", "09", "1e5", "12345678Z", "a:b", "a#b", "ñandú"}) {
    EXPECT_EQ(dump(Value{{"k", s}}), std::string("k: ") + s + "\n") << s;
  }
}

TEST(IntercoopYamlEmit, QuotesIndicatorsAndUsesDoubleQuotesForControls) {
  EXPECT_EQ(dump(Value{{"k", "- a"}}), "k: '- a'\n");
  EXPECT_EQ(dump(Value{{"k", "a: b"}}), "k: 'a: b'\n");
  EXPECT_EQ(dump(Value{{"k", "a #b"}}), "k: 'a #b'\n");
  EXPECT_EQ(dump(Value{{"k", "it's"}}), "k: it's\n");
  EXPECT_EQ(dump(Value{{"k", "'q'"}}), "k: '''q'''\n");
  EXPECT_EQ(dump(Value{{"k", "trailing "}}), "k: 'trailing '\n");
  EXPECT_EQ(dump(Value{{"k", "tab\there"}}), "k: \"tab\\there\"\n");
  EXPECT_EQ(dump(Value{{"k", "\x01"}}), "k: \"\\x01\"\n");
}

TEST(IntercoopYamlEmit, WritesMultiLineStringsInLiteralStyle) {
  EXPECT_EQ(dump(Value{{"k", "one\ntwo"}}), "k: |-\n  one\n  two\n");
  EXPECT_EQ(dump(Value{{"k", "one\ntwo\n"}}), "k: |\n  one\n  two\n");
  EXPECT_EQ(dump(Value{{"k", " lead\n"}}), "k: |2\n   lead\n");
  // A trailing space cannot be literal: double quotes.
  EXPECT_EQ(dump(Value{{"k", "a \nb"}}), "k: \"a \\nb\"\n");
  // "keep" chomping leaves the document open-ended, so PyYAML closes it with "...".
  EXPECT_EQ(dump(Value{{"k", "a\n\n"}}), "k: |+\n  a\n\n...\n");
}

TEST(IntercoopYamlEmit, WritesNumbersBoolsNullsAndEmptyCollections) {
  Value v = Value::object();
  v["i"] = -42;
  v["u"] = 18446744073709551615ull;
  v["f"] = 1.0;
  v["e"] = 1e16;
  v["b"] = true;
  v["n"] = nullptr;
  v["l"] = Value::array();
  v["m"] = Value::object();
  v["nested"] = {{"x", {1, {{"y", 2}}}}};
  EXPECT_EQ(dump(v),
            "i: -42\nu: 18446744073709551615\nf: 1.0\ne: 1.0e+16\nb: true\nn: null\nl: []\nm: {}\n"
            "nested:\n  x:\n  - 1\n  - y: 2\n");
}

TEST(IntercoopYamlEmit, WrapsLongTextAtEightyColumns) {
  std::string words;
  for (int i = 0; i < 20; ++i) words += "lorem ipsum ";
  words.pop_back();
  std::string out = dump(Value{{"k", words}});
  // PyYAML breaks at the first space past column 80 (its own output, from python3-yaml).
  EXPECT_EQ(
      out,
      "k: lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum\n"
      "  lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum\n"
      "  lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum\n");
  EXPECT_EQ(load(out)["k"], words);  // folding restores the spaces
}

TEST(IntercoopYamlEmit, RootScalarsAndComplexKeys) {
  EXPECT_EQ(dump(Value("text")), "text\n...\n");
  EXPECT_EQ(dump(Value(nullptr)), "null\n...\n");
  EXPECT_EQ(dump(Value("")), "''\n");
  EXPECT_EQ(dump(Value{{"", 1}}), "? ''\n: 1\n");
  EXPECT_EQ(dump(Value{{"a\nb", 1}}), "? |-\n  a\n  b\n: 1\n");
}

TEST(IntercoopYamlEmit, NelInsideSingleQuotesIsWrittenRawAsPyYamlDoes) {
  // PyYAML's own output, and as lossy for it as for us: the NEL reads back as a space.
  std::string nel = "#\xc2\x85";
  EXPECT_EQ(dump(Value{{"k", nel}}), "k: '#\xc2\x85  '\n");
  EXPECT_EQ(load(dump(Value{{"k", nel}}))["k"], "# ");
}

TEST(IntercoopYamlEmit, RefusesInvalidUtf8) {
  EXPECT_THROW(dump(Value{{"k", "\xff"}}), YamlError);
}

}  // namespace
}  // namespace registrar::intercoop::yaml
