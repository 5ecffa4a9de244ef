// The hand-written resolver patterns against PyYAML's own regular expressions (resolver.py, here
// with std::regex as the reference): random text and random edits of matching text must get the
// same answer from both.
#include "intercoop/yaml_patterns.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>

namespace registrar::intercoop::yaml::patterns {
namespace {

const std::regex kBool(
    "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
const std::regex kFloat(R"([-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?)"
                        R"(|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?)"
                        R"(|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*)"
                        R"(|[-+]?\.(?:inf|Inf|INF))"
                        R"(|\.(?:nan|NaN|NAN))");
const std::regex kInt(R"([-+]?0b[0-1_]+)"
                      R"(|[-+]?0[0-7_]+)"
                      R"(|[-+]?(?:0|[1-9][0-9_]*))"
                      R"(|[-+]?0x[0-9a-fA-F_]+)"
                      R"(|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)");
const std::regex kTimestamp(R"([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9])"
                            R"(|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?)"
                            R"((?:[Tt]|[ \t]+)[0-9][0-9]?)"
                            R"(:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?)"
                            R"((?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)");

TEST(IntercoopYamlPatterns, MatchPyYamlsRegularExpressions) {
  const std::vector<std::string> seeds = {"yes",
                                          "Off",
                                          "1.0",
                                          "-1_0.5e+10",
                                          ".5",
                                          ".5E-3",
                                          "1:20.5",
                                          "+.inf",
                                          ".NaN",
                                          "0",
                                          "-0b10_1",
                                          "0777",
                                          "+0x1F_a",
                                          "1_000",
                                          "190:20:30",
                                          "2018-01-01",
                                          "2001-12-14t21:59:43.10-05:00",
                                          "2001-12-14 21:59:43.10",
                                          "2001-1-4  1:59:43 Z",
                                          "2001-12-14T21:59:43+1:30",
                                          "1e5",
                                          "09"};
  const std::string alphabet = "0123456789_:.-+eEbxXaAfFoOnNiItTZ \tyYsSlL";
  std::mt19937_64 rng(15);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  int failures = 0;
  for (int i = 0; i < 60000 && failures < 10; ++i) {
    std::string s;
    if (pick(3) == 0) {
      for (size_t n = 1 + pick(12); n > 0; --n) s += alphabet[pick(alphabet.size())];
    } else {
      s = seeds[pick(seeds.size())];
      for (size_t edits = 1 + pick(3); edits > 0; --edits) {
        size_t at = pick(s.size() + 1);
        char c = alphabet[pick(alphabet.size())];
        switch (pick(3)) {
          case 0:
            s.insert(s.begin() + long(at), c);
            break;
          case 1:
            if (at < s.size()) s[at] = c;
            break;
          default:
            if (at < s.size()) s.erase(at, 1);
        }
      }
    }
    auto check = [&](const char* name, bool mine, const std::regex& re) {
      bool reference = std::regex_match(s, re);
      if (mine != reference) {
        ++failures;
        ADD_FAILURE() << name << "('" << s << "'): ours " << mine << ", regex " << reference;
      }
    };
    check("bool", is_bool(s), kBool);
    check("float", is_float(s), kFloat);
    check("int", is_int(s), kInt);
    check("timestamp", is_timestamp(s), kTimestamp);
  }
}

}  // namespace
}  // namespace registrar::intercoop::yaml::patterns
