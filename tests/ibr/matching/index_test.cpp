#include "ibr/matching/index.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace registrar::ibr::matching {
namespace {

Person person(std::vector<std::string> tokens, BirthDate birth, std::vector<Identifier> ids = {}) {
  return Person{std::move(tokens), birth, Sex::kMale, "UG-12", std::move(ids)};
}

std::vector<RecordId> ids_of(const std::vector<SearchHit>& hits) {
  std::vector<RecordId> ids;
  for (const SearchHit& h : hits) ids.push_back(h.id);
  return ids;
}

TEST(IbrMatchingIndex, ExactIdentifierLookup) {
  MatchIndex index;
  index.upsert(0, person({"okello", "james"}, {1970, 1, 2}, {{"NID", "CM700001"}}));
  index.upsert(1, person({"akello", "grace"}, {1975, 5, 6}, {{"NID", "CM700002"}, {"UIN", "42"}}));
  index.upsert(2, person({"opio", "peter"}, {1980, 9, 9}, {{"PROG", "42"}}));
  EXPECT_EQ(index.find_by_identifier("NID", "CM700002"), std::vector<RecordId>{1});
  EXPECT_EQ(index.find_by_identifier("UIN", "42"), std::vector<RecordId>{1});
  EXPECT_EQ(index.find_by_identifier("PROG", "42"), std::vector<RecordId>{2});
  EXPECT_TRUE(index.find_by_identifier("NID", "42").empty());
  EXPECT_EQ(index.size(), 3u);
}

TEST(IbrMatchingIndex, FuzzySearchFindsVariantsAndNotOthers) {
  MatchIndex index;
  index.upsert(0, person({"okello", "james", "moses"}, {1970, 1, 2}));
  index.upsert(1, person({"akello", "grace"}, {1975, 5, 6}));
  index.upsert(2, person({"okello", "james"}, {1991, 11, 21}));  // namesake, other generation
  index.upsert(3, person({"okello", "peter"}, {1970, 6, 6}));    // a relative, same block
  SearchStats stats;
  const auto hits = index.search(person({"james", "okelo"}, {1970, 2, 1}), 10, {}, &stats);
  EXPECT_EQ(ids_of(hits), std::vector<RecordId>{0});
  EXPECT_GE(stats.candidates, 1u);
  EXPECT_GE(hits[0].score, index.options().thresholds.possible);
  EXPECT_TRUE(hits[0].matched & kFieldBirthDate);  // swapped day and month still agree
  // A lower floor for threshold studies returns weaker hits too, below "possible".
  const auto weak = index.search(person({"james", "okelo"}, {1970, 2, 1}), 10, {}, nullptr, 0.3);
  ASSERT_GT(weak.size(), hits.size());
  EXPECT_EQ(weak.front().id, 0u);
  EXPECT_EQ(weak.back().level, MatchLevel::kNone);
  // The query's own record is left out on request.
  EXPECT_TRUE(index.search(person({"okello", "james", "moses"}, {1970, 1, 2}), 10, 0).empty());
}

TEST(IbrMatchingIndex, UpdateReplacesAndRemoveForgets) {
  MatchIndex index;
  index.upsert(5, person({"nakato", "sarah"}, {1988, 4, 4}, {{"NID", "A1"}}));
  index.upsert(5, person({"babirye", "sarah"}, {1988, 4, 4}, {{"NID", "B2"}}));
  EXPECT_EQ(index.size(), 1u);
  EXPECT_TRUE(index.find_by_identifier("NID", "A1").empty());
  EXPECT_EQ(index.find_by_identifier("NID", "B2"), std::vector<RecordId>{5});
  EXPECT_TRUE(index.search(person({"nakato", "sarah"}, {1988, 4, 4}, {})).size() <= 1);
  EXPECT_EQ(ids_of(index.search(person({"babirye", "sarah"}, {1988, 4, 4}))),
            std::vector<RecordId>{5});
  EXPECT_TRUE(index.remove(5));
  EXPECT_FALSE(index.remove(5));
  EXPECT_FALSE(index.remove(999));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(index.find_by_identifier("NID", "B2").empty());
  EXPECT_TRUE(index.search(person({"babirye", "sarah"}, {1988, 4, 4})).empty());
}

TEST(IbrMatchingIndex, GrowsPastExpectedSizeAndCountsMemory) {
  MatchIndex index(IndexOptions{.expected_records = 16});
  for (RecordId id = 0; id < 5000; ++id)
    index.upsert(
        id, person({"name" + std::to_string(id % 97), "family" + std::to_string(id)},
                   {static_cast<uint16_t>(1950 + id % 50), 1, 1}, {{"NID", std::to_string(id)}}));
  for (RecordId id = 0; id < 5000; id += 2)
    index.upsert(id, person({"x" + std::to_string(id)}, {}));
  EXPECT_EQ(index.size(), 5000u);
  EXPECT_EQ(index.find_by_identifier("NID", "4999"), std::vector<RecordId>{4999});
  EXPECT_TRUE(index.find_by_identifier("NID", "4998").empty());
  // Synthetic "familyNNNN" names are near one another; the exact one comes first.
  const auto hits = index.search(person({"name52", "family4999"}, {1999, 1, 1}));
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().id, 4999u);
  EXPECT_DOUBLE_EQ(hits.front().score, 1.0);
  const MemoryUsage m = index.memory_usage();
  EXPECT_EQ(m.records, 5000u);
  EXPECT_GT(m.total(), 5000u * 20);
}

// Readers search and look up while a writer upserts and removes: the shared lock keeps each
// reader's view whole (run under the sanitizer build to catch a race).
TEST(IbrMatchingIndex, ConcurrentReadersAndWriter) {
  MatchIndex index;
  std::atomic<bool> done{false};
  std::atomic<size_t> reads{0};
  auto reader = [&] {
    while (!done.load()) {
      (void)index.search(person({"okello", "james"}, {1970, 1, 2}));
      (void)index.find_by_identifier("NID", "7");
      reads.fetch_add(1);
    }
  };
  std::thread r1(reader), r2(reader);
  while (reads.load() == 0) std::this_thread::yield();  // both sides run at once
  for (RecordId id = 0; id < 3000; ++id) {
    index.upsert(id % 500, person({"okello", "james" + std::to_string(id % 7)}, {1970, 1, 2},
                                  {{"NID", std::to_string(id % 13)}}));
    if (id % 5 == 0) index.remove((id * 7) % 500);
  }
  done.store(true);
  r1.join();
  r2.join();
  EXPECT_LE(index.size(), 500u);
}

}  // namespace
}  // namespace registrar::ibr::matching
