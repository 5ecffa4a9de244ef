#include "store/migrations.h"

#include <map>

#include "core/error.h"
#include "core/log.h"

namespace registrar::store {
namespace {

// The table as the first release created it. Its shape is frozen here (an existing database has
// it) and platform v2 converts it like any other table, so every database has been through the
// same steps.
constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " module VARCHAR(64) NOT NULL,"
    " version INTEGER NOT NULL,"
    " description VARCHAR(255) NOT NULL,"
    " applied_at VARCHAR(40) NOT NULL,"
    " PRIMARY KEY (module, version))";

// From this platform version on, schema_migrations records applied_us (µs since the epoch)
// instead of applied_at (RFC 3339 text).
constexpr int kPlatformTimesInMicros = 2;

// PostgreSQL advisory lock key for migrations ("regmigr" in ASCII, as a number).
constexpr long long kAdvisoryKey = 0x7265676d696772LL;

std::map<std::string, int> current_versions(soci::session& s) {
  std::map<std::string, int> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT module, MAX(version) FROM schema_migrations GROUP BY module");
  for (auto& r : rows) out[r.get<std::string>(0)] = int(row_int(r, 1));
  return out;
}

void check_sequence(const ModuleSchema& m) {
  for (size_t i = 0; i < m.migrations.size(); ++i)
    if (m.migrations[i].version != int(i + 1))
      throw std::logic_error("migrations of module " + m.module + " must be numbered 1, 2, 3...");
}

}  // namespace

MigrationResult migrate(Database& db, const std::vector<ModuleSchema>& schemas,
                        const core::Clock& clock) {
  MigrationResult result;
  auto lease = db.acquire();
  soci::session& s = *lease;
  bool pg = db.backend() == Backend::kPostgres;
  // Lock first: concurrent CREATE TABLE IF NOT EXISTS races in PostgreSQL's catalog.
  if (pg) s << "SELECT pg_advisory_lock(" + std::to_string(kAdvisoryKey) + ")";
  struct Unlock {
    soci::session& s;
    bool pg;
    ~Unlock() {
      if (!pg) return;
      try {
        s << "SELECT pg_advisory_unlock(" + std::to_string(kAdvisoryKey) + ")";
      } catch (...) {
      }
    }
  } unlock{s, pg};
  s << kCreateTable;

  for (const ModuleSchema& m : schemas) {
    check_sequence(m);
    // Read inside the lock: another instance may have migrated while we waited.
    auto versions = current_versions(s);
    int have = versions.count(m.module) ? versions[m.module] : 0;
    int known = int(m.migrations.size());
    if (have > known)
      throw core::Error(core::ErrorKind::kConflict,
                        "database schema of module '" + m.module + "' is at version " +
                            std::to_string(have) + " but this registrar knows only up to " +
                            std::to_string(known) + "; upgrade registrar");
    for (int v = have + 1; v <= known; ++v) {
      const Migration& mig = m.migrations[size_t(v - 1)];
      Database::Transaction tx(s, db.backend());
      // Another process may have applied it between our read and our lock (SQLite has no
      // advisory lock; BEGIN IMMEDIATE serialises writers, so re-check inside the transaction).
      int exists = 0;
      s << "SELECT COUNT(*) FROM schema_migrations WHERE module = :m AND version = :v",
          soci::use(m.module), soci::use(v), soci::into(exists);
      if (exists) {
        tx.commit();
        continue;
      }
      const auto& stmts =
          (pg && !mig.postgres_statements.empty()) ? mig.postgres_statements : mig.statements;
      for (const auto& sql : stmts) s << sql;
      // The record goes into the shape the table has now (platform v2 itself converts it), read
      // in this transaction: another process may have moved the platform on meanwhile.
      int platform = v;
      if (m.module != "platform") {
        soci::indicator ind = soci::i_null;
        s << "SELECT MAX(version) FROM schema_migrations WHERE module = 'platform'",
            soci::into(platform, ind);
        if (ind == soci::i_null) platform = 0;
      }
      if (platform >= kPlatformTimesInMicros) {
        long long at = core::to_unix_us(clock.now());
        s << "INSERT INTO schema_migrations (module, version, description, applied_us) "
             "VALUES (:m, :v, :d, :a)",
            soci::use(m.module), soci::use(v), soci::use(mig.description), soci::use(at);
      } else {
        std::string at = core::format_rfc3339(clock.now());
        s << "INSERT INTO schema_migrations (module, version, description, applied_at) "
             "VALUES (:m, :v, :d, :a)",
            soci::use(m.module), soci::use(v), soci::use(mig.description), soci::use(at);
      }
      tx.commit();
      std::string line = m.module + " v" + std::to_string(v) + ": " + mig.description;
      log::info("migration_applied",
                {{"module", m.module}, {"version", v}, {"description", mig.description}});
      result.applied.push_back(line);
    }
  }
  return result;
}

SchemaStatus schema_status(Database& db, const std::vector<ModuleSchema>& schemas) {
  SchemaStatus st;
  try {
    auto lease = db.acquire();
    int tables = 0;
    if (db.backend() == Backend::kSqlite) {
      *lease
          << "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'",
          soci::into(tables);
    } else {
      *lease
          << "SELECT COUNT(*) FROM information_schema.tables WHERE table_name='schema_migrations'",
          soci::into(tables);
    }
    std::map<std::string, int> versions;
    if (tables) versions = current_versions(*lease);
    for (const ModuleSchema& m : schemas) {
      int have = versions.count(m.module) ? versions[m.module] : 0;
      int want = int(m.migrations.size());
      if (have > want) st.newer = true;
      if (have != want)
        st.problems.push_back(m.module + ": database at v" + std::to_string(have) +
                              ", binary expects v" + std::to_string(want));
    }
  } catch (const std::exception& e) {
    st.problems.push_back(std::string("database error: ") + e.what());
  }
  st.current = st.problems.empty();
  return st;
}

ModuleSchema platform_schema() {
  Migration audit;
  audit.version = 1;
  audit.description = "append-only audit log";
  audit.statements = {
      "CREATE TABLE audit_log ("
      " id INTEGER PRIMARY KEY AUTOINCREMENT,"
      " at VARCHAR(40) NOT NULL,"
      " actor VARCHAR(255) NOT NULL,"
      " action VARCHAR(128) NOT NULL,"
      " subject VARCHAR(512) NOT NULL,"
      " request_id VARCHAR(128) NOT NULL,"
      " detail TEXT NOT NULL)",
      "CREATE INDEX audit_log_subject ON audit_log (subject)",
      "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
      "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
      "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
      "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
  };
  audit.postgres_statements = {
      "CREATE TABLE audit_log ("
      " id BIGSERIAL PRIMARY KEY,"
      " at VARCHAR(40) NOT NULL,"
      " actor VARCHAR(255) NOT NULL,"
      " action VARCHAR(128) NOT NULL,"
      " subject VARCHAR(512) NOT NULL,"
      " request_id VARCHAR(128) NOT NULL,"
      " detail TEXT NOT NULL)",
      "CREATE INDEX audit_log_subject ON audit_log (subject)",
      "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
      "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
      "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
      "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
  };

  // Times as µs since the epoch (docs/ARCHITECTURE.md, "Storage conventions"): audit_log.at and
  // schema_migrations.applied_at were RFC 3339 text. The append-only triggers are dropped first
  // and recreated last, inside this migration's transaction, so no other writer ever sees the log
  // unprotected. SQLite cannot change a column's type (a BIGINT value in a VARCHAR column would be
  // stored as text), so its tables are rebuilt and copied; PostgreSQL converts in place.
  Migration times;
  times.version = 2;
  times.description = "times as microseconds since the epoch (audit_log.at_us, applied_us)";
  // strftime('%s') is whole seconds (it honours 'Z' and offsets); '%f' is "SS.SSS".
  auto lite_us = [](const std::string& col) {
    return "CAST(strftime('%s', " + col +
           ") AS INTEGER) * 1000000 + CAST(ROUND(CAST(strftime('%f', " + col +
           ") AS REAL) * 1000) AS INTEGER) % 1000 * 1000";
  };
  auto pg_us = [](const std::string& col) {
    return "ROUND(EXTRACT(EPOCH FROM CAST(" + col + " AS TIMESTAMPTZ)) * 1000000)::BIGINT";
  };
  times.statements = {
      "DROP TRIGGER audit_log_no_update",
      "DROP TRIGGER audit_log_no_delete",
      "CREATE TABLE audit_log_v2 ("
      " id INTEGER PRIMARY KEY AUTOINCREMENT,"
      " at_us BIGINT NOT NULL,"
      " actor VARCHAR(255) NOT NULL,"
      " action VARCHAR(128) NOT NULL,"
      " subject VARCHAR(512) NOT NULL,"
      " request_id VARCHAR(128) NOT NULL,"
      " detail TEXT NOT NULL)",
      "INSERT INTO audit_log_v2 (id, at_us, actor, action, subject, request_id, detail) "
      "SELECT id, " +
          lite_us("at") + ", actor, action, subject, request_id, detail FROM audit_log",
      "DROP TABLE audit_log",
      "ALTER TABLE audit_log_v2 RENAME TO audit_log",
      "CREATE INDEX audit_log_subject ON audit_log (subject)",
      "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
      "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
      "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
      "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
      "CREATE TABLE schema_migrations_v2 ("
      " module VARCHAR(64) NOT NULL,"
      " version INTEGER NOT NULL,"
      " description VARCHAR(255) NOT NULL,"
      " applied_us BIGINT NOT NULL,"
      " PRIMARY KEY (module, version))",
      "INSERT INTO schema_migrations_v2 (module, version, description, applied_us) "
      "SELECT module, version, description, " +
          lite_us("applied_at") + " FROM schema_migrations",
      "DROP TABLE schema_migrations",
      "ALTER TABLE schema_migrations_v2 RENAME TO schema_migrations",
  };
  times.postgres_statements = {
      "DROP TRIGGER audit_log_no_change ON audit_log",
      "ALTER TABLE audit_log ALTER COLUMN at TYPE BIGINT USING " + pg_us("at"),
      "ALTER TABLE audit_log RENAME COLUMN at TO at_us",
      "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
      "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
      "ALTER TABLE schema_migrations ALTER COLUMN applied_at TYPE BIGINT USING " +
          pg_us("applied_at"),
      "ALTER TABLE schema_migrations RENAME COLUMN applied_at TO applied_us",
  };
  // The server's own request id beside the client's, and the hash chain (store/audit_chain.h,
  // docs/security.md). Existing rows keep NULL in all three: the chain starts after them. Hashing
  // them here would vouch for rows nothing protected until now, and SQLite has no SHA-256 in SQL.
  // No unique index on prev_hash to refuse a fork at insert: on SQLite it made a 100-entry
  // transaction 3.5 times slower (bench/store/audit_bench); the lock keeps the chain linear and
  // `audit verify` finds a fork as a prev_hash break.
  // ADD COLUMN fires no UPDATE trigger, so the append-only triggers stay in place.
  Migration chain;
  chain.version = 3;
  chain.description = "audit_log: server_request_id, hash chain (prev_hash, hash)";
  chain.statements = {
      "ALTER TABLE audit_log ADD COLUMN server_request_id VARCHAR(128)",
      "ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR(64)",
      "ALTER TABLE audit_log ADD COLUMN hash VARCHAR(64)",
  };
  return {"platform", {audit, times, chain}};
}

}  // namespace registrar::store
