// Property tests of the generator: every issued ID validates, no duplicates among a million,
// and over a small policy the generator issues exactly the admitted set.
#include <gtest/gtest.h>

#include <set>
#include <unordered_set>

#include "ids/issuance.h"
#include "ids/verhoeff.h"

namespace registrar::ids {
namespace {

constexpr std::string_view kKey = "property-test-key-0123456789";

TEST(GeneratorProperties, MillionUinsUniqueAndValidUnderBothRuleSets) {
  Policy p = default_policy(IdType::kUin);
  IdGenerator g(p, kKey);
  IdValidator v12(p);
  p.rule_set = RuleSet::kV13;
  IdValidator v13(p);
  std::unordered_set<uint64_t> seen;
  seen.reserve(1'100'000);
  std::vector<IssuedId> out;
  // Several blocks, as several instances would lease them.
  for (uint64_t start : {0ULL, 5'000'000ULL, 400'000'000ULL, 790'000'000ULL}) {
    CounterBlock block{start, start + 1'000'000 * 4};  // ~7 % are issuable
    out.clear();
    g.next_ids(block, 260'000, out);
    ASSERT_EQ(out.size(), 260'000u);
    for (const auto& id : out) {
      ASSERT_TRUE(v12.valid(id.id)) << id.id;
      ASSERT_TRUE(v13.valid(id.id)) << id.id;
      ASSERT_TRUE(seen.insert(std::stoull(id.id)).second) << "duplicate " << id.id;
    }
  }
  EXPECT_GE(seen.size(), 1'000'000u);
}

TEST(GeneratorProperties, VidAndPridValidate) {
  for (IdType t : {IdType::kVid, IdType::kPrid}) {
    const Policy p = default_policy(t);
    IdGenerator g(p, kKey);
    IdValidator v(p);
    CounterBlock block{123456789, 123456789 + 2'000'000};
    std::vector<IssuedId> out;
    g.next_ids(block, 10'000, out);
    ASSERT_EQ(out.size(), 10'000u);
    std::set<std::string> unique;
    for (const auto& id : out) {
      ASSERT_TRUE(v.valid(id.id)) << id.id;
      ASSERT_TRUE(unique.insert(id.id).second);
    }
  }
}

TEST(GeneratorProperties, WholeCounterSpaceYieldsExactlyTheIssuableSet) {
  for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid}) {
    Policy p = default_policy(t);
    p.length = 6;
    p.digits_limit = p.reverse_digits_limit = t == IdType::kUin ? 2 : 0;
    IdGenerator g(p, kKey);
    CounterBlock all{0, g.counter_space()};
    std::vector<IssuedId> out;
    g.next_ids(all, g.counter_space(), out);
    std::set<std::string> issued;
    for (const auto& id : out) issued.insert(id.id);
    ASSERT_EQ(issued.size(), out.size());
    std::set<std::string> want;
    for (int b = 0; b < 100000; ++b) {
      char body[8];
      std::snprintf(body, sizeof body, "%05d", b);
      std::string id = std::string(body) + verhoeff_check_digit(body);
      if (admitted(id, p, Admission::kIssuable)) want.insert(id);
    }
    EXPECT_EQ(issued, want) << id_type_name(t);
  }
}

}  // namespace
}  // namespace registrar::ids
