#include "app/backup_cli.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "app/app.h"
#include "core/error.h"
#include "store/database.h"

namespace registrar::app {

namespace {

namespace fs = std::filesystem;

constexpr const char* kPostgresProcedure =
    "the database is PostgreSQL: back it up with its own tools, e.g.\n"
    "  pg_dump --format=custom --file=registrar.dump \"$URL\"\n"
    "and restore into an empty database with\n"
    "  pg_restore --dbname=\"$URL\" --no-owner registrar.dump\n"
    "then, before serving, run `registrar after-restore` against it\n"
    "(docs/operations.md, \"Backup and restore\")\n";

// SQL text for a string literal (VACUUM INTO takes an expression; a literal keeps it portable
// across SQLite versions).
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

store::DatabaseOptions one_session(const core::Config& config, const std::string& url) {
  store::DatabaseOptions o = database_options(config);
  o.url = url;
  o.pool_size = 1;
  return o;
}

void remove_staged(const std::string& staged) {
  std::error_code ignored;
  fs::remove(staged, ignored);
  fs::remove(staged + "-wal", ignored);
  fs::remove(staged + "-shm", ignored);
}

}  // namespace

int run_backup(const core::Config& config, const std::string& file, std::ostream& out) {
  store::DatabaseOptions options = database_options(config);
  if (store::backend_of(options.url) != store::Backend::kSqlite) {
    out << kPostgresProcedure;
    return 2;
  }
  if (fs::exists(file))
    throw core::Error(core::ErrorKind::kConflict,
                      file + " exists: name a new file (a backup never overwrites)", "file");
  options.pool_size = 1;
  store::Database db(options);
  db.read([&](soci::session& s) { s << "VACUUM INTO " + quoted(file); });
  // The copy holds issued identifiers and keys sealed by the master key: owner only.
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  out << "backed up " << store::sqlite_path(options.url) << " to " << file << " ("
      << fs::file_size(file) << " bytes)\n"
      << "the master key (identity.master_key_file) is not in it: keep a copy of it apart\n";
  return 0;
}

void App::after_restore(const core::Config& config, std::ostream& out) {
  store::DatabaseOptions options = database_options(config);
  options.pool_size = 1;
  store::Database db(options);
  auto applied = store::migrate(db, module_schemas(), core::SystemClock::instance()).applied;
  for (const auto& line : applied) out << "applied " << line << "\n";
  const int64_t now_us = core::to_unix_us(core::SystemClock::instance().now());
  db.write([&](soci::session& s) {
    RestoreContext ctx{config, s, db.backend(), now_us};
    for (auto& m : modules_) m->after_restore(ctx, out);
  });
}

int run_restore(App& app, const core::Config& config, const std::string& file, bool force,
                std::ostream& out) {
  const std::vector<store::ModuleSchema> schemas = app.module_schemas();
  store::DatabaseOptions options = database_options(config);
  if (store::backend_of(options.url) != store::Backend::kSqlite) {
    out << kPostgresProcedure;
    return 2;
  }
  if (!fs::is_regular_file(file))
    throw core::Error(core::ErrorKind::kNotFound, file + " is not a file", "file");
  std::string target = store::sqlite_path(options.url);
  if (fs::exists(target) && !force)
    throw core::Error(core::ErrorKind::kConflict,
                      target + " exists: stop the server, then restore with --force to replace it",
                      "force");

  // Check a copy next to the target (same file system, so the final step is one rename), never
  // the backup itself: opening it would turn on WAL and write to it.
  std::string staged = target + ".restoring";
  fs::copy_file(file, staged, fs::copy_options::overwrite_existing);
  try {
    store::Database candidate(one_session(config, "sqlite:" + staged));
    std::string integrity;
    candidate.read([&](soci::session& s) { s << "PRAGMA integrity_check", soci::into(integrity); });
    if (integrity != "ok")
      throw core::Error(core::ErrorKind::kInvalidArgument,
                        file + " fails SQLite's integrity check: " + integrity, "file");
    int registrar_tables = 0;
    candidate.read([&](soci::session& s) {
      s << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
           "'schema_migrations'",
          soci::into(registrar_tables);
    });
    if (registrar_tables == 0)
      throw core::Error(core::ErrorKind::kInvalidArgument,
                        file + " is not a registrar database (no schema_migrations table)", "file");
    store::SchemaStatus st = store::schema_status(candidate, schemas);
    if (st.newer)
      throw core::Error(core::ErrorKind::kInvalidArgument,
                        file + " was written by a newer registrar: use that version", "file");
  } catch (...) {
    remove_staged(staged);
    throw;
  }
  try {
    // What the backup cannot know it lost (IDs issued after it was taken): the modules move on
    // past it, in the staged copy, so a failure leaves the current database untouched.
    core::Config staged_config = config;
    staged_config.set("database.url", "sqlite:" + staged);
    app.after_restore(staged_config, out);
    store::Database candidate(one_session(config, "sqlite:" + staged));
    candidate.read([](soci::session& s) { s << "PRAGMA wal_checkpoint(TRUNCATE)"; });
  } catch (...) {
    remove_staged(staged);
    throw;
  }
  std::error_code ignored;
  fs::remove(staged + "-wal", ignored);
  fs::remove(staged + "-shm", ignored);
  // The old database's journal belongs to the old file: left beside the new one, SQLite would
  // replay it into the restored database.
  fs::remove(target + "-wal", ignored);
  fs::remove(target + "-shm", ignored);
  fs::rename(staged, target);
  out << "restored " << target << " from " << file << "\n"
      << "start the server with the master key that was in use when the backup was taken\n";
  return 0;
}

}  // namespace registrar::app
