// Validators: every error code pinned with a value that breaks exactly that rule (checked with
// Detail::kAll, so "exactly" is tested, not assumed), and MOSIP's order for values that break
// several rules, against a corpus from an independent regex model of the spec.
#include <gtest/gtest.h>

#include <cstdio>
#include <span>
#include <vector>

#include "ids/validators.h"

namespace registrar::ids {
namespace {

struct CorpusRow {
  const char* id;
  std::vector<int> codes;  // numeric part of KER-IDV-xxx, in order
};
#include "corpus.inc"

std::vector<std::string> codes(const ValidationResult& r) {
  std::vector<std::string> out;
  for (IdError e : r.all()) out.push_back(error_code(e));
  return out;
}

// Asserts that `id` fails with exactly `code` (and nothing else) and, when given, exactly the
// filter bit `filter`.
void expect_only(const IdValidator& v, std::string_view id, const char* code, uint32_t filter = 0) {
  const auto first = v.validate(id);
  EXPECT_STREQ(first.code(), code) << id;
  const auto all = v.validate(id, Detail::kAll);
  EXPECT_EQ(codes(all), std::vector<std::string>{code}) << id;
  if (filter) {
    EXPECT_EQ(all.filters, filter) << id;
  }
}

Policy uin(RuleSet rules = RuleSet::kV12) {
  Policy p = default_policy(IdType::kUin);
  p.rule_set = rules;
  return p;
}

TEST(UinValidator, AcceptsValid) {
  IdValidator v(uin());
  EXPECT_TRUE(v.valid("5075291708"));
  EXPECT_TRUE(IdValidator(uin(RuleSet::kV13)).valid("5075291708"));
}

TEST(UinValidator, EachCodeIsolated) {
  IdValidator v(uin());
  expect_only(v, "", "KER-IDV-201");
  expect_only(v, "29657249206", "KER-IDV-203");  // 11 digits, otherwise fine
  expect_only(v, "50752917a8", "KER-IDV-204");
  expect_only(v, "1834170475", "KER-IDV-206");
  expect_only(v, "4702496036", "KER-IDV-205");
  expect_only(v, "3765936917", "KER-IDV-202", kFilterSequence);        // 765
  expect_only(v, "7617139153", "KER-IDV-202", kFilterRepeating);       // 171
  expect_only(v, "3795198398", "KER-IDV-202", kFilterRepeatingBlock);  // 98..98
  expect_only(v, "6732641759", "KER-IDV-202", kFilterEvenDigits);      // 264
  expect_only(v, "7867420569", "KER-IDV-202", kFilterRestricted);      // 786
  // 207 needs the 1.3 repeating rule (abcdeedcba has "ee"); 208 needs the block filter off.
  expect_only(IdValidator(uin(RuleSet::kV13)), "6471551746", "KER-IDV-207");
  Policy no_block = uin();
  no_block.repeating_block_limit = 0;
  expect_only(IdValidator(no_block), "5896158961", "KER-IDV-208");
}

TEST(UinValidator, RuleSetsDifferOnRepeats) {
  // "7617139153": 1x1 is a repeat under 1.2 but not under 1.3 (no run of three).
  EXPECT_FALSE(IdValidator(uin()).valid("7617139153"));
  EXPECT_TRUE(IdValidator(uin(RuleSet::kV13)).valid("7617139153"));
  EXPECT_EQ(IdValidator(uin(RuleSet::kV13)).validate("6471551746").error, IdError::kUinReversed);
  EXPECT_EQ(IdValidator(uin()).validate("6471551746").error, IdError::kUinFilter);
}

TEST(UinValidator, WrapAroundRunsAreValidatorValid) {
  EXPECT_TRUE(IdValidator(uin()).valid("3710958293"));  // 109 wraps: generator-only rule
}

TEST(UinValidator, MessagesAreMosipTexts) {
  IdValidator v(uin());
  EXPECT_EQ(v.validate("").message(), "UIN should not be Empty or Null.");
  EXPECT_EQ(v.validate("4702496036").message(), "UIN should match checksum.");
  EXPECT_EQ(v.validate("12").message(), "UIN length should be as per configured digit.");
}

TEST(VidValidator, EachCodeIsolated) {
  IdValidator v(default_policy(IdType::kVid));
  EXPECT_TRUE(v.valid("6706914957613640"));
  expect_only(v, "", "KER-IDV-001");
  expect_only(v, "50294798267046213", "KER-IDV-003");
  expect_only(v, "67069149576136a0", "KER-IDV-004");
  expect_only(v, "3764057386503248", "KER-IDV-005");
  expect_only(v, "8605674259463453", "KER-IDV-002", kFilterSequence);
  expect_only(v, "4638236483730350", "KER-IDV-002", kFilterRepeating);
  expect_only(v, "8392763270423718", "KER-IDV-002", kFilterRepeatingBlock);
  expect_only(v, "0329185024784907", "KER-IDV-002", kFilterNotStartWith);  // not 006
  expect_only(v, "3786025690358164", "KER-IDV-002", kFilterRestricted);
  EXPECT_EQ(v.validate("50294798267046213").message(), "VID length should be 16 digit.");
}

TEST(PridValidator, EachCodeIsolated) {
  IdValidator v(default_policy(IdType::kPrid));
  EXPECT_TRUE(v.valid("97106426398419"));
  expect_only(v, "", "KER-IDV-101");
  expect_only(v, "503894862539238", "KER-IDV-103");
  expect_only(v, "9710642639841x", "KER-IDV-104");
  expect_only(v, "47562197368175", "KER-IDV-105");
  expect_only(v, "87653204187016", "KER-IDV-102", kFilterSequence);
  expect_only(v, "99166580718029", "KER-IDV-102", kFilterRepeating);
  expect_only(v, "69203764286925", "KER-IDV-102", kFilterRepeatingBlock);  // 3-digit block
  expect_only(v, "19304962753892", "KER-IDV-102", kFilterNotStartWith);
  expect_only(v, "59605908157864", "KER-IDV-102", kFilterRestricted);
}

void check_corpus(const IdValidator& v, std::span<const CorpusRow> rows, const char* prefix) {
  for (const auto& row : rows) {
    std::vector<std::string> want;
    for (int c : row.codes) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%s%03d", prefix, c);
      want.push_back(buf);
    }
    const auto all = v.validate(row.id, Detail::kAll);
    EXPECT_EQ(codes(all), want) << "id \"" << row.id << "\"";
    EXPECT_STREQ(v.validate(row.id).code(), want.empty() ? "" : want.front().c_str()) << row.id;
  }
}

TEST(ValidatorOrder, MatchesIndependentModelOnMultiRuleCorpus) {
  check_corpus(IdValidator(uin()), std::span<const CorpusRow>(kUinV12Corpus), "KER-IDV-");
  check_corpus(IdValidator(uin(RuleSet::kV13)), std::span<const CorpusRow>(kUinV13Corpus),
               "KER-IDV-");
  check_corpus(IdValidator(default_policy(IdType::kVid)), std::span<const CorpusRow>(kVidCorpus),
               "KER-IDV-");
  check_corpus(IdValidator(default_policy(IdType::kPrid)), std::span<const CorpusRow>(kPridCorpus),
               "KER-IDV-");
}

TEST(ValidatorOrder, SeveralRulesAtOnce) {
  IdValidator v(uin());
  // Length before digits (gotcha 6): an 11-character alphanumeric UIN gets 203 first.
  EXPECT_EQ(codes(v.validate("12345abcdef", Detail::kAll)),
            (std::vector<std::string>{"KER-IDV-203", "KER-IDV-204"}));
  // Start, filters, checksum.
  EXPECT_EQ(codes(v.validate("1234567891", Detail::kAll)),
            (std::vector<std::string>{"KER-IDV-206", "KER-IDV-202", "KER-IDV-205"}));
  EXPECT_EQ(v.validate("1234567891").error, IdError::kUinStart);
}

TEST(RidValidator, EachCodeIsolated) {
  const std::string rid = "27847657360002520181208183050";
  auto only = [](const ValidationResult& r, const char* code) {
    EXPECT_STREQ(r.code(), code);
    EXPECT_EQ(codes(r), std::vector<std::string>{code});
  };
  EXPECT_TRUE(validate_rid(rid).ok());
  EXPECT_TRUE(validate_rid("21347867870000120190329060437", {}, "21347", "86787").ok());
  RidFormat zero;
  zero.centre_length = 0;
  only(validate_rid(rid, zero, {}, {}, Detail::kAll), "KER-IDV-306");
  // A wrong length always shifts the sequence field too, so 307 follows 304.
  EXPECT_EQ(codes(validate_rid(rid.substr(1), {}, {}, {}, Detail::kAll)),
            (std::vector<std::string>{"KER-IDV-304", "KER-IDV-307"}));
  EXPECT_EQ(validate_rid(rid.substr(1)).message(),
            "Rid Length Must Be  :29");  // MOSIP's two spaces
  only(validate_rid("2784a657360002520181208183050", {}, {}, {}, Detail::kAll), "KER-IDV-301");
  only(validate_rid("27847657360002520181308183050", {}, {}, {}, Detail::kAll), "KER-IDV-305");
  RidFormat seq4;
  seq4.sequence_length = 4;
  only(validate_rid(rid, seq4, {}, {}, Detail::kAll), "KER-IDV-307");
  only(validate_rid(rid, {}, "27848", "65736", Detail::kAll), "KER-IDV-302");
  only(validate_rid(rid, {}, "27847", "65737", Detail::kAll), "KER-IDV-303");
  // Numeric before timestamp (gotcha 6).
  EXPECT_STREQ(validate_rid("278476573600025201812081830x0").code(), "KER-IDV-301");
}

TEST(RidValidator, GregorianTimestamps) {
  EXPECT_TRUE(valid_rid_timestamp("20200229000000"));
  EXPECT_TRUE(valid_rid_timestamp("20000229235959"));
  EXPECT_FALSE(valid_rid_timestamp("20190229000000"));
  EXPECT_FALSE(valid_rid_timestamp("19000229000000"));
  EXPECT_FALSE(valid_rid_timestamp("00000229000000"));
  EXPECT_TRUE(valid_rid_timestamp("00010101000000"));
  EXPECT_FALSE(valid_rid_timestamp("20200431000000"));
  EXPECT_FALSE(valid_rid_timestamp("20200101240000"));
  EXPECT_FALSE(valid_rid_timestamp("20200101006000"));
  EXPECT_FALSE(valid_rid_timestamp("20200100000000"));
  EXPECT_FALSE(valid_rid_timestamp("2020010100000"));
}

TEST(MispIdValidator, Codes) {
  EXPECT_TRUE(validate_misp_id("100").ok());
  EXPECT_STREQ(validate_misp_id("10").code(), "KER-IDV-401");
  EXPECT_EQ(validate_misp_id("10").message(), "Mispid Length Must Be 3");
  EXPECT_STREQ(validate_misp_id("").code(), "KER-IDV-402");
  EXPECT_STREQ(validate_misp_id("   ").code(), "KER-IDV-402");
  EXPECT_TRUE(validate_misp_id("1000", 4).ok());
}

TEST(Robustness, RandomStringsNeverCrashAndAlwaysReturnACode) {
  std::vector<IdValidator> validators{IdValidator(uin()), IdValidator(uin(RuleSet::kV13)),
                                      IdValidator(default_policy(IdType::kVid)),
                                      IdValidator(default_policy(IdType::kPrid))};
  uint64_t s = 42;
  auto next = [&] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(s >> 33);
  };
  for (int i = 0; i < 200000; ++i) {
    std::string id(next() % 40, '\0');
    const bool digits = next() % 2;
    for (auto& c : id)
      c = digits ? static_cast<char>('0' + next() % 10) : static_cast<char>(next());
    for (const auto& v : validators) {
      const auto r = v.validate(id);
      const auto all = v.validate(id, Detail::kAll);
      ASSERT_EQ(r.ok(), all.ok());
      if (!r.ok()) {
        ASSERT_NE(std::string(r.code()), "");
        ASSERT_FALSE(r.message().empty());
        ASSERT_EQ(all.all().front(), r.error);
      }
    }
    const auto rid = validate_rid(id, {}, "12345", "67890", Detail::kAll);
    if (!rid.ok()) {
      ASSERT_NE(std::string(rid.code()), "");
    }
    (void)validate_misp_id(id);
  }
}

}  // namespace
}  // namespace registrar::ids
