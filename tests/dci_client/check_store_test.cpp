// The checks' SQL on both backends: every field round-trips, listing is newest first with
// keyset paging, correlation lookups are exact, batch keys are unique.
#include "dci_client/check_store.h"

#include <gtest/gtest.h>

#include "dci_client/check_fixture.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

class CheckStoreDb : public ::testing::TestWithParam<std::string> {
 protected:
  CheckStoreDb() : tdb_(GetParam()), db_(tdb_.options()) {
    store::migrate(db_, {store::platform_schema(), {"dci_client", test::checks_schema()}},
                   core::ManualClock(core::from_unix_seconds(1'750'000'000)));
  }
  Check check(const std::string& id, int64_t created_s, const std::string& source = "src") {
    Check c;
    c.id = id;
    c.source = source;
    c.registrant.reference = "ref-" + id;
    c.registrant.identifiers = {{"UIN", "U-" + id}, {"NID", "N-" + id}};
    c.registrant.given_name = "Amina";
    c.registrant.family_name = "Otieno";
    c.registrant.other_names = "W.";
    c.registrant.birth_date = "1975-02";
    c.registrant.sex = "F";
    c.registrant.location = "KE-047";
    c.created = c.updated = core::from_unix_seconds(created_s);
    return c;
  }
  void insert(const Check& c) {
    db_.write([&](soci::session& s) { db::insert_check(s, c); });
  }
  testing::TestDatabase tdb_;
  store::Database db_;
};

TEST_P(CheckStoreDb, EveryFieldRoundTrips) {
  Check c = check("a", 100);
  insert(c);
  Check read = db_.read([&](soci::session& s) { return db::find_check(s, "a"); }).value();
  EXPECT_EQ(read.registrant, c.registrant);
  EXPECT_EQ(read.state, CheckState::kReady);
  EXPECT_FALSE(read.result.has_value());
  EXPECT_TRUE(read.raw_response.is_null());
  EXPECT_FALSE(read.checked.has_value());
  EXPECT_EQ(read.created, c.created);

  c.state = CheckState::kCompleted;
  c.result = CheckResult::kPossibleMatch;
  c.matched_programmes = {"Cash", "Food, \"dry\""};
  c.raw_response = {{"status", "succ"}, {"name", "Ünïcödé"}};
  c.correlation_id = "corr-1";
  c.notes = "correlation: corr-1";
  c.error = "";
  c.updated = core::from_unix_seconds(200);
  c.checked = core::from_unix_seconds(200);
  db_.write([&](soci::session& s) { db::update_check(s, c); });
  read = db_.read([&](soci::session& s) { return db::find_check(s, "a"); }).value();
  EXPECT_EQ(read.state, CheckState::kCompleted);
  EXPECT_EQ(read.result, CheckResult::kPossibleMatch);
  EXPECT_EQ(read.matched_programmes, c.matched_programmes);
  EXPECT_EQ(read.raw_response, c.raw_response);
  EXPECT_EQ(read.correlation_id, "corr-1");
  EXPECT_EQ(read.notes, "correlation: corr-1");
  EXPECT_EQ(read.checked, c.checked);
  EXPECT_EQ(read.updated, c.updated);
}

TEST_P(CheckStoreDb, ListsNewestFirstWithFiltersAndKeysetPages) {
  for (int i = 0; i < 5; ++i)
    insert(check("c" + std::to_string(i), 100 + i, i % 2 ? "odd" : "even"));
  auto ids = [](const std::vector<Check>& v) {
    std::vector<std::string> out;
    for (const auto& c : v) out.push_back(c.id);
    return out;
  };
  auto all = db_.read([&](soci::session& s) { return db::list_checks(s, {}); });
  EXPECT_EQ(ids(all), (std::vector<std::string>{"c4", "c3", "c2", "c1", "c0"}));
  CheckFilter page{std::nullopt, "", "", 2};
  auto p1 = db_.read([&](soci::session& s) { return db::list_checks(s, page); });
  EXPECT_EQ(ids(p1), (std::vector<std::string>{"c4", "c3"}));
  page.after = "c3";
  auto p2 = db_.read([&](soci::session& s) { return db::list_checks(s, page); });
  EXPECT_EQ(ids(p2), (std::vector<std::string>{"c2", "c1"}));
  CheckFilter odd{std::nullopt, "odd", "", 100};
  EXPECT_EQ(ids(db_.read([&](soci::session& s) { return db::list_checks(s, odd); })),
            (std::vector<std::string>{"c3", "c1"}));
  CheckFilter ready{CheckState::kReady, "", "", 100};
  EXPECT_EQ(db_.read([&](soci::session& s) { return db::list_checks(s, ready); }).size(), 5u);
  CheckFilter failed{CheckState::kFailed, "", "", 100};
  EXPECT_TRUE(db_.read([&](soci::session& s) { return db::list_checks(s, failed); }).empty());
}

TEST_P(CheckStoreDb, CorrelationIsExactAndStaleIsCheckingOnly) {
  Check a = check("a", 100), b = check("b", 100), c = check("c", 100);
  for (Check* x : {&a, &b, &c}) insert(*x);
  a.state = CheckState::kChecking;
  a.correlation_id = "C-12";
  b.state = CheckState::kChecking;
  b.correlation_id = "C-1";
  c.state = CheckState::kCompleted;
  c.correlation_id = "C-1";
  c.updated = core::from_unix_seconds(50);
  db_.write([&](soci::session& s) {
    for (Check* x : {&a, &b, &c}) db::update_check(s, *x);
  });
  auto one = db_.read([&](soci::session& s) { return db::checks_by_correlation(s, "C-1"); });
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0].id, "b");
  EXPECT_EQ(one[1].id, "c");
  EXPECT_TRUE(
      db_.read([&](soci::session& s) { return db::checks_by_correlation(s, "C-"); }).empty());
  EXPECT_TRUE(
      db_.read([&](soci::session& s) { return db::checks_by_correlation(s, "c-12"); }).empty());
  auto stale = db_.read(
      [&](soci::session& s) { return db::stale_checks(s, core::from_unix_seconds(101), 10); });
  EXPECT_EQ(stale.size(), 2u);  // a and b; c is completed however old
  EXPECT_TRUE(db_.read([&](soci::session& s) {
                   return db::stale_checks(s, core::from_unix_seconds(100), 10);
                 })
                  .empty());
}

TEST_P(CheckStoreDb, BatchKeysAreUniqueAndFoundByPrefix) {
  Check a = check("a", 100);
  a.batch_key = "src:abc:2";
  insert(a);
  Check dup = check("b", 100);
  dup.batch_key = "src:abc:2";
  try {
    insert(dup);
    ADD_FAILURE() << "a second check for one batch line";
  } catch (const std::exception& e) {
    EXPECT_TRUE(store::is_unique_violation(e)) << e.what();
  }
  Check other = check("c", 100);
  other.batch_key = "src:abd:2";
  insert(other);
  insert(check("d", 100));  // no batch: NULL keys do not collide
  insert(check("e", 100));
  auto found = db_.read([&](soci::session& s) { return db::batch_checks(s, "src:abc"); });
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, "a");
  EXPECT_EQ(db_.read([&](soci::session& s) { return db::find_by_batch_key(s, "src:abd:2"); })->id,
            "c");
  EXPECT_TRUE(db_.write([&](soci::session& s) { return db::delete_check(s, "a"); }));
  EXPECT_FALSE(db_.write([&](soci::session& s) { return db::delete_check(s, "a"); }));
}

INSTANTIATE_TEST_SUITE_P(Backends, CheckStoreDb,
                         ::testing::ValuesIn(registrar::testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::dci_client
