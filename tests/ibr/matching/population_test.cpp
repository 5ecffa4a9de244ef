#include "ibr/matching/population.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "ibr/matching/evaluation.h"
#include "ibr/matching/index.h"

namespace registrar::ibr::matching {
namespace {

TEST(IbrMatchingPopulation, SeededAndWithTheRequestedDuplicateRate) {
  const auto a = generate_population(2000, 0.05, 7), b = generate_population(2000, 0.05, 7);
  ASSERT_EQ(a.size(), 2000u);
  size_t duplicates = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].full_name, b[i].full_name);
    EXPECT_EQ(a[i].person, b[i].person);
    EXPECT_FALSE(a[i].full_name.empty());
    EXPECT_NE(a[i].birth.year, 0);
    duplicates += a[i].errors != 0;
  }
  EXPECT_GT(duplicates, 60u);
  EXPECT_LT(duplicates, 140u);
  EXPECT_NE(generate_population(10, 0.05, 8)[0].full_name, a[0].full_name);
}

TEST(IbrMatchingEvaluation, CountsPairsAndScopes) {
  const std::vector<uint32_t> person_of = {0, 0, 0, 1, 2, 2};  // truth: 3 + 0 + 1 pairs
  const PairCounts c = evaluate_pairs({{1, 0}, {0, 1}, {2, 0}, {3, 4}}, person_of);
  EXPECT_EQ(c.true_positives, 2u);
  EXPECT_EQ(c.false_positives, 1u);
  EXPECT_EQ(c.false_negatives, 2u);
  EXPECT_DOUBLE_EQ(c.precision(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(c.recall(), 0.5);
  const PairCounts scoped =
      evaluate_pairs({{4, 5}}, person_of, {false, false, false, false, true, false});
  EXPECT_EQ(scoped.true_positives, 1u);
  EXPECT_EQ(scoped.false_negatives, 0u);
}

// The property the IBR promises: on a realistic population with 5 % injected duplicates, the
// index finds at least 95 % of the duplicate pairs, and at least 95 % of what it reports is right.
TEST(IbrMatchingPopulation, IndexFindsInjectedDuplicates) {
  const auto records = generate_population(20000, 0.05, 20261202);
  NameNormalizer normalizer;
  MatchIndex index(IndexOptions{.expected_records = records.size()});
  std::vector<Person> people;
  std::vector<uint32_t> person_of;
  for (uint32_t i = 0; i < records.size(); ++i) {
    people.push_back(to_person(records[i], normalizer));
    person_of.push_back(records[i].person);
    index.upsert(i, people.back());
  }
  std::vector<RecordPair> predicted;
  size_t candidates = 0;
  for (uint32_t i = 0; i < records.size(); ++i) {
    SearchStats stats;
    for (const SearchHit& hit : index.search(people[i], 50, i, &stats))
      predicted.push_back({i, hit.id});
    candidates += stats.candidates;
  }
  const PairCounts c = evaluate_pairs(predicted, person_of);
  std::printf("precision %.4f recall %.4f F1 %.4f (tp %zu fp %zu fn %zu), %.1f candidates/query\n",
              c.precision(), c.recall(), c.f1(), c.true_positives, c.false_positives,
              c.false_negatives, static_cast<double>(candidates) / records.size());
  EXPECT_GE(c.precision(), 0.95);
  EXPECT_GE(c.recall(), 0.95);
}

}  // namespace
}  // namespace registrar::ibr::matching
