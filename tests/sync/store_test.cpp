// The sync store on real databases (SQLite, and PostgreSQL when REGISTRAR_TEST_PG_URL is set):
// the change sequence numbers every change once and in commit order, writes that change nothing
// are not changes, soft deletes keep the row, MOSIP's time window selects by created / updated /
// deleted time, and the cursor merges scopes and reports rows that left a scope.
#include <gtest/gtest.h>

#include "core/error.h"
#include "store/migrations.h"
#include "support/databases.h"
#include "sync/store.h"

namespace registrar::sync {
namespace {

using namespace std::chrono_literals;

class SyncStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  SyncStoreTest() : tdb_(GetParam()), db_(tdb_.options()) {
    store::migrate(db_, {store::platform_schema(), {"sync", sync_migrations()}}, clock_);
  }

  RowWrite write(const std::string& entity, const std::string& id, Json data,
                 const std::string& scope = "", const std::string& lang = "") {
    RowWrite w;
    w.entity = entity;
    w.input.id = id;
    w.input.lang = lang;
    w.input.data = std::move(data);
    w.scope = scope;
    return w;
  }
  std::vector<WriteResult> apply(std::vector<RowWrite> writes, int64_t at_us) {
    return db_.write([&](soci::session& s) { return db::apply(s, writes, "tester", at_us); });
  }

  registrar::testing::TestDatabase tdb_;
  core::ManualClock clock_{core::from_unix_seconds(1'800'000'000)};
  store::Database db_;
};

TEST_P(SyncStoreTest, NumbersChangesAndSkipsWritesThatChangeNothing) {
  auto r = apply({write("languages", "eng", {{"code", "eng"}, {"name", "English"}}),
                  write("languages", "fra", {{"code", "fra"}, {"name", "French"}})},
                 100);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, WriteStatus::kCreated);
  EXPECT_EQ(r[0].row->seq, 1);
  EXPECT_EQ(r[1].row->seq, 2);
  EXPECT_EQ(r[1].row->version, 1);

  r = apply({write("languages", "eng", {{"code", "eng"}, {"name", "English"}})}, 200);
  EXPECT_EQ(r[0].status, WriteStatus::kUnchanged);
  EXPECT_EQ(db_.read([](soci::session& s) { return db::head_seq(s); }), 2);

  r = apply({write("languages", "eng", {{"code", "eng"}, {"name", "Anglais"}})}, 300);
  EXPECT_EQ(r[0].status, WriteStatus::kUpdated);
  EXPECT_EQ(r[0].row->seq, 3);
  EXPECT_EQ(r[0].row->version, 2);
  auto row = db_.read([](soci::session& s) { return db::find_row(s, "languages", "eng", ""); });
  ASSERT_TRUE(row);
  EXPECT_EQ(row->data, R"({"code":"eng","name":"Anglais"})");
  EXPECT_EQ(row->created_us, 100);
  EXPECT_EQ(row->updated_us, 300);
  EXPECT_EQ(row->updated_by, "tester");
}

TEST_P(SyncStoreTest, SoftDeleteKeepsTheRowAndAVersionConflictWritesNothing) {
  apply({write("languages", "eng", {{"code", "eng"}})}, 100);
  RowWrite del = write("languages", "eng", {});
  del.remove = true;
  auto r = apply({del}, 200);
  EXPECT_EQ(r[0].status, WriteStatus::kDeleted);
  EXPECT_TRUE(r[0].row->deleted);
  EXPECT_EQ(apply({del}, 300)[0].status, WriteStatus::kUnchanged);
  RowWrite missing = write("languages", "deu", {});
  missing.remove = true;
  EXPECT_EQ(apply({missing}, 300)[0].status, WriteStatus::kNotFound);

  auto row = db_.read([](soci::session& s) { return db::find_row(s, "languages", "eng", ""); });
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->deleted);
  EXPECT_EQ(row->deleted_us, 200);
  EXPECT_FALSE(
      db_.read([](soci::session& s) { return db::live_row_exists(s, "languages", "eng"); }));

  RowWrite stale = write("languages", "eng", {{"code", "eng"}, {"name", "x"}});
  stale.expected_version = 1;  // it is at 2 since the delete
  r = apply({stale}, 400);
  EXPECT_EQ(r[0].status, WriteStatus::kConflict);
  ASSERT_TRUE(r[0].row);
  EXPECT_EQ(r[0].row->version, 2);
  stale.expected_version = 2;  // written back: no longer deleted
  r = apply({stale}, 500);
  EXPECT_EQ(r[0].status, WriteStatus::kUpdated);
  EXPECT_FALSE(r[0].row->deleted);
}

TEST_P(SyncStoreTest, WindowSelectsByCreatedUpdatedOrDeletedTimeInclusive) {
  apply({write("genders", "F", {{"code", "F"}}, "", "eng"),
         write("genders", "M", {{"code", "M"}}, "", "eng")},
        100);
  apply({write("genders", "M", {{"code", "M"}, {"genderName", "Male"}}, "", "eng")}, 200);
  RowWrite del = write("genders", "F", {}, "", "eng");
  del.remove = true;
  apply({del}, 300);
  apply({write("genders", "X", {{"code", "X"}}, "c:other", "eng")}, 300);

  auto ids = [&](int64_t from, int64_t to) {
    std::vector<std::string> out;
    db_.read([&](soci::session& s) {
      db::select_window(s, {"", {"genders"}, from, to},
                        [&](const RowState& r) { out.push_back(r.id + (r.deleted ? "-" : "+")); });
    });
    return out;
  };
  EXPECT_EQ(ids(0, 1000), (std::vector<std::string>{"F-", "M+"}));
  EXPECT_EQ(ids(100, 100), (std::vector<std::string>{"F-", "M+"}));  // created at 100
  EXPECT_EQ(ids(101, 199), std::vector<std::string>{});
  EXPECT_EQ(ids(200, 299), (std::vector<std::string>{"M+"}));
  EXPECT_EQ(ids(300, 300), (std::vector<std::string>{"F-"}));
  EXPECT_EQ(ids(301, 1000), std::vector<std::string>{});

  // Several entities in one statement: (entity, id, lang) order, only the listed ones.
  apply({write("languages", "fra", {{"code", "fra"}}, ""),
         write("languages", "eng", {{"code", "eng"}}, ""),
         write("blocklisted_words", "damn", {{"word", "damn"}}, "", "eng")},
        400);
  std::vector<std::string> rows;
  db_.read([&](soci::session& s) {
    db::select_window(s, {"", {"languages", "genders"}, 0, 1000},
                      [&](const RowState& r) { rows.push_back(r.entity + ":" + r.id); });
  });
  EXPECT_EQ(rows,
            (std::vector<std::string>{"genders:F", "genders:M", "languages:eng", "languages:fra"}));
}

TEST_P(SyncStoreTest, PullMergesScopesInSequenceOrderAndReportsDepartures) {
  apply({write("users", "u1", {{"id", "u1"}}, "c:A"), write("users", "u2", {{"id", "u2"}}, "c:B"),
         write("languages", "eng", {{"code", "eng"}}, "")},
        100);
  apply({write("users", "u1", {{"id", "u1"}, {"regCenterId", "B"}}, "c:B")}, 200);
  // The plain reads of a machine served `scopes` since 0, after `cursor`.
  auto pull = [&](std::vector<std::string> scopes, int64_t cursor, int limit) {
    auto reads = plan_pull(PullCursor{cursor, 0, 0}, {ScopeRecord{0, std::move(scopes)}}).reads;
    return db_.read([&](soci::session& s) { return db::pull_page(s, reads, limit, {"m", "A"}); });
  };
  auto page = pull({"", "c:A"}, 0, 10);
  std::vector<std::string> got;
  for (const auto& i : page.items)
    got.push_back(std::to_string(i.seq) + ":" + i.entity + "/" + i.id +
                  (i.departed ? " departed" : ""));
  // u1 was created in A (seq 1), then moved to B: A sees its departure (seq 4), not its row.
  EXPECT_EQ(got, (std::vector<std::string>{"3:languages/eng", "4:users/u1 departed"}));
  // The probe, from the same statement: no machine m, no rows of centre A, no scope records.
  EXPECT_EQ(page.head, 5);
  EXPECT_EQ(page.machine_seq, -1);
  EXPECT_EQ(page.centre_seq, -1);
  EXPECT_EQ(page.scopes_since, -1);
  page = pull({"", "c:B"}, 0, 2);
  ASSERT_EQ(page.items.size(), 2u);  // the limit holds across scopes
  EXPECT_EQ(page.items[0].seq, 2);
  EXPECT_EQ(page.items[1].seq, 3);
  page = pull({"", "c:B"}, 3, 10);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].seq, 5);
  EXPECT_EQ(page.items[0].row.data, R"({"id":"u1","regCenterId":"B"})");
  EXPECT_EQ(page.items[0].row.version, 2);
  EXPECT_EQ(page.items[0].row.created_us, 100);
  EXPECT_EQ(page.items[0].row.updated_us, 200);
  EXPECT_FALSE(page.items[0].row.deleted_us);
}

TEST_P(SyncStoreTest, MachineKeyIndexesAreUniqueAndFoundBack) {
  db_.write([](soci::session& s) { db::set_machine_keys(s, "m1", "aa:bb", "cc:dd"); });
  auto hit = db_.read([](soci::session& s) { return db::machine_for_key_index(s, "cc:dd"); });
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->machine_id, "m1");
  EXPECT_TRUE(hit->signing);
  EXPECT_THROW(db_.write([](soci::session& s) { db::set_machine_keys(s, "m2", "aa:bb", ""); }),
               core::Error);
  db_.write([](soci::session& s) { db::set_machine_keys(s, "m1", "ee:ff", ""); });
  EXPECT_FALSE(db_.read([](soci::session& s) { return db::machine_for_key_index(s, "aa:bb"); }));
}

INSTANTIATE_TEST_SUITE_P(Backends, SyncStoreTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::sync
