// store::Database on a PostgreSQL that stops and starts again (the test's own server): while it
// is down, reads and writes throw core::Error(kUnavailable) — what the HTTP layer answers with
// 503 and Retry-After — and ping() is false; when it is back, the same Database works again
// without being reopened.
#include <gtest/gtest.h>

#include "core/error.h"
#include "own_postgres.h"
#include "store/database.h"

namespace registrar::reliability {
namespace {

// The kind of core::Error `f` threw; fails the test when it threw something else or nothing.
template <class F>
std::optional<core::ErrorKind> error_kind(F&& f) {
  try {
    f();
  } catch (const core::Error& e) {
    return e.kind();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a core::Error: " << e.what();
    return std::nullopt;
  }
  ADD_FAILURE() << "nothing thrown";
  return std::nullopt;
}

class PostgresReconnectTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PostgresReconnectTest, ALostServerIsUnavailableAndTheSessionsReconnectWhenItIsBack) {
  OwnPostgres pg;
  store::DatabaseOptions o;
  o.url = pg.url();
  o.pool_size = 2;
  store::Database db(o);
  db.write([](soci::session& s) { s << "CREATE TABLE t (n INTEGER)"; });
  auto insert = [&](int n) {
    db.write([n](soci::session& s) { s << "INSERT INTO t VALUES (" << n << ")"; });
  };
  auto count = [&] {
    return db.read([](soci::session& s) {
      int n = 0;
      s << "SELECT COUNT(*) FROM t", soci::into(n);
      return n;
    });
  };
  insert(1);
  insert(2);
  ASSERT_EQ(count(), 2);

  pg.stop();
  // Each pooled session meets the lost server (the first use of each fails on its statement,
  // the next on reconnecting): unavailable, every time.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(error_kind([&] { count(); }), core::ErrorKind::kUnavailable) << i;
    EXPECT_EQ(error_kind([&] { insert(3); }), core::ErrorKind::kUnavailable) << i;
  }
  EXPECT_FALSE(db.ping());

  pg.start();
  EXPECT_TRUE(db.ping());
  insert(4);
  insert(5);
  EXPECT_EQ(count(), 4);  // 1, 2, 4, 5: nothing written while the server was down
}

INSTANTIATE_TEST_SUITE_P(reliability, PostgresReconnectTest, ::testing::Values("own_postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::reliability
