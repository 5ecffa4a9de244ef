#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
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
  EXPECT_EQ(first.applied.size(), platform_schema().migrations.size() + 1);
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
  // platform v1 and v2, widgets v1 and v2 — each by exactly one thread
  EXPECT_EQ(applied, int(platform_schema().migrations.size()) + 2);
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
  EXPECT_EQ(rows[1].at, clock_.now());
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

// The error a write throws, or "" when it succeeds.
template <class F>
std::optional<bool> unique_violation_of(Database& db, F&& f) {
  try {
    db.write(std::forward<F>(f));
  } catch (const std::exception& e) {
    return is_unique_violation(e);
  }
  return std::nullopt;
}

TEST_P(StoreTest, UniqueViolationsAreRecognisedByErrorCode) {
  Database db(options());
  ModuleSchema m{"checked",
                 {{1,
                   "checked table",
                   {"CREATE TABLE checked (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL "
                    "UNIQUE, size INTEGER CHECK (size > 0))"},
                   {}}}};
  migrate(db, {platform_schema(), m}, clock_);
  db.write([](soci::session& s) { s << "INSERT INTO checked (id, name) VALUES (1, 'a')"; });
  // A UNIQUE column and the primary key are unique violations, in one-off and prepared
  // statements alike...
  EXPECT_EQ(
      unique_violation_of(
          db, [](soci::session& s) { s << "INSERT INTO checked (id, name) VALUES (2, 'a')"; }),
      std::optional(true));
  EXPECT_EQ(unique_violation_of(db,
                                [](soci::session& s) {
                                  int id = 1;
                                  std::string name = "b";
                                  s << "INSERT INTO checked (id, name) VALUES (:i, :n)",
                                      soci::use(id), soci::use(name);
                                }),
            std::optional(true));
  // ...other constraint violations are not, though they share SQLite's primary code.
  EXPECT_EQ(
      unique_violation_of(
          db, [](soci::session& s) { s << "INSERT INTO checked (id, name) VALUES (3, NULL)"; }),
      std::optional(false));
  EXPECT_EQ(unique_violation_of(db,
                                [](soci::session& s) {
                                  s << "INSERT INTO checked (id, name, size) VALUES (4, 'c', 0)";
                                }),
            std::optional(false));
  // Nor is a message that merely mentions one.
  EXPECT_FALSE(is_unique_violation(std::runtime_error("UNIQUE constraint failed: 23505")));
  EXPECT_EQ(
      unique_violation_of(
          db, [](soci::session& s) { s << "INSERT INTO checked (id, name) VALUES (5, 'e')"; }),
      std::nullopt);
}

TEST_P(StoreTest, BackendOfASession) {
  Database db(options());
  EXPECT_EQ(db.read([](soci::session& s) { return backend_of(s); }), db.backend());
}

TEST_P(StoreTest, NullableColumnsReadAsOptional) {
  Database db(options());
  db.write([](soci::session& s) {
    s << "CREATE TABLE opt (id INTEGER PRIMARY KEY, n BIGINT, t VARCHAR(10), at_us BIGINT)";
    s << "INSERT INTO opt (id, n, t, at_us) VALUES (1, NULL, NULL, NULL)";
    s << "INSERT INTO opt (id, n, t, at_us) VALUES (2, 0, 'x', 1700000000123456)";
  });
  db.read([](soci::session& s) {
    soci::rowset<soci::row> rows = (s.prepare << "SELECT n, t, at_us FROM opt ORDER BY id");
    auto it = rows.begin();
    EXPECT_EQ(row_optional<int64_t>(*it, 0), std::nullopt);
    EXPECT_EQ(row_optional<std::string>(*it, 1), std::nullopt);
    EXPECT_EQ(row_optional<core::SystemTime>(*it, 2), std::nullopt);
    EXPECT_THROW(row_int(*it, 0), std::invalid_argument);  // no sentinel for NULL
    ++it;
    EXPECT_EQ(row_optional<int64_t>(*it, 0), std::optional<int64_t>(0));
    EXPECT_EQ(row_optional<std::string>(*it, 1), std::optional<std::string>("x"));
    EXPECT_EQ(row_time(*it, 2), core::from_unix_us(1700000000123456));
  });
}

// Platform v2 turns audit_log.at and schema_migrations.applied_at (RFC 3339 text) into µs.
TEST_P(StoreTest, PlatformV2ConvertsTimesToMicroseconds) {
  Database db(options());
  ModuleSchema v1 = platform_schema();
  ASSERT_GE(v1.migrations.size(), 2u);
  v1.migrations.resize(1);
  migrate(db, {v1, widgets(1)}, clock_);
  db.write([](soci::session& s) {
    s << "INSERT INTO audit_log (at, actor, action, subject, request_id, detail) VALUES "
         "('2023-11-14T22:13:20.123Z', 'alice', 'a.b', 'w-1', 'r-1', '{\"k\":1}')";
    s << "INSERT INTO audit_log (at, actor, action, subject, request_id, detail) VALUES "
         "('2024-02-29T23:59:59.999Z', 'bob', 'a.c', 'w-2', '', '{}')";
  });
  clock_.advance(std::chrono::seconds(5));
  auto applied = migrate(db, {platform_schema(), widgets(2)}, clock_).applied;
  ASSERT_EQ(applied.size(), 3u);  // platform v2, v3 (the hash chain), widgets v2
  EXPECT_EQ(applied[0].rfind("platform v2", 0), 0u);

  auto rows = db.read([](soci::session& s) { return read_audit(s, "", 10); });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].at, core::from_unix_us(1'700'000'000'123'000));
  EXPECT_EQ(core::format_rfc3339(rows[0].at, true), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(rows[1].detail["k"], 1);
  std::map<std::string, long long> applied_us;
  db.read([&](soci::session& s) {
    soci::rowset<soci::row> r = (s.prepare << "SELECT module, version, applied_us FROM "
                                              "schema_migrations ORDER BY module, version");
    for (auto& row : r)
      applied_us[row.get<std::string>(0) + " v" + std::to_string(row_int(row, 1))] =
          row_int(row, 2);
  });
  // Recorded as RFC 3339 seconds at v1 and converted; the later ones written as µs.
  EXPECT_EQ(applied_us["platform v1"], 1'700'000'000'000'000);
  EXPECT_EQ(applied_us["widgets v1"], 1'700'000'000'000'000);
  EXPECT_EQ(applied_us["platform v2"], 1'700'000'005'000'000);
  EXPECT_EQ(applied_us["widgets v2"], 1'700'000'005'000'000);

  // Still append-only, and new entries follow the converted ones.
  EXPECT_ANY_THROW(db.write([](soci::session& s) { s << "UPDATE audit_log SET actor = 'x'"; }));
  EXPECT_ANY_THROW(db.write([](soci::session& s) { s << "DELETE FROM audit_log"; }));
  db.write([&](soci::session& s) {
    append_audit(s, {"carol", "a.d", "w-3", "", {}}, clock_.now());
  });
  rows = db.read([](soci::session& s) { return read_audit(s, "", 10); });
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].id, 3);
  EXPECT_EQ(rows[0].at, clock_.now());
  EXPECT_TRUE(schema_status(db, {platform_schema(), widgets(2)}).current);
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

// The backend list is the same with or without REGISTRAR_TEST_PG_URL: ctest keeps the list
// gtest_discover_tests made until the executable is rebuilt, so one made without the variable
// must still hold PostgreSQL's instances. Without it, a PostgreSQL database fails, naming it.
TEST(TestBackends, BothAreListedWhateverTheEnvironment) {
  const char* set = std::getenv("REGISTRAR_TEST_PG_URL");
  const std::optional<std::string> saved = set ? std::optional<std::string>(set) : std::nullopt;
  unsetenv("REGISTRAR_TEST_PG_URL");
  EXPECT_EQ(testing::test_backends(), (std::vector<std::string>{"sqlite", "postgres"}));
  try {
    TestDatabase db("postgres");
    ADD_FAILURE() << "a PostgreSQL database without REGISTRAR_TEST_PG_URL";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("REGISTRAR_TEST_PG_URL is not set"), std::string::npos)
        << e.what();
  }
  if (saved) setenv("REGISTRAR_TEST_PG_URL", saved->c_str(), 1);
  EXPECT_EQ(testing::test_backends(), (std::vector<std::string>{"sqlite", "postgres"}));
}

}  // namespace
}  // namespace registrar::store
