#include "intercoop/yaml_parse.h"

#include <gtest/gtest.h>

#include <cmath>

namespace registrar::intercoop::yaml {
namespace {

TEST(IntercoopYamlParse, TypesPlainScalarsAsYaml11) {
  Value v = load(
      "postalcode: 01001\nquoted: '01001'\nversion: 1.0\nqversion: '1.0'\nok: yes\n"
      "sexa: 1:20\nhex: 0x1F\nnothing: ~\nempty:\ndate: 2018-01-01\nnif: 12345678Z\n");
  EXPECT_EQ(v["postalcode"], 513);
  EXPECT_EQ(v["quoted"], "01001");
  EXPECT_TRUE(v["version"].is_number_float());
  EXPECT_EQ(v["version"].get<double>(), 1.0);
  EXPECT_EQ(v["qversion"], "1.0");
  EXPECT_EQ(v["ok"], true);
  EXPECT_EQ(v["sexa"], 80);
  EXPECT_EQ(v["hex"], 31);
  EXPECT_TRUE(v["nothing"].is_null());
  EXPECT_TRUE(v["empty"].is_null());
  EXPECT_EQ(v["date"], "2018-01-01");
  EXPECT_EQ(v["nif"], "12345678Z");
}

TEST(IntercoopYamlParse, KeepsKeyOrderAndReadsFlowAndBlockCollections) {
  Value v = load("z: 1\na: [x, 'y', 3]\nm: {b: 2, a: 1}\nl:\n- one\n- - nested\n");
  std::vector<std::string> keys;
  for (auto& [k, _] : v.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "m", "l"}));
  EXPECT_EQ(v["a"], (Value{"x", "y", 3}));
  EXPECT_EQ(v["m"].begin().key(), "b");
  EXPECT_EQ(v["l"][1][0], "nested");
}

TEST(IntercoopYamlParse, ExplicitTagsQuotingAndBlockScalars) {
  Value v = load(
      "a: !!str 123\nb: !!int '0x10'\nc: !!float '1'\nd: \"x\\ty\"\ne: |\n  one\n  two\n"
      "f: >-\n  folded\n  text\n");
  EXPECT_EQ(v["a"], "123");
  EXPECT_EQ(v["b"], 16);
  EXPECT_EQ(v["c"].get<double>(), 1.0);
  EXPECT_EQ(v["d"], "x\ty");
  EXPECT_EQ(v["e"], "one\ntwo\n");
  EXPECT_EQ(v["f"], "folded text");
  // PyYAML types a `!` scalar by its text, quoted or not (python3-yaml: {'g': 123, 'h': 123}).
  EXPECT_EQ(load("g: ! 123\nh: ! '123'\n"), (Value{{"g", 123}, {"h", 123}}));
  EXPECT_THROW(load("a: !!binary aGVsbG8=\n"), YamlError);
  EXPECT_THROW(load("a: !custom x\n"), YamlError);
}

TEST(IntercoopYamlParse, AnchorsAliasesAndMergeKeys) {
  Value v = load(
      "base: &b {x: 1, y: 2}\nother: &o {y: 20, z: 30}\n"
      "one: {<<: *b, y: 3}\nmany: {<<: [*b, *o], w: 0}\nsame: *b\n");
  EXPECT_EQ(v["one"].dump(), R"({"x":1,"y":3})");
  // Earlier mappings in the list win, merged keys come first, own keys override.
  EXPECT_EQ(v["many"].dump(), R"({"y":2,"z":30,"x":1,"w":0})");
  EXPECT_EQ(v["same"], v["base"]);
  EXPECT_THROW(load("a: *missing\n"), YamlError);
}

TEST(IntercoopYamlParse, EmptyStreamIsNullAndOnlyOneDocument) {
  EXPECT_TRUE(load("").is_null());
  EXPECT_EQ(load("--- 5\n...\n"), 5);
  EXPECT_THROW(load("a: 1\n---\nb: 2\n"), YamlError);
}

TEST(IntercoopYamlParse, RefusesWhatJsonCannotHoldOrYamlCannotParse) {
  EXPECT_THROW(load("yes: 1\n"), YamlError);  // the key would be the bool True
  EXPECT_THROW(load("[a]: 1\n"), YamlError);  // a collection as a key
  EXPECT_THROW(load("a: 99999999999999999999\n"), YamlError);
  EXPECT_THROW(load("a: b: c\n"), YamlError);
  EXPECT_THROW(load("a: 'unterminated\n"), YamlError);
  EXPECT_THROW(load("a: =\n"), YamlError);       // SafeLoader has no constructor for it either
  EXPECT_EQ(load("=: 1\n"), (Value{{"=", 1}}));  // ... but reads it as a key (flatten_mapping)
  try {
    load("a:\n  - x\n y: 1\n");
    FAIL();
  } catch (const YamlError& e) {
    EXPECT_NE(std::string(e.what()).find("line"), std::string::npos) << e.what();
  }
}

TEST(IntercoopYamlParse, AliasExpansionIsBounded) {
  std::string doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'i'; ++c, ++prev) {
    doc += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) doc += std::string(i ? ", *" : "*") + prev;
    doc += "]\n";
  }
  EXPECT_THROW(load(doc), YamlError);  // 10^9 nodes if expanded
}

}  // namespace
}  // namespace registrar::intercoop::yaml
