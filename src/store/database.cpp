#include "store/database.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "core/secret_file.h"

namespace registrar::store {

std::string redact_url(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) {
    // Key=value connection strings: hide password=...
    auto p = url.find("password=");
    if (p == std::string::npos) return url;
    auto end = url.find(' ', p);
    return url.substr(0, p) + "password=***" + (end == std::string::npos ? "" : url.substr(end));
  }
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

Backend backend_of(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) return Backend::kSqlite;
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    return Backend::kPostgres;
  throw core::invalid_argument(
      "database URL must start with sqlite: or postgresql://, got '" + redact_url(url) + "'",
      "database.url");
}

std::string sqlite_path(const std::string& url) {
  std::string rest = url.substr(7);  // after "sqlite:"
  if (rest.rfind("//", 0) == 0) rest = rest.substr(2);
  if (rest.empty()) throw core::invalid_argument("sqlite URL names no file", "database.url");
  return rest;
}

namespace {

// A plain file name, not SQLite's in-memory database or a URI filename.
bool is_file_path(const std::string& path) {
  return path != ":memory:" && path.rfind("file:", 0) != 0;
}

std::string percent_decoded(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      out += char(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

// libpq keyword value, quoted as libpq wants (single quotes, backslash escapes).
std::string conninfo_value(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// Whether libpq holds a PostgreSQL session's connection as broken (no round trip): after the
// server went away, the first statement fails and libpq marks the connection bad.
bool postgres_connection_lost(soci::session& s) {
  auto* pg = static_cast<soci::postgresql_session_backend*>(s.get_backend());
  return !pg || PQstatus(pg->conn_) != CONNECTION_OK;
}

}  // namespace

std::string postgres_conninfo(const std::string& url) {
  // SOCI 4.0 rewrites the connection string it is given (it looks for its own options in it),
  // which mangles libpq URIs; so the URI is turned into libpq's keyword=value form here.
  auto scheme_end = url.find("://");
  std::string rest = url.substr(scheme_end + 3);
  std::string query;
  if (auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string dbname;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    dbname = percent_decoded(rest.substr(slash + 1));
    rest = rest.substr(0, slash);
  }
  std::string user, password;
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    user = percent_decoded(userinfo.substr(0, colon));
    if (colon != std::string::npos) password = percent_decoded(userinfo.substr(colon + 1));
  }
  std::string host = rest, port;
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  std::string out;
  auto add = [&out](const std::string& k, const std::string& v) {
    if (v.empty()) return;
    if (!out.empty()) out += ' ';
    out += k + "=" + conninfo_value(v);
  };
  add("host", percent_decoded(host));
  add("port", port);
  add("dbname", dbname);
  add("user", user);
  add("password", password);
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(pos, amp - pos);
    auto eq = pair.find('=');
    if (eq != std::string::npos)
      add(percent_decoded(pair.substr(0, eq)), percent_decoded(pair.substr(eq + 1)));
    pos = amp + 1;
  }
  return out;
}

Database::Database(DatabaseOptions options)
    : backend_(backend_of(options.url)),
      redacted_url_(redact_url(options.url)),
      options_(std::move(options)) {
  std::string connect;
  const soci::backend_factory* factory;
  if (backend_ == Backend::kSqlite) {
    std::string path = sqlite_path(options_.url);
    auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    // Mode 0600 before SQLite makes it 0644; its -wal and -shm files copy the database's mode.
    if (is_file_path(path)) core::create_private_file(path);
    connect = "db=" + (path.find(' ') == std::string::npos ? path : "\"" + path + "\"");
    factory = &soci::sqlite3;
  } else {
    connect = postgres_conninfo(options_.url);
    factory = &soci::postgresql;
  }
  try {
    for (int i = 0; i < std::max(1, options_.pool_size); ++i) {
      auto s = std::make_unique<soci::session>(*factory, connect);
      if (backend_ == Backend::kSqlite) configure_sqlite(*s);
      sessions_.push_back(std::move(s));
      free_.push_back(size_t(i));
      session_read_only_.push_back(0);
    }
  } catch (const std::exception& e) {
    throw core::Error(core::ErrorKind::kUnavailable,
                      "cannot open database " + redacted_url_ + ": " + e.what());
  }
  read_only_ = options_.read_only;
}

void Database::apply_read_only(size_t index) {
  const bool want = read_only_;
  if (bool(session_read_only_[index]) == want) return;
  soci::session& s = *sessions_[index];
  if (backend_ == Backend::kSqlite)
    s << std::string("PRAGMA query_only = ") + (want ? "ON" : "OFF");
  else
    s << std::string("SET default_transaction_read_only = ") + (want ? "on" : "off");
  session_read_only_[index] = want;
}

Database::~Database() = default;

void Database::configure_sqlite(soci::session& s) {
  // WAL lets readers proceed during a write; synchronous=FULL makes each commit durable (fsync of
  // the WAL) because issued identifiers and audit records must survive power loss.
  // Extended result codes tell a unique violation (SQLITE_CONSTRAINT_UNIQUE) from the other
  // constraint failures, which share the primary code; is_unique_violation relies on them.
  // SOCI 4.0 passes sqlite3_step's code on as sqlite3_soci_error::result().
  auto* lite = static_cast<soci::sqlite3_session_backend*>(s.get_backend());
  sqlite_api::sqlite3_extended_result_codes(lite->conn_, 1);
  s << "PRAGMA busy_timeout = " + std::to_string(options_.busy_timeout.count());
  std::string mode;
  s << "PRAGMA journal_mode", soci::into(mode);  // WAL is a property of the file, kept once set
  // Switching a new file to WAL takes a lock that SQLite may refuse at once (SQLITE_BUSY, without
  // the busy handler) while another connection is opening the same file, as several instances or
  // a pool starting together do: retry within the busy timeout.
  const auto deadline = std::chrono::steady_clock::now() + options_.busy_timeout;
  while (mode != "wal") {
    try {
      s << "PRAGMA journal_mode = WAL", soci::into(mode);
      break;  // whatever it answers (an in-memory database stays "memory")
    } catch (const soci::soci_error&) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  s << "PRAGMA synchronous = FULL";
  // SQLite's default page cache (2 MiB) holds a small part of a primary-key index that grows by
  // IDs spread over their whole space, so each insert reads its leaf back from the file (a
  // pread per row). A negative size is in KiB; the cache grows only as pages are used.
  s << "PRAGMA cache_size = -" + std::to_string(int64_t(options_.sqlite_cache_mib) * 1024);
  s << "PRAGMA foreign_keys = ON";
  if (options_.sqlite_max_size_mib > 0) {
    // In pages of this file; SQLite keeps the cap at the current size when the file is larger.
    long long page_size = 4096;
    s << "PRAGMA page_size", soci::into(page_size);
    const int64_t pages =
        options_.sqlite_max_size_mib * 1024 * 1024 / std::max<int64_t>(1, page_size);
    s << "PRAGMA max_page_count = " + std::to_string(std::max<int64_t>(1, pages));
  }
}

Database::Lease::~Lease() {
  if (!db_) return;
  {
    core::MutexLock lock(db_->mu_);
    db_->free_.push_back(index_);
  }
  db_->cv_.notify_one();
}

Database::Lease Database::acquire() {
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  size_t index = 0;
  {
    core::MutexLock lock(mu_);
    while (free_.empty()) {
      if (!cv_.wait_until(mu_, deadline) && free_.empty())
        throw core::Error(core::ErrorKind::kUnavailable,
                          "database busy: no free connection within " +
                              std::to_string(options_.acquire_timeout.count()) + " ms");
    }
    index = free_.back();
    free_.pop_back();
  }
  Lease lease(this, index);  // from here the session goes back to the pool whatever happens
  // A new connection has none of the old one's session settings (read-only among them).
  if (backend_ == Backend::kPostgres && reconnect_if_lost(*lease))
    session_read_only_[index] = false;
  apply_read_only(index);
  return lease;
}

bool Database::connection_lost(soci::session& s) const {
  return backend_ == Backend::kPostgres && postgres_connection_lost(s);
}

bool Database::reconnect_if_lost(soci::session& s) {
  if (!connection_lost(s)) return false;
  try {
    s.reconnect();
  } catch (const std::exception& e) {
    log::warn("database_reconnect_failed",
              {{"database", redacted_url_}, {"error", core::loggable_message(e)}});
    throw core::Error(core::ErrorKind::kUnavailable, "database unavailable; retry later");
  }
  log::info("database_reconnected", {{"database", redacted_url_}});
  return true;
}

void Database::rethrow_as_unavailable_if_lost(soci::session& s) const {
  if (!connection_lost(s)) throw;
  try {
    throw;
  } catch (const std::exception& e) {
    log::warn("database_connection_lost",
              {{"database", redacted_url_}, {"error", core::loggable_message(e)}});
  } catch (...) {
    log::warn("database_connection_lost", {{"database", redacted_url_}});
  }
  throw core::Error(core::ErrorKind::kUnavailable, "database unavailable; retry later");
}

size_t Database::in_use() const {
  core::MutexLock lock(mu_);
  return sessions_.size() - free_.size();
}

void Database::register_metrics(core::Metrics& metrics) {
  metrics.gauge("registrar_db_pool_size", "Database sessions in the pool.",
                [this] { return double(pool_size()); });
  metrics.gauge("registrar_db_pool_in_use", "Database sessions leased right now.",
                [this] { return double(in_use()); });
}

bool Database::ping() {
  try {
    auto lease = acquire();
    int one = 0;
    *lease << "SELECT 1", soci::into(one);
    return one == 1;
  } catch (const std::exception& e) {
    log::warn("database_ping_failed", {{"error", core::loggable_message(e)}});
    return false;
  }
}

Database::Transaction::Transaction(soci::session& s, Backend b) : s_(s) {
  s_ << (b == Backend::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Database::Transaction::~Transaction() {
  if (done_) return;
  // A PostgreSQL server that went away has ended the transaction with the connection.
  if (backend_of(s_) == Backend::kPostgres && postgres_connection_lost(s_)) return;
  // After SQLITE_FULL (among others) SQLite may have rolled the transaction back itself; a
  // ROLLBACK then fails ("no transaction is active") and would log an error for nothing.
  if (backend_of(s_) == Backend::kSqlite) {
    auto* lite = static_cast<soci::sqlite3_session_backend*>(s_.get_backend());
    if (sqlite_api::sqlite3_get_autocommit(lite->conn_)) return;
  }
  try {
    s_ << "ROLLBACK";
  } catch (const std::exception& e) {
    log::error("rollback_failed", {{"error", core::loggable_message(e)}});
  }
}

void Database::Transaction::commit() {
  s_ << "COMMIT";
  done_ = true;
}

Backend backend_of(soci::session& session) {
  // SOCI names its backends "sqlite3" and "postgresql"; the Database opens no other.
  return session.get_backend_name() == "postgresql" ? Backend::kPostgres : Backend::kSqlite;
}

int64_t row_int(const soci::row& row, size_t column) {
  if (row.get_indicator(column) == soci::i_null)
    throw std::invalid_argument("column " + std::to_string(column) +
                                " is NULL; read it with row_optional");
  switch (row.get_properties(column).get_data_type()) {
    case soci::dt_integer:
      return row.get<int>(column);
    case soci::dt_long_long:
      return row.get<long long>(column);
    case soci::dt_unsigned_long_long:
      return int64_t(row.get<unsigned long long>(column));
    case soci::dt_double:
      return int64_t(row.get<double>(column));
    case soci::dt_string:
      return std::stoll(row.get<std::string>(column));
    default:
      throw std::runtime_error("column " + std::to_string(column) + " is not an integer");
  }
}

template <>
std::optional<int64_t> row_optional<int64_t>(const soci::row& row, size_t column) {
  if (row.get_indicator(column) == soci::i_null) return std::nullopt;
  return row_int(row, column);
}

template <>
std::optional<std::string> row_optional<std::string>(const soci::row& row, size_t column) {
  if (row.get_indicator(column) == soci::i_null) return std::nullopt;
  return row.get<std::string>(column);
}

template <>
std::optional<core::SystemTime> row_optional<core::SystemTime>(const soci::row& row,
                                                               size_t column) {
  if (row.get_indicator(column) == soci::i_null) return std::nullopt;
  return core::from_unix_us(row_int(row, column));
}

core::SystemTime row_time(const soci::row& row, size_t column) {
  return core::from_unix_us(row_int(row, column));
}

std::optional<core::Error> refused_write(const std::exception& e) {
  enum { kNone, kFull, kReadOnly } why = kNone;
  if (auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    // Primary codes (the low byte of an extended one): SQLITE_FULL is both a full disk and the
    // max_page_count cap; SQLITE_READONLY covers query_only and a file opened read-only.
    const int code = lite->result() & 0xff;
    why = code == SQLITE_FULL ? kFull : code == SQLITE_READONLY ? kReadOnly : kNone;
  } else if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    // disk_full; read_only_sql_transaction (default_transaction_read_only, a hot standby).
    why = pg->sqlstate() == "53100" ? kFull : pg->sqlstate() == "25006" ? kReadOnly : kNone;
  }
  if (why == kNone) return std::nullopt;
  std::string message =
      why == kFull ? "the database is full (its disk, or database.sqlite_max_size_mib): "
                     "nothing was written; reads are still served"
                   : "the database is read-only (database.read_only, or its file or server "
                     "refuses writes): nothing was written; reads are still served";
  // A condition an operator clears: retrying every second would only add load.
  return core::Error(core::ErrorKind::kUnavailable, std::move(message)).with_retry_after(30);
}

void throw_if_refused_write(const std::exception& e) {
  auto refused = refused_write(e);
  if (!refused) return;
  // One warning a minute per process (the access log has every request; this says why).
  static std::atomic<int64_t> last_logged_s{0};
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
  int64_t last = last_logged_s.load();
  if (now_s - last >= 60 && last_logged_s.compare_exchange_strong(last, now_s))
    log::warn("database_write_refused",
              {{"reason", refused->what()}, {"error", core::loggable_message(e)}});
  throw *refused;
}

bool is_unique_violation(const std::exception& e) {
  if (auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    // Extended codes (enabled per session in configure_sqlite). The primary code alone,
    // SQLITE_CONSTRAINT (19), would also be NOT NULL, CHECK and foreign-key violations.
    int code = lite->result();
    return code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY;
  }
  if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e))
    return pg->sqlstate() == "23505";  // unique_violation (primary keys included)
  return false;
}

}  // namespace registrar::store
