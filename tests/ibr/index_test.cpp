// The duplicate index in the module on real databases: built from the table, followed from the
// change feed by a second instance, answering expression / predicate searches.
#include <gtest/gtest.h>

#include "ibr/ibr_fixture.h"
#include "ibr/index_follower.h"
#include "ibr/synthetic.h"

namespace registrar::ibr {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

Json person(const std::string& ref, const std::string& given, const std::string& surname,
            const std::string& birth, const std::string& sex, const std::string& nid) {
  return {{"reference_id", ref},
          {"@type", "Beneficiary"},
          {"member",
           {{"demographic_info",
             {{"person",
               {{"identifier", {{{"identifier_type", "NID"}, {"identifier_value", nid}}}},
                {"name", {{"first_name", given}, {"surname", surname}}},
                {"sex", sex},
                {"birth_date", birth},
                {"sub_region_code", "KE-047-003"}}}}},
            {"programme_identifier",
             {{"programme", {{"programme_identifier", "CT-" + ref}, {"programme_name", "Cash"}}},
              {"enrolment_status", "Active"}}}}}};
}

Json updates(std::vector<Json> beneficiaries) {
  return {{"transaction_id", "t1"}, {"enrolled_updates", {{"beneficiaries", beneficiaries}}}};
}

Json predicate_search(std::vector<Json> conditions) {
  Json q = Json::array();
  int seq = 1;
  for (auto& c : conditions) q.push_back({{"seq_num", seq++}, {"expression1", std::move(c)}});
  return {{"transaction_id", "t2"},
          {"search_request",
           {{{"reference_id", "r1"},
             {"timestamp", "2024-01-01T00:00:00Z"},
             {"search_criteria",
              {{"query_type", "predicate"},
               {"query", q},
               {"pagination", {{"page_size", 10}, {"page_number", 1}}}}}}}}};
}

Json eq(const std::string& attribute, const std::string& value) {
  return {{"attribute_name", attribute}, {"operator", "eq"}, {"attribute_value", value}};
}

// One registrar instance: its own index, follower and service on the shared database.
struct Instance {
  Instance(store::Database& db, const core::Clock& clock)
      : follower(db, index, 1000ms),
        service(db, clock, IbrSettings{}, &index, [this] { follower.poll(now); }) {
    follower.poll(now);
  }
  Json records(const Json& search) {
    return service.sync_search(search)["search_response"][0]["data"]["reg_records"];
  }
  std::chrono::steady_clock::time_point now{};  // the follower's clock, moved by the test
  BeneficiaryIndex index;
  IndexFollower follower;
  IbrService service;
};

class IbrIndexDb : public test::IbrDbTest {
 protected:
  Json amina_query() {
    // Misspelled, accents, name order swapped, day and month swapped.
    return predicate_search({eq("name", "OTIENÓ Aminah"), eq("birth_date", "1975-12-02")});
  }
};

TEST_P(IbrIndexDb, SecondInstanceFollowsUpsertAndDeleteAfterOnePoll) {
  Instance a(*db_, clock_), b(*db_, clock_);
  a.service.apply_updates(updates({person("p1", "Amina", "Otieno", "1975-02-12", "F", "N1")}), "sp",
                          "q1");
  // The writer sees its own write at once (it polls after committing).
  ASSERT_EQ(a.records(amina_query()).size(), 1u);
  EXPECT_EQ(b.records(amina_query()).size(), 0u);  // b has not polled yet
  b.now += 1s;
  ASSERT_TRUE(b.follower.poll(b.now));
  Json found = b.records(amina_query());
  ASSERT_EQ(found.size(), 1u);
  const Json& match = found[0]["registrar_match"];
  EXPECT_EQ(match["reference_id"], "p1");
  EXPECT_EQ(match["sender_id"], "sp");
  EXPECT_GE(match["score"].get<double>(), 0.82);
  EXPECT_EQ(match["enrollments"][0]["programme_id"], "CT-p1");
  // An identifier condition goes through the exact path and is confirmed.
  Json by_id = b.records(predicate_search({eq("NID", "N1")}));
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0]["registrar_match"]["level"], "confirmed");
  EXPECT_EQ(by_id[0]["registrar_match"]["matched_fields"], Json::array({"identifier"}));

  a.service.apply_updates(
      {{"transaction_id", "t3"},
       {"enrolled_updates", {{"beneficiaries", {{{"reference_id", "p1"}, {"deleted", true}}}}}}},
      "sp", "q2");
  EXPECT_EQ(a.records(amina_query()).size(), 0u);
  b.now += 1s;
  ASSERT_TRUE(b.follower.poll(b.now));
  EXPECT_EQ(b.records(amina_query()).size(), 0u);
  EXPECT_EQ(b.index.size(), 0u);
  EXPECT_EQ(b.records(predicate_search({eq("NID", "N1")})).size(), 0u);
}

TEST_P(IbrIndexDb, FuzzyHitCarriesScoreFieldsAndLevelAndSkipsOthers) {
  Instance a(*db_, clock_);
  a.service.apply_updates(updates({person("p1", "José María", "Núñez", "1980-04-12", "M", "N1"),
                                   person("p2", "Wanjiru", "Kamau", "1990-07-30", "F", "N2")}),
                          "sp", "q1");
  Json found = a.records(
      predicate_search({eq("given_name", "Jose Maria"), eq("surname", "Nunes"),
                        eq("dob", "1980-04-12"), eq("sex", "M"), eq("location", "KE-047-003")}));
  ASSERT_EQ(found.size(), 1u);
  const Json& m = found[0]["registrar_match"];
  EXPECT_EQ(m["reference_id"], "p1");
  EXPECT_EQ(m["level"], "confirmed");
  EXPECT_EQ(m["matched_fields"], Json::array({"name", "birth_date", "sex", "location"}));
  EXPECT_EQ(found[0]["programs"][0]["id"], "CT-p1");
  // An unrelated person is not found.
  EXPECT_EQ(
      a.records(predicate_search({eq("name", "Oksana Petrenko"), eq("dob", "1962-09-01")})).size(),
      0u);
}

Json expression_search(Json query) {
  Json s = predicate_search({});
  auto& c = s["search_request"][0]["search_criteria"];
  c["query_type"] = "expression";
  c["query"] = {
      {"type", "ns:org:QueryType:NoSql"},
      {"value", {{"expression", {{"collection", "Person"}, {"query", std::move(query)}}}}}};
  return s;
}

Json nid(const std::string& value) {
  return {{"identifier", {{"$eq", {{"identifier_type", "NID"}, {"identifier_value", value}}}}}};
}

TEST_P(IbrIndexDb, OrOfIdentifiersFindsWhoHoldsAnyOfThem) {
  Instance a(*db_, clock_);
  a.service.apply_updates(updates({person("p1", "Amina", "Otieno", "1975-02-12", "F", "N1"),
                                   person("p2", "Wanjiru", "Kamau", "1990-07-30", "F", "N2")}),
                          "sp", "q1");
  // A registrant known by N1 and by an identifier nobody holds: p1 (an "and" would find none).
  Json one = a.records(expression_search({{"$or", {nid("N1"), nid("N-unknown")}}}));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["registrar_match"]["reference_id"], "p1");
  EXPECT_EQ(a.records(expression_search({{"$and", {nid("N1"), nid("N-unknown")}}})).size(), 0u);
  // Both held by someone: both found.
  EXPECT_EQ(a.records(expression_search({{"$or", {nid("N1"), nid("N2")}}})).size(), 2u);
  // An "$or" group and'ed with another identifier: only who holds both.
  Json both =
      a.records(expression_search({{"$and", {{{"$or", {nid("N1"), nid("N2")}}}, nid("N2")}}}));
  ASSERT_EQ(both.size(), 1u);
  EXPECT_EQ(both[0]["registrar_match"]["reference_id"], "p2");
  EXPECT_EQ(a.records(expression_search({{"$or", {nid("N-x"), nid("N-y")}}})).size(), 0u);
}

TEST_P(IbrIndexDb, MalformedQueryRejectsItsItemOnly) {
  Instance a(*db_, clock_);
  a.service.apply_updates(updates({person("p1", "Amina", "Otieno", "1975-02-12", "F", "N1")}), "sp",
                          "q1");
  Json msg = amina_query();
  Json bad = msg["search_request"][0];
  bad["reference_id"] = "r2";
  bad["search_criteria"]["query"][0]["expression1"]["operator"] = "gt";
  msg["search_request"].push_back(bad);
  Json items = a.service.sync_search(msg)["search_response"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["status"], "succ");
  EXPECT_EQ(items[0]["data"]["reg_records"].size(), 1u);
  EXPECT_EQ(items[1]["status"], "rjct");
  EXPECT_EQ(items[1]["status_reason_code"], "rjct.search_criteria.invalid");
  EXPECT_NE(
      items[1]["status_reason_message"].get<std::string>().find("query[0].expression1.operator gt"),
      std::string::npos);
}

TEST_P(IbrIndexDb, AGapLongerThanTheFeedsRetentionResynchronisesFromTheTable) {
  Instance a(*db_, clock_), b(*db_, clock_);
  a.service.apply_updates(updates({person("p1", "Amina", "Otieno", "1975-02-12", "F", "N1"),
                                   person("p2", "Wanjiru", "Kamau", "1990-07-30", "F", "N2")}),
                          "sp", "q1");
  b.now += 1s;
  ASSERT_TRUE(b.follower.poll(b.now));
  ASSERT_EQ(b.index.size(), 2u);
  // b misses a delete and an insert, and the feed rows that told of them are pruned.
  a.service.apply_updates(
      {{"transaction_id", "t3"},
       {"enrolled_updates", {{"beneficiaries", {{{"reference_id", "p1"}, {"deleted", true}}}}}}},
      "sp", "q2");
  a.service.apply_updates(updates({person("p3", "Oksana", "Petrenko", "1962-09-01", "F", "N3")}),
                          "sp", "q3");
  db_->write([&](soci::session& s) { db::prune_changes(s, clock_.now() + 48h); });
  b.now += IndexFollower::resync_after() + 1s;
  ASSERT_TRUE(b.follower.poll(b.now));
  EXPECT_EQ(b.index.size(), 2u);
  EXPECT_FALSE(b.index.id_of({"sp", "p1"}));
  EXPECT_TRUE(b.index.id_of({"sp", "p3"}));
  EXPECT_EQ(b.records(amina_query()).size(), 0u);
}

TEST_P(IbrIndexDb, RemovedIdsAreReused) {
  BeneficiaryIndex index;
  index.put({"sp", "a", person("a", "Amina", "Otieno", "1975-02-12", "F", "N1"), false});
  index.put({"sp", "b", person("b", "Wanjiru", "Kamau", "1990-07-30", "F", "N2"), false});
  auto id_a = index.id_of({"sp", "a"});
  ASSERT_TRUE(id_a);
  index.remove({"sp", "a"});
  index.put({"sp", "c", person("c", "Oksana", "Petrenko", "1962-09-01", "F", "N3"), false});
  EXPECT_EQ(index.id_of({"sp", "c"}), id_a);
  EXPECT_EQ(index.key_of(*id_a), (RecordKey{"sp", "c"}));
  EXPECT_EQ(index.size(), 2u);
  BeneficiaryIndex::Memory memory = index.memory_usage();
  EXPECT_EQ(memory.records, 2u);
  EXPECT_GT(memory.keys, 0u);
  EXPECT_GT(memory.matcher, 0u);
}

TEST_P(IbrIndexDb, SeededPopulationIsFoundByDedupWithGroundTruth) {
  SeedOptions o;
  o.count = 600;
  o.seed = 7;
  SeedStats seeded = seed_population(*db_, clock_, o);
  EXPECT_EQ(seeded.records, 600u);
  DedupReport r = dedup_registry(*db_, matching::IndexOptions{}, std::nullopt);
  EXPECT_EQ(r.records, 600u);
  ASSERT_TRUE(r.evaluation);
  EXPECT_GT(r.true_pairs, 0u);
  EXPECT_GE(r.evaluation->f1(), 0.85);
  int64_t stored = 0;
  db_->read([&](soci::session& s) { stored = db::count_beneficiaries(s); });
  EXPECT_EQ(stored, 600);
}

INSTANTIATE_TEST_SUITE_P(Backends, IbrIndexDb, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr
