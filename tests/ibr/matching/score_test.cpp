#include "ibr/matching/score.h"

#include <gtest/gtest.h>

#include "ibr/matching/similarity.h"

namespace registrar::ibr::matching {
namespace {

Person person(std::vector<std::string> tokens, BirthDate birth, Sex sex = Sex::kFemale,
              std::string location = "KE-047-003") {
  return Person{std::move(tokens), birth, sex, std::move(location), {}};
}

double score_of(const Person& a, const Person& b) {
  return score(view_of(a), view_of(b)).score;
}

const Thresholds kDefaults;
const Person kAmina = person({"amina", "wanjiru", "otieno"}, {1984, 3, 12});

TEST(IbrMatchingSimilarity, JaroWinklerKnownValues) {
  EXPECT_DOUBLE_EQ(jaro_winkler("martha", "martha"), 1.0);
  EXPECT_NEAR(jaro_winkler("martha", "marhta"), 0.961, 0.001);
  EXPECT_NEAR(jaro_winkler("dwayne", "duane"), 0.84, 0.001);
  EXPECT_DOUBLE_EQ(jaro_winkler("abc", "xyz"), 0.0);
  EXPECT_DOUBLE_EQ(jaro_winkler("", "abc"), 0.0);
}

TEST(IbrMatchingSimilarity, SkeletonBridgesTransliterations) {
  EXPECT_EQ(consonant_skeleton("muhammad"), consonant_skeleton("mhmd"));
  EXPECT_GE(token_similarity("muhammad", "mhmd"), 0.8);
  EXPECT_GE(token_similarity("cherif", "shryf"), 0.8);
  EXPECT_LT(token_similarity("ali", "eli"), 0.8);
  EXPECT_GE(token_similarity("mohammed", "muhammad"), 0.8);
}

TEST(IbrMatchingSimilarity, BirthDateTolerances) {
  const BirthDate d{1984, 3, 12};
  EXPECT_DOUBLE_EQ(birth_date_similarity(d, d), 1.0);
  EXPECT_GE(birth_date_similarity(d, {1984, 12, 3}), 0.8);  // day/month swap
  EXPECT_GE(birth_date_similarity(d, {1984, 3, 0}), 0.8);   // missing day
  EXPECT_GE(birth_date_similarity(d, {1948, 3, 12}), 0.0);
  EXPECT_GE(birth_date_similarity(d, {1985, 3, 12}), 0.7);  // one-digit year slip
  EXPECT_DOUBLE_EQ(birth_date_similarity(d, {1984, 3, 20}), 0.0);
  EXPECT_LT(birth_date_similarity(d, {0, 0, 0}), 0.0);  // unknown: not scored
}

TEST(IbrMatchingScore, IdenticalRecordsScoreOne) {
  EXPECT_DOUBLE_EQ(score_of(kAmina, kAmina), 1.0);
  const Person sparse = person({"li"}, {}, Sex::kUnknown, "");
  EXPECT_DOUBLE_EQ(score_of(sparse, sparse), 1.0);
  const MatchScore s = score(view_of(kAmina), view_of(kAmina));
  EXPECT_EQ(matched_field_names(s.matched),
            (std::vector<std::string>{"name", "birth_date", "sex", "location"}));
}

TEST(IbrMatchingScore, EachInjectedErrorStillScoresPossible) {
  const std::vector<Person> variants = {
      person({"amina", "wanjriu", "otieno"}, {1984, 3, 12}),  // typo
      person({"otieno", "amina", "wanjiru"}, {1984, 3, 12}),  // swapped order
      person({"amina", "otieno"}, {1984, 3, 12}),             // missing middle name
      person({"amina", "wanjiru", "otieno"}, {1984, 12, 3}),  // day/month swap
      person({"amina", "wanjiru", "otieno"}, {1984, 3, 0}),   // missing day
      person({"amina", "wanjiru", "otieno"}, {1985, 3, 12}),  // year typo
      person({"amina", "wanjiru", "otieno"}, {1984, 3, 12}, Sex::kFemale, "KE-047-009"),  // moved
      person({"otieno", "aminah"}, {1984, 3, 0}),  // three at once
  };
  for (const Person& v : variants) {
    const double s = score_of(kAmina, v);
    EXPECT_GE(s, kDefaults.possible) << testing::PrintToString(v.name_tokens);
    EXPECT_DOUBLE_EQ(s, score_of(v, kAmina));  // symmetric
  }
  const Person arabic = person({"mhmd", "ali"}, {1990, 1, 5}, Sex::kMale, "EG-01");
  const Person latin = person({"muhammad", "ali"}, {1990, 1, 5}, Sex::kMale, "EG-01");
  EXPECT_GE(score_of(arabic, latin), kDefaults.possible);
}

TEST(IbrMatchingScore, UnrelatedPeopleScoreLow) {
  const Person other = person({"ivan", "petrov"}, {1962, 7, 30}, Sex::kMale, "RU-77");
  EXPECT_LT(score_of(kAmina, other), 0.2);
  // A namesake born the same year elsewhere is not a duplicate.
  const Person namesake =
      person({"amina", "wanjiru", "otieno"}, {1984, 8, 25}, Sex::kFemale, "KE-001-001");
  EXPECT_LT(score_of(kAmina, namesake), kDefaults.possible);
  EXPECT_DOUBLE_EQ(score_of(kAmina, namesake), score_of(namesake, kAmina));
}

TEST(IbrMatchingScore, Classify) {
  EXPECT_EQ(classify(0.95, kDefaults), MatchLevel::kConfirmed);
  EXPECT_EQ(classify(0.85, kDefaults), MatchLevel::kPossible);
  EXPECT_EQ(classify(0.10, kDefaults), MatchLevel::kNone);
}

}  // namespace
}  // namespace registrar::ibr::matching
