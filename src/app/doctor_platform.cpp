// The platform's part of `registrar doctor` (app/doctor.h): files, database, schema, clock; then
// each module's Module::doctor.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <memory>

#include "app/app.h"
#include "core/error.h"
#include "store/migrations.h"

namespace registrar::app {

namespace {

// The database's clock against ours. Only PostgreSQL has its own: SQLite reads this host's.
void check_clock(store::Database& db, DoctorReport& report) {
  if (db.backend() != store::Backend::kPostgres)
    return report.ok("database clock", "SQLite: this host's clock");
  double db_seconds = db.read([](soci::session& s) {
    double v = 0;
    s << "SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8", soci::into(v);
    return v;
  });
  double ours =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  double skew_ms = std::abs(ours - db_seconds) * 1000;
  std::string detail = std::to_string(int64_t(skew_ms)) + " ms apart";
  // Token expiry, challenge TTLs and delta windows tolerate seconds, not minutes.
  if (skew_ms > 30'000)
    report.fail("database clock", detail + " (fix NTP on this host or the database's)");
  else if (skew_ms > 1'000)
    report.warn("database clock", detail);
  else
    report.ok("database clock", detail);
}

}  // namespace

void App::doctor(const core::Config& config, DoctorReport& report) {
  if (!config.str("server.tls_key_file").empty())
    report.secret_file("server.tls_key_file", config.str("server.tls_key_file"));
  if (!config.str("log.file").empty()) {
    std::string file = config.str("log.file");
    auto slash = file.rfind('/');
    std::string dir = slash == std::string::npos ? "." : file.substr(0, slash + 1);
    if (::access(file.c_str(), W_OK) == 0 || ::access(dir.c_str(), W_OK) == 0)
      report.ok("log.file", file + " is writable");
    else
      report.fail("log.file", file + ": neither it nor its directory is writable");
  }

  std::unique_ptr<store::Database> db;
  bool schema_current = false;
  store::DatabaseOptions options = database_options(config);
  options.pool_size = 1;
  try {
    db = std::make_unique<store::Database>(options);
    auto started = std::chrono::steady_clock::now();
    if (!db->ping()) throw std::runtime_error("it does not answer");
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    report.ok("database", db->redacted_url() + " answered in " + std::to_string(us / 1000) + "." +
                              std::to_string(us % 1000 / 100) + " ms");
  } catch (const std::exception& e) {
    report.fail("database", options.url.substr(0, options.url.find(':')) +
                                " database: " + core::loggable_message(e));
    db.reset();
  }
  if (db) {
    store::SchemaStatus st = store::schema_status(*db, module_schemas());
    schema_current = st.current;
    if (st.current) {
      report.ok("schema", "current for " + std::to_string(modules_.size() + 1) +
                              " parts (platform and modules)");
    } else {
      std::string problems;
      for (auto& p : st.problems) problems += (problems.empty() ? "" : "; ") + p;
      report.fail("schema", problems + " (run `registrar db migrate`)");
    }
    try {
      check_clock(*db, report);
    } catch (const std::exception& e) {
      report.fail("database clock", core::loggable_message(e));
    }
  }
  DoctorContext ctx{config, db.get(), schema_current};
  for (auto& m : modules_) {
    try {
      m->doctor(ctx, report);
    } catch (const std::exception& e) {
      report.fail(m->name(), "its checks failed: " + core::loggable_message(e));
    }
  }
}

}  // namespace registrar::app
