#include "support/databases.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include "core/random.h"
#include "store/database.h"

namespace registrar::testing {
namespace {

const char* pg_admin_url() {
  return std::getenv("REGISTRAR_TEST_PG_URL");
}

// Same server, other database name: replaces the path of a postgresql:// URL.
std::string with_database(const std::string& url, const std::string& name) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme + 3);
  auto query = url.find('?');
  std::string base = slash == std::string::npos ? url : url.substr(0, slash);
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + name + tail;
}

}  // namespace

std::vector<std::string> test_backends() {
  // Both, whatever the environment: the list of tests must not depend on it. ctest keeps the
  // list gtest_discover_tests made (PRE_TEST) until the executable is rebuilt, so a list made
  // once without REGISTRAR_TEST_PG_URL left PostgreSQL's instances out of later runs that had it.
  return {"sqlite", "postgres"};
}

TestDatabase::TestDatabase(const std::string& backend) : backend_(backend) {
  if (backend == "sqlite") {
    dir_ = std::make_unique<TempDir>();
    url_ = "sqlite:" + dir_->file("test.db");
    return;
  }
  if (backend != "postgres") throw std::invalid_argument("unknown test backend " + backend);
  const char* admin = pg_admin_url();
  // Not a skip: CI always sets it, and a run that meant to cover PostgreSQL must not pass
  // without it.
  if (!admin)
    throw std::runtime_error(
        "REGISTRAR_TEST_PG_URL is not set: start a server with scripts/pg-test-server.sh start and "
        "export the URL it prints, or leave PostgreSQL's tests out (ctest -E '[Pp]ostgres')");
  std::string token = core::random_token(9);
  pg_name_ = "t_";
  for (char c : token) pg_name_ += std::isalnum((unsigned char)c) ? char(std::tolower(c)) : '_';
  soci::session s(soci::postgresql, store::postgres_conninfo(admin));
  s << "CREATE DATABASE " + pg_name_;
  url_ = with_database(admin, pg_name_);
}

TestDatabase::~TestDatabase() {
  if (pg_name_.empty()) return;
  try {
    soci::session s(soci::postgresql, store::postgres_conninfo(pg_admin_url()));
    s << "DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)";
  } catch (...) {
  }
}

int64_t TestDatabase::scalar(const std::string& sql) const {
  store::Database db(options(1));
  return db.read([&](soci::session& s) {
    long long n = 0;
    s << sql, soci::into(n);
    return int64_t(n);
  });
}

}  // namespace registrar::testing
