#include "core/error.h"

#include <gtest/gtest.h>

namespace registrar::core {
namespace {

TEST(LoggableMessage, LeavesOutBoundValuesAndPostgresDetails) {
  // SQLite through SOCI: the statement stays, the values go.
  EXPECT_EQ(
      loggable_message(
          "sqlite3_statement_backend::prepare: no such table: t while preparing \"INSERT INTO "
          "t (a, b) VALUES (:a, :b)\" with :1=\"12345678Z\", :2=\"Maria\nPuig\"."),
      "sqlite3_statement_backend::prepare: no such table: t while preparing \"INSERT INTO "
      "t (a, b) VALUES (:a, :b)\" (bound values left out)");
  // PostgreSQL: its DETAIL line names the key's value.
  EXPECT_EQ(
      loggable_message("Cannot execute query. Fatal error. ERROR:  duplicate key value "
                       "violates unique constraint \"p_pkey\"\nDETAIL:  Key (nif)=(12345678Z) "
                       "already exists.\n while executing \"INSERT INTO p (nif) VALUES (:n)\" "
                       "with :n=\"12345678Z\"."),
      "Cannot execute query. Fatal error. ERROR:  duplicate key value violates unique "
      "constraint \"p_pkey\"\nDETAIL: (left out)\n while executing \"INSERT INTO p (nif) "
      "VALUES (:n)\" (bound values left out)");
  // Other messages pass unchanged.
  EXPECT_EQ(loggable_message("connection refused\nretrying"), "connection refused\nretrying");
  EXPECT_EQ(loggable_message(""), "");
  std::runtime_error e("x \"SELECT 1\" with :a=\"secret\"");
  EXPECT_EQ(loggable_message(e), "x \"SELECT 1\" (bound values left out)");
}

}  // namespace
}  // namespace registrar::core
