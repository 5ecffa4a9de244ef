// Verhoeff and the primitive filters, each pinned with values that isolate one rule.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ids/filters.h"
#include "ids/verhoeff.h"

namespace registrar::ids {
namespace {

TEST(Verhoeff, MosipAndStandardVectors) {
  EXPECT_EQ(verhoeff_check_digit("1234567890"), '2');  // MOSIP IdChecksumTest
  EXPECT_TRUE(verhoeff_valid("12345678902"));
  EXPECT_FALSE(verhoeff_valid("1234567891"));
  EXPECT_EQ(verhoeff_check_digit("236"), '3');
  EXPECT_EQ(verhoeff_check_digit("12345"), '1');
  EXPECT_EQ(verhoeff_check_digit("142857"), '0');
  EXPECT_EQ(verhoeff_check_digit("123456789012"), '0');
  EXPECT_EQ(verhoeff_check_digit("8473643095483728456789"), '2');
  EXPECT_EQ(verhoeff_check_digit("123456789"), '0');
  EXPECT_TRUE(verhoeff_valid("2363"));
  EXPECT_TRUE(verhoeff_valid("84736430954837284567892"));
}

TEST(Verhoeff, DetectsEverySingleDigitErrorAndAdjacentSwap) {
  const std::string body = "7392015846";
  const std::string full = body + verhoeff_check_digit(body);
  ASSERT_TRUE(verhoeff_valid(full));
  for (size_t i = 0; i < full.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == full[i]) continue;
      std::string bad = full;
      bad[i] = d;
      EXPECT_FALSE(verhoeff_valid(bad)) << bad;
    }
    if (i + 1 < full.size() && full[i] != full[i + 1]) {
      std::string swapped = full;
      std::swap(swapped[i], swapped[i + 1]);
      EXPECT_FALSE(verhoeff_valid(swapped)) << swapped;
    }
  }
}

TEST(Verhoeff, InverseTableIsTheGroupInverse) {
  for (int a = 0; a < 10; ++a) {
    EXPECT_EQ(kVerhoeffD[a][kVerhoeffInv[a]], 0);
    EXPECT_EQ(kVerhoeffD[kVerhoeffInv[a]][a], 0);
  }
}

TEST(SequenceFilter, ValidatorRuleHasNoWrap) {
  EXPECT_TRUE(has_sequence("5123", 3, false));   // 123
  EXPECT_TRUE(has_sequence("5987", 3, false));   // 987
  EXPECT_FALSE(has_sequence("5124", 3, false));  // 12 is allowed
  EXPECT_FALSE(has_sequence("1357", 3, false));  // only +-1 steps count
  EXPECT_FALSE(has_sequence("8901", 3, false));  // 890 / 901 wrap: allowed by validators
  EXPECT_FALSE(has_sequence("1098", 3, false));
  EXPECT_FALSE(has_sequence("5123", 0, false));  // off
  EXPECT_TRUE(has_sequence("1234", 4, false));
  EXPECT_FALSE(has_sequence("1235", 4, false));
  EXPECT_TRUE(has_sequence("5", 1, false));  // every digit is a run of one
}

TEST(SequenceFilter, GeneratorRuleWraps) {
  EXPECT_TRUE(has_sequence("5890", 3, true));
  EXPECT_TRUE(has_sequence("5901", 3, true));
  EXPECT_TRUE(has_sequence("5098", 3, true));
  EXPECT_TRUE(has_sequence("5109", 3, true));
  EXPECT_FALSE(has_sequence("5135", 3, true));
  // The doubled strings are 20 long, so a long wrapping run must fit from its first digit's
  // first occurrence: from 8, 12 digits fit (8 + 12 = 20); from 9 they do not.
  EXPECT_TRUE(has_sequence("890123456789", 12, true));
  EXPECT_FALSE(has_sequence("901234567890", 12, true));
}

TEST(RepeatingFilter, OldRuleIsDistanceWindow) {
  EXPECT_TRUE(has_repeating("5113", 2));    // adjacent
  EXPECT_TRUE(has_repeating("5131", 2));    // 1x1
  EXPECT_FALSE(has_repeating("51231", 2));  // 1xx1 is allowed
  EXPECT_TRUE(has_repeating("51231", 3));
  EXPECT_FALSE(has_repeating("5113", 0));
}

TEST(RepeatingFilter, NewRuleIsConsecutiveRun) {
  EXPECT_TRUE(has_repeating_run("51113", 2));
  EXPECT_FALSE(has_repeating_run("5113", 2));
  EXPECT_FALSE(has_repeating_run("5131", 2));
  EXPECT_TRUE(has_repeating_run("5113", 1));
}

TEST(BlockFilter, NonOverlappingRepeatAnywhere) {
  EXPECT_TRUE(has_repeating_block("4839048", 2));  // 48 ... 48
  EXPECT_TRUE(has_repeating_block("4848", 2));     // adjacent
  EXPECT_FALSE(has_repeating_block("484", 2));     // overlapping: 48 / 84
  EXPECT_FALSE(has_repeating_block("40004", 3));   // 4xxx4 single digits
  EXPECT_TRUE(has_repeating_block("3434343434", 2));
  EXPECT_TRUE(has_repeating_block("1234591234", 3));
  EXPECT_FALSE(has_repeating_block("1234591243", 3));
  EXPECT_TRUE(has_repeating_block("123456123456", 6));  // long windows take the generic path
  EXPECT_FALSE(has_repeating_block("123456123457", 6));
  EXPECT_FALSE(has_repeating_block("4848", 0));
}

TEST(EvenFilter, ZeroIsNotEven) {
  EXPECT_TRUE(has_even_run("3948613752", 3));  // FRS sample: 486
  EXPECT_TRUE(has_even_run("1246", 3));
  EXPECT_FALSE(has_even_run("1206", 3));
  EXPECT_FALSE(has_even_run("1246", 4));
  EXPECT_TRUE(has_even_run("428", 3));
}

TEST(ListFilters, SubstringsAndPrefixes) {
  const std::vector<std::string> restricted{"786", "666"};
  EXPECT_TRUE(contains_any("1786", restricted));
  EXPECT_TRUE(contains_any("6661", restricted));
  EXPECT_FALSE(contains_any("7866", std::vector<std::string>{}));
  EXPECT_FALSE(contains_any("7687", restricted));
  const std::vector<std::string> prefixes{"0", "1", "99"};
  EXPECT_TRUE(starts_with_any("0123", prefixes));
  EXPECT_TRUE(starts_with_any("9912", prefixes));
  EXPECT_FALSE(starts_with_any("9123", prefixes));
  // The Java trap, kept at this level: an empty entry matches everything (policy rejects it).
  EXPECT_TRUE(contains_any("2345", std::vector<std::string>{""}));
}

TEST(FirstLastFilters, EqualAndReversed) {
  EXPECT_TRUE(first_equals_last("4345643456", 5));  // FRS sample
  EXPECT_FALSE(first_equals_reversed_last("4345643456", 5));
  EXPECT_TRUE(first_equals_reversed_last("4345665434", 5));  // FRS sample
  EXPECT_FALSE(first_equals_last("4345665434", 5));
  EXPECT_FALSE(first_equals_last("4345643456", 0));
  EXPECT_FALSE(first_equals_last("4345", 5));  // longer than the ID: off
}

TEST(CyclicNumbers, OnlyThoseThatFit) {
  EXPECT_TRUE(has_cyclic_number("3142857"));
  EXPECT_FALSE(has_cyclic_number("314285"));
  EXPECT_TRUE(has_cyclic_number("90588235294117647"));
  EXPECT_TRUE(has_even_run("3142857", 3));  // 428: why 142857 never matters at length 10
}

TEST(FilterHits, StopsAtFirstOrCollectsAll) {
  FilterRules r;
  r.sequence_limit = 3;
  r.repeating_limit = 2;
  r.restricted_numbers = {"786"};
  EXPECT_EQ(filter_hits("1237866", r), kFilterSequence);
  EXPECT_EQ(filter_hits("1237866", r, true),
            kFilterSequence | kFilterRepeating | kFilterRestricted);
  EXPECT_EQ(filter_hits("5937", r, true), 0u);
  EXPECT_STREQ(filter_name(kFilterRepeatingBlock), "repeating-block");
}

}  // namespace
}  // namespace registrar::ids
