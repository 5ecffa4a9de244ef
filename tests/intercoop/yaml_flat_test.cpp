// yaml::load's fast path for flat mappings (yaml_parse.cpp) against the general reader
// (load_general, libyaml): on generated documents that mix the flat form peers write with the
// forms that must go to libyaml (indicators, quotes with escapes, comments, duplicate keys,
// non-string keys, folded lines, CRLF, non-ASCII), both give the same value or both refuse.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "intercoop/yaml_parse.h"

namespace registrar::intercoop::yaml {
namespace {

const std::vector<std::string> kKeys = {"originpeer", "nif", "name", "intercoopVersion",
                                        "payload",    "_x",  "a-b",  "y",
                                        "n",          "yes", "null", "on",
                                        "Off",        "1a",  "<<",   "=",
                                        "-a",         "k k"};
const std::vector<std::string> kSeparators = {": ", ": ", ": ", ":  ", ":", " : ", ":\t"};
const std::vector<std::string> kValues = {"Maria Puig",
                                          "12345678Z",
                                          "'1.0'",
                                          "1.0",
                                          "01001",
                                          "0x1F",
                                          "0b101",
                                          "1_000",
                                          "1:20",
                                          ".inf",
                                          ".nan",
                                          "-1",
                                          "+1",
                                          "- a",
                                          "-",
                                          "yes",
                                          "Yes",
                                          "~",
                                          "null",
                                          "''",
                                          "'it''s'",
                                          "'a' b",
                                          "'a",
                                          "Maria Puig ",
                                          "a #b",
                                          "a: b",
                                          "@x",
                                          "x@y.coop",
                                          "2001-12-14",
                                          "2001-12-14 21:59:43.10 -5",
                                          "99999999999999999999",
                                          "=",
                                          "/x",
                                          "a/b+c=",
                                          "\"dq\"",
                                          "[1]",
                                          "{a: 1}",
                                          "&a x",
                                          "*a",
                                          "!!str 1",
                                          "N\xc3\xbaria",
                                          "tab\there",
                                          "-_8=",
                                          "AQAB",
                                          "3.",
                                          "1e5",
                                          "1.5e+3",
                                          "0o17",
                                          "_1",
                                          "-x y",
                                          "a  b",
                                          "1 2"};

std::string pick(std::mt19937& rng, const std::vector<std::string>& from) {
  return from[rng() % from.size()];
}

std::string document(std::mt19937& rng) {
  std::string doc;
  if (rng() % 20 == 0) doc += "---\n";
  size_t lines = 1 + rng() % 6;
  bool mostly_flat = rng() % 2 == 0;  // half the documents are nearly all fast-path lines
  for (size_t i = 0; i < lines; ++i) {
    switch (rng() % (mostly_flat ? 40 : 12)) {
      case 0:
        doc += "# a comment\n";
        continue;
      case 1:
        doc += "\n";
        continue;
      case 2:
        doc += "  " + pick(rng, kValues) + "\n";
        continue;  // a folded continuation
      default:
        break;
    }
    std::string key = mostly_flat ? kKeys[rng() % 5] : pick(rng, kKeys);
    std::string value = mostly_flat ? kValues[rng() % 14] : pick(rng, kValues);
    std::string sep = mostly_flat ? ": " : pick(rng, kSeparators);
    doc += key + sep + value;
    bool last = i + 1 == lines;
    int end = int(rng() % 10);
    doc += end == 0 ? "\r\n" : (last && end == 1) ? "" : "\n";
  }
  return doc;
}

TEST(FlatMappingFastPath, ReadsEveryDocumentAsTheGeneralReaderDoes) {
  std::mt19937 rng(20261203);
  int both_read = 0, both_refused = 0;
  for (int round = 0; round < 30000; ++round) {
    std::string doc = document(rng);
    std::string fast, general;
    bool fast_ok = true, general_ok = true;
    try {
      fast = load(doc).dump();
    } catch (const YamlError& e) {
      fast_ok = false;
      fast = e.what();
    }
    try {
      general = load_general(doc).dump();
    } catch (const YamlError& e) {
      general_ok = false;
      general = e.what();
    }
    ASSERT_EQ(fast_ok, general_ok) << doc << "\nfast: " << fast << "\ngeneral: " << general;
    ASSERT_EQ(fast, general) << doc;  // the same value, or the same error message
    (fast_ok ? both_read : both_refused)++;
  }
  // The corpus reached both outcomes in numbers (a generator that produced only refusals would
  // prove nothing about the values).
  EXPECT_GT(both_read, 10000);
  EXPECT_GT(both_refused, 1000);
}

TEST(FlatMappingFastPath, ALongKeyIsLibyamlsToRefuse) {
  // libyaml refuses a simple key longer than 1,024 characters; the fast path must not accept it.
  for (size_t n : {100, 600, 1100, 3000}) {
    std::string doc = std::string(n, 'k') + ": v\n";
    bool fast_ok = true, general_ok = true;
    try {
      load(doc);
    } catch (const YamlError&) {
      fast_ok = false;
    }
    try {
      load_general(doc);
    } catch (const YamlError&) {
      general_ok = false;
    }
    EXPECT_EQ(fast_ok, general_ok) << n;
  }
  EXPECT_THROW(load_general(std::string(3000, 'k') + ": v\n"), YamlError);
}

TEST(FlatMappingFastPath, TypesPlainScalarsAndKeepsQuotedOnesAsText) {
  Value v = load("intercoopVersion: '1.0'\nversion: 1.0\ncode: 01001\nok: yes\nnif: 12345678Z\n");
  EXPECT_EQ(v["intercoopVersion"], "1.0");
  EXPECT_EQ(v["version"], 1.0);
  EXPECT_EQ(v["code"], 513);  // YAML 1.1 octal, as PyYAML reads it
  EXPECT_EQ(v["ok"], true);
  EXPECT_EQ(v["nif"], "12345678Z");
  EXPECT_EQ(v.dump(), load_general("intercoopVersion: '1.0'\nversion: 1.0\ncode: 01001\nok: "
                                   "yes\nnif: 12345678Z\n")
                          .dump());
}

}  // namespace
}  // namespace registrar::intercoop::yaml
