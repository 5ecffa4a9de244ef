// Policies (defaults, config keys, validation) and capacity (exact vs brute force, estimate).
#include <gtest/gtest.h>

#include <cmath>

#include "core/config.h"
#include "core/error.h"
#include "ids/capacity.h"
#include "ids/validators.h"
#include "ids/verhoeff.h"

namespace registrar::ids {
namespace {

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems)
    if (p.find(text) != std::string::npos) return true;
  return false;
}

// Independent count: every body, check digit appended, tested by the validator itself (kValid)
// or additionally by the generator rules (kIssuable).
uint64_t brute_force(const Policy& p, Admission mode) {
  const IdValidator v(p);
  const FilterRules gen = generator_rules(p);
  uint64_t count = 0, bodies = 1;
  for (int i = 1; i < p.length; ++i) bodies *= 10;
  std::string id(static_cast<size_t>(p.length), '0');
  for (uint64_t b = 0; b < bodies; ++b) {
    uint64_t x = b;
    for (int i = p.length - 2; i >= 0; --i, x /= 10) id[i] = static_cast<char>('0' + x % 10);
    id.back() = verhoeff_check_digit(std::string_view(id).substr(0, id.size() - 1));
    if (!v.valid(id)) continue;
    if (mode == Admission::kIssuable && filter_hits(id, gen) != 0) continue;
    ++count;
  }
  return count;
}

TEST(Policy, DefaultsAreMosipsAndValid) {
  const Policy u = default_policy(IdType::kUin), v = default_policy(IdType::kVid),
               p = default_policy(IdType::kPrid);
  EXPECT_EQ(u.length, 10);
  EXPECT_EQ(v.length, 16);
  EXPECT_EQ(p.length, 14);
  EXPECT_EQ(p.repeating_block_limit, 3);
  EXPECT_EQ(u.restricted_numbers, (std::vector<std::string>{"786", "666"}));
  for (const auto& pol : {u, v, p}) EXPECT_TRUE(policy_problems(pol).empty());
  EXPECT_NO_THROW(validate_policy(u));
}

TEST(Policy, EmptyListEntryIsAConfigErrorNamingTheKey) {
  Policy p = default_policy(IdType::kUin);
  p.restricted_numbers = {"786", ""};
  EXPECT_TRUE(mentions(policy_problems(p), "ids.uin.restricted_numbers"));
  EXPECT_THROW(validate_policy(p), core::ConfigError);
  Policy v = default_policy(IdType::kVid);
  v.not_start_with = {""};
  EXPECT_TRUE(mentions(policy_problems(v), "ids.vid.not_start_with"));
  v.not_start_with = {"x1"};
  EXPECT_TRUE(mentions(policy_problems(v), "never matches"));
}

TEST(Policy, LimitsOutOfRangeNameTheirKeys) {
  Policy p = default_policy(IdType::kPrid);
  p.sequence_limit = 1;
  EXPECT_TRUE(mentions(policy_problems(p), "ids.prid.sequence_limit"));
  p = default_policy(IdType::kUin);
  p.repeating_block_limit = -1;
  EXPECT_TRUE(mentions(policy_problems(p), "ids.uin.repeating_block_limit"));
  p.length = 1;
  EXPECT_TRUE(mentions(policy_problems(p), "ids.uin.length"));
}

TEST(Policy, PolicyAdmittingNoIdIsRejectedWithTheCulprit) {
  Policy p = default_policy(IdType::kVid);
  p.length = 6;
  p.not_start_with = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  const auto problems = policy_problems(p);
  EXPECT_TRUE(mentions(problems, "admits no ID"));
  EXPECT_TRUE(mentions(problems, "ids.vid.not_start_with"));
  // A repeating limit of 9 forces 10 distinct digits in a row: impossible at length 11.
  Policy r = default_policy(IdType::kUin);
  r.length = 11;
  r.repeating_limit = 10;
  EXPECT_TRUE(mentions(policy_problems(r), "ids.uin.repeating_limit"));
}

TEST(Policy, BuiltFromConfig) {
  core::ConfigSchema schema;
  declare_policy_config(schema);
  auto c = core::Config::from_toml(schema,
                                   "[ids.uin]\nlength = 12\nrestricted_numbers = [\"13\"]\n"
                                   "rule_set = \"1.3\"\n[ids.prid]\nrepeating_block_limit = 2\n",
                                   {{"REGISTRAR_IDS_VID_SEQUENCE_LIMIT", "4"}});
  const Policy u = policy_from_config(c, IdType::kUin);
  EXPECT_EQ(u.length, 12);
  EXPECT_EQ(u.restricted_numbers, std::vector<std::string>{"13"});
  EXPECT_EQ(u.rule_set, RuleSet::kV13);
  EXPECT_EQ(u.digits_limit, 5);
  EXPECT_EQ(policy_from_config(c, IdType::kVid).sequence_limit, 4);
  EXPECT_EQ(policy_from_config(c, IdType::kPrid).repeating_block_limit, 2);
  const Policy d = policy_from_config(core::Config::defaults(schema), IdType::kVid);
  EXPECT_EQ(d.length, 16);
  EXPECT_THROW(core::Config::from_toml(schema, "[ids.uin]\nrule_set = \"2.0\"\n"),
               core::ConfigError);
}

TEST(Policy, AdmittedAgreesWithValidator) {
  for (auto rules : {RuleSet::kV12, RuleSet::kV13}) {
    Policy p = default_policy(IdType::kUin);
    p.rule_set = rules;
    IdValidator v(p);
    uint64_t s = 9;
    for (int i = 0; i < 200000; ++i) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      std::string id = std::to_string(2000000000 + (s >> 33) % 8000000000ULL).substr(0, 9);
      id.push_back(verhoeff_check_digit(id));
      ASSERT_EQ(v.valid(id), admitted(id, p, Admission::kValid)) << id;
      if (admitted(id, p, Admission::kIssuable)) {
        ASSERT_TRUE(v.valid(id)) << id;
      }
    }
  }
}

struct Case {
  const char* name;
  Policy policy;
};

std::vector<Case> small_cases() {
  std::vector<Case> out;
  for (int len : {4, 5, 6}) {
    Policy u = default_policy(IdType::kUin);
    u.length = len;
    u.digits_limit = u.reverse_digits_limit = 2;
    out.push_back({"uin", u});
    u.rule_set = RuleSet::kV13;
    out.push_back({"uin-1.3", u});
    Policy v = default_policy(IdType::kVid);
    v.length = len;
    out.push_back({"vid", v});
    Policy p = default_policy(IdType::kPrid);
    p.length = len;
    p.restricted_numbers = {"12", "907"};
    out.push_back({"prid", p});
    Policy loose = default_policy(IdType::kUin);
    loose.length = len;
    loose.repeating_limit = 1;
    loose.conjugative_even_digits_limit = 2;
    loose.digits_limit = 1;
    loose.reverse_digits_limit = 3;
    loose.not_start_with = {"5", "77"};
    out.push_back({"uin-loose", loose});
  }
  return out;
}

TEST(Capacity, ExactCountsMatchBruteForce) {
  for (const auto& c : small_cases())
    for (auto mode : {Admission::kValid, Admission::kIssuable}) {
      const uint64_t want = brute_force(c.policy, mode);
      SCOPED_TRACE(std::string(c.name) + " length " + std::to_string(c.policy.length) +
                   (mode == Admission::kValid ? " valid" : " issuable"));
      EXPECT_EQ(count_exact(c.policy, mode, CountMethod::kDepthFirst), want);
      EXPECT_EQ(count_exact(c.policy, mode, CountMethod::kAuto), want);
      try {
        EXPECT_EQ(count_exact(c.policy, mode, CountMethod::kMeetInMiddle), want);
      } catch (const core::Error&) {
        // shape not supported by meet-in-the-middle (first/last limits too long): auto covered it
      }
    }
}

TEST(Capacity, MeetInMiddleMatchesDepthFirstAtEightDigits) {
  Policy u = default_policy(IdType::kUin);
  u.length = 8;
  u.digits_limit = u.reverse_digits_limit = 3;
  for (auto mode : {Admission::kValid, Admission::kIssuable})
    EXPECT_EQ(count_exact(u, mode, CountMethod::kMeetInMiddle),
              count_exact(u, mode, CountMethod::kDepthFirst));
  Policy p = default_policy(IdType::kPrid);
  p.length = 8;
  EXPECT_EQ(count_exact(p, Admission::kValid, CountMethod::kMeetInMiddle),
            count_exact(p, Admission::kValid, CountMethod::kDepthFirst));
}

TEST(Capacity, DefaultUinIsExactAndAboutFiftySevenMillion) {
  const Capacity c = capacity(default_policy(IdType::kUin));
  EXPECT_TRUE(c.exact);
  EXPECT_GT(c.count, 50e6);
  EXPECT_LT(c.count, 65e6);
  std::printf("default UIN capacity (issuable): %.0f\n", c.count);
}

TEST(Capacity, EstimateCoversExactAndIsStatedBeyondTwelve) {
  Policy u = default_policy(IdType::kUin);
  u.length = 8;
  const double exact = static_cast<double>(count_exact(u, Admission::kIssuable));
  CapacityOptions o;
  o.exact_max_length = 0;  // force the estimate
  o.samples = 400000;
  const Capacity e = capacity(u, Admission::kIssuable, o);
  EXPECT_FALSE(e.exact);
  EXPECT_LE(e.low, exact);
  EXPECT_GE(e.high, exact);
  EXPECT_DOUBLE_EQ(e.confidence, 0.99);
  const Capacity vid = capacity(default_policy(IdType::kVid));
  EXPECT_FALSE(vid.exact);
  EXPECT_GT(vid.count, 5e12);  // spec: about 9e12
  EXPECT_LT(vid.count, 15e12);
  EXPECT_LT(vid.low, vid.count);
  EXPECT_GT(vid.high, vid.count);
}

TEST(Capacity, FindAdmittedIdFindsTheSmallest) {
  const auto id = find_admitted_id(default_policy(IdType::kUin), Admission::kIssuable);
  ASSERT_TRUE(id);
  EXPECT_TRUE(IdValidator(default_policy(IdType::kUin)).valid(*id));
  EXPECT_EQ((*id)[0], '2');
}

}  // namespace
}  // namespace registrar::ids
