#include <gtest/gtest.h>

#include <thread>

#include "core/error.h"
#include "store/audit.h"
#include "store/database.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::store {
namespace {

using testing::TestDatabase;

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  StoreTest() : tdb_(GetParam()) {}
  DatabaseOptions options() {
    DatabaseOptions o;
    o.url = tdb_.url();
    o.pool_size = 4;
    return o;
  }
  TestDatabase tdb_;
  core::ManualClock clock_{core::SystemTime(std::chrono::seconds(1'700'000'000))};
};

ModuleSchema widgets(int versions) {
  ModuleSchema m{"widgets", {}};
  if (versions >= 1)
    m.migrations.push_back(
        {1,
         "widgets table",
         {"CREATE TABLE widgets (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL UNIQUE)"},
         {}});
  if (versions >= 2)
    m.migrations.push_back(
        {2, "widget colour", {"ALTER TABLE widgets ADD COLUMN colour VARCHAR(20)"}, {}});
  return m;
}

TEST_P(StoreTest, AppliesMigrationsOnceAndRecordsThem) {
  Database db(options());
  auto first = migrate(db, {platform_schema(), widgets(1)}, clock_);
  EXPECT_EQ(first.applied.size(), 2u);
  auto again = migrate(db, {platform_schema(), widgets(1)}, clock_);
  EXPECT_TRUE(again.applied.empty());
  auto upgrade = migrate(db, {platform_schema(), widgets(2)}, clock_);
  ASSERT_EQ(upgrade.applied.size(), 1u);
  EXPECT_EQ(upgrade.applied[0], "widgets v2: widget colour");
  EXPECT_TRUE(schema_status(db, {platform_schema(), widgets(2)}).current);
  auto st = schema_status(
      db, {platform_schema(), widgets(3 - 1), ModuleSchema{"other", {{1, "x", {"SELECT 1"}, {}}}}});
  EXPECT_FALSE(st.current);
  ASSERT_EQ(st.problems.size(), 1u);
  EXPECT_EQ(st.problems[0], "other: database at v0, binary expects v1");
}

TEST_P(StoreTest, RefusesADatabaseNewerThanTheBinary) {
  Database db(options());
  migrate(db, {platform_schema(), widgets(2)}, clock_);
  try {
    migrate(db, {platform_schema(), widgets(1)}, clock_);
    FAIL() << "an older binary must refuse a newer schema";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kConflict);
    EXPECT_NE(std::string(e.what()).find("widgets"), std::string::npos);
  }
}

TEST_P(StoreTest, FailedMigrationLeavesPreviousVersion) {
  Database db(options());
  ModuleSchema broken = widgets(1);
  broken.migrations.push_back(
      {2, "broken", {"ALTER TABLE widgets ADD COLUMN size INTEGER", "THIS IS NOT SQL"}, {}});
  EXPECT_ANY_THROW(migrate(db, {platform_schema(), broken}, clock_));
  auto st = schema_status(db, {platform_schema(), widgets(1)});
  EXPECT_TRUE(st.current) << (st.problems.empty() ? "" : st.problems[0]);
  // The half-applied statement was rolled back with its transaction: v2 can still be applied.
  EXPECT_EQ(migrate(db, {platform_schema(), widgets(2)}, clock_).applied.size(), 1u);
}

TEST_P(StoreTest, ConcurrentMigrationsApplyEachStepOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      try {
        Database db(options());
        applied += int(migrate(db, {platform_schema(), widgets(2)}, clock_).applied.size());
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(applied, 3);  // platform v1, widgets v1, widgets v2 — each by exactly one thread
}

TEST_P(StoreTest, AuditLogIsAppendOnly) {
  Database db(options());
  migrate(db, {platform_schema()}, clock_);
  db.write([&](soci::session& s) {
    append_audit(s, {"alice", "widgets.create", "w-1", "req-1", {{"name", "sprocket"}}},
                 clock_.now());
    append_audit(s, {"bob", "widgets.delete", "w-2", "req-2", {}}, clock_.now());
  });
  auto rows = db.read([](soci::session& s) { return read_audit(s, "", 10); });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].actor, "bob");  // newest first
  EXPECT_EQ(rows[1].detail["name"], "sprocket");
  EXPECT_EQ(rows[1].at, "2023-11-14T22:13:20.000Z");
  auto w1 = db.read([](soci::session& s) { return read_audit(s, "w-1", 10); });
  EXPECT_EQ(w1.size(), 1u);
  EXPECT_ANY_THROW(
      db.write([](soci::session& s) { s << "UPDATE audit_log SET actor = 'mallory'"; }));
  EXPECT_ANY_THROW(db.write([](soci::session& s) { s << "DELETE FROM audit_log"; }));
  EXPECT_EQ(db.read([](soci::session& s) { return read_audit(s, "", 10); }).size(), 2u);
}

TEST_P(StoreTest, WriteRollsBackWhenTheCallbackThrows) {
  Database db(options());
  migrate(db, {platform_schema(), widgets(1)}, clock_);
  EXPECT_THROW(db.write([](soci::session& s) {
    s << "INSERT INTO widgets (id, name) VALUES (1, 'a')";
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  int n = db.read([](soci::session& s) {
    int c = 0;
    s << "SELECT COUNT(*) FROM widgets", soci::into(c);
    return c;
  });
  EXPECT_EQ(n, 0);
}

TEST_P(StoreTest, UniqueViolationsAreRecognised) {
  Database db(options());
  migrate(db, {platform_schema(), widgets(1)}, clock_);
  db.write([](soci::session& s) { s << "INSERT INTO widgets (id, name) VALUES (1, 'a')"; });
  try {
    db.write([](soci::session& s) { s << "INSERT INTO widgets (id, name) VALUES (2, 'a')"; });
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_TRUE(is_unique_violation(e)) << e.what();
  }
}

TEST_P(StoreTest, PoolExhaustionIsAnUnavailableError) {
  DatabaseOptions o = options();
  o.pool_size = 1;
  o.acquire_timeout = std::chrono::milliseconds(50);
  Database db(o);
  auto held = db.acquire();
  EXPECT_EQ(db.in_use(), 1u);
  try {
    db.acquire();
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kUnavailable);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

TEST(DatabaseUrl, RedactsPasswords) {
  EXPECT_EQ(redact_url("postgresql://u:secret@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(redact_url("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(redact_url("host=h password=secret dbname=x"), "host=h password=*** dbname=x");
}

TEST(DatabaseUrl, PostgresUrlBecomesConninfo) {
  EXPECT_EQ(postgres_conninfo("postgresql://u:p%40ss@127.0.0.1:5432/db?sslmode=disable"),
            "host='127.0.0.1' port='5432' dbname='db' user='u' password='p@ss' sslmode='disable'");
  EXPECT_EQ(postgres_conninfo("postgres://[::1]/x"), "host='::1' dbname='x'");
  EXPECT_EQ(postgres_conninfo("postgresql://u:it's@h/d"),
            "host='h' dbname='d' user='u' password='it\\'s'");
}

TEST(DatabaseUrl, BackendAndPath) {
  EXPECT_EQ(backend_of("sqlite:a.db"), Backend::kSqlite);
  EXPECT_EQ(backend_of("postgres://h/db"), Backend::kPostgres);
  EXPECT_THROW(backend_of("mysql://h/db"), core::Error);
  EXPECT_EQ(sqlite_path("sqlite:///var/x.db"), "/var/x.db");
  EXPECT_EQ(sqlite_path("sqlite:data/x.db"), "data/x.db");
}

TEST(DatabaseUrl, UnreachableDatabaseIsUnavailable) {
  DatabaseOptions o;
  o.url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2";
  o.pool_size = 1;
  try {
    Database db(o);
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kUnavailable);
  }
}

}  // namespace
}  // namespace registrar::store
