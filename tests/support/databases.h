// Databases for tests: a SQLite file in a temp dir, or a fresh database on the PostgreSQL server
// named by REGISTRAR_TEST_PG_URL (scripts/test.sh starts one on a loopback port).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/database.h"
#include "support/temp_dir.h"

namespace registrar::testing {

// The backends of a parameterised suite: "sqlite" and "postgres", always, so that the list of
// tests ctest keeps is the same with or without REGISTRAR_TEST_PG_URL. A "postgres" instance run
// without it fails (TestDatabase throws, naming the variable); it is never skipped.
std::vector<std::string> test_backends();

// A database that exists for the lifetime of this object.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& backend);
  ~TestDatabase();
  const std::string& url() const { return url_; }
  const std::string& backend() const { return backend_; }
  // Options for a store::Database on this database with a small pool (tests).
  store::DatabaseOptions options(int pool_size = 2) const {
    store::DatabaseOptions o;
    o.url = url_;
    o.pool_size = pool_size;
    return o;
  }
  // The first column of the first row of `sql` as an integer, read on a connection of its own
  // (a process under test may hold the others): counts, PRAGMAs.
  int64_t scalar(const std::string& sql) const;

 private:
  std::string backend_;
  std::string url_;
  std::string pg_name_;
  std::unique_ptr<TempDir> dir_;
};

}  // namespace registrar::testing
