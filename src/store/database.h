// Database access through SOCI, over SQLite (the embedded default) or PostgreSQL, chosen by URL:
//   sqlite:///var/lib/registrar/registrar.db   (absolute path)   sqlite:data/registrar.db
//   (relative) postgresql://user:password@127.0.0.1:5432/registrar          (any libpq connection
//   URI)
// A fixed pool of sessions; callers lease one for the duration of a unit of work. Everything here
// blocks, so it is called from the worker pool, never from an I/O thread.
#pragma once

#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/metrics.h"
#include "core/thread_annotations.h"

namespace registrar::store {

enum class Backend { kSqlite, kPostgres };

struct DatabaseOptions {
  std::string url = "sqlite:registrar.db";
  int pool_size = 8;
  std::chrono::milliseconds busy_timeout{5'000};     // SQLite: wait for a writer lock this long
  std::chrono::milliseconds acquire_timeout{5'000};  // wait for a free pooled session this long
  int sqlite_cache_mib = 64;  // SQLite: page cache per pooled session, filled only as used
  // SQLite: the file may not grow beyond this (PRAGMA max_page_count); 0 = no cap. Writes that
  // would need more fail as on a full disk (docs/operations.md, "Full disk").
  int64_t sqlite_max_size_mib = 0;
  // Every session refuses writes (SQLite PRAGMA query_only, PostgreSQL
  // default_transaction_read_only): reads are served, writes fail with 503. set_read_only
  // changes it later (serve: after the modules' own start-up writes).
  bool read_only = false;
};

// A database error that says the write cannot be made now, whatever it was: the database (or its
// disk) is full, or it is read-only. Both are conditions of the storage an operator clears, not
// bugs, so they are core::Error(kUnavailable) (503, Retry-After) naming the cause instead of the
// generic 500. nullopt for any other error.
std::optional<core::Error> refused_write(const std::exception& e);
// Throws refused_write(e) when there is one (with a warning in the log at most once a minute);
// returns otherwise.
void throw_if_refused_write(const std::exception& e);

class Database {
 public:
  // Opens every pooled session; throws core::Error(kUnavailable) naming the (redacted) URL.
  explicit Database(DatabaseOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Backend backend() const { return backend_; }
  const std::string& redacted_url() const { return redacted_url_; }

  // A leased session; returned to the pool on destruction.
  class Lease {
   public:
    Lease(Database* db, size_t index) : db_(db), index_(index) {}
    Lease(Lease&& o) noexcept : db_(std::exchange(o.db_, nullptr)), index_(o.index_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    soci::session& operator*() const { return *db_->sessions_[index_]; }
    soci::session* operator->() const { return db_->sessions_[index_].get(); }

   private:
    Database* db_;
    size_t index_;
  };
  // Throws core::Error(kUnavailable) when no session frees up within acquire_timeout. A
  // PostgreSQL session whose connection was lost (the server restarted or went away) is
  // connected again here; while that fails, this throws core::Error(kUnavailable) at once, so
  // requests answer 503 with Retry-After instead of waiting, and the service resumes by itself
  // when the server is back.
  Lease acquire();

  // Runs f(session) inside a write transaction (SQLite: BEGIN IMMEDIATE, so writers queue on the
  // busy timeout instead of failing on lock upgrade). Commits when f returns, rolls back when it
  // throws. Returns what f returns.
  // Throws core::Error(kUnavailable) instead of the error when the session lost its server, and
  // when the database refuses the write for want of space or because it is read-only (naming the
  // cause: refused_write), after the rollback.
  template <class F>
  auto write(F&& f) {
    Lease lease = acquire();
    try {
      Transaction tx(*lease, backend_);
      if constexpr (std::is_void_v<decltype(f(*lease))>) {
        f(*lease);
        tx.commit();
      } else {
        auto result = f(*lease);
        tx.commit();
        return result;
      }
    } catch (const soci::soci_error& e) {
      throw_if_refused_write(e);
      rethrow_as_unavailable_if_lost(*lease);
    } catch (...) {
      rethrow_as_unavailable_if_lost(*lease);
    }
  }
  // Runs f(session) without an explicit transaction (single reads).
  template <class F>
  auto read(F&& f) {
    Lease lease = acquire();
    try {
      return f(*lease);
    } catch (...) {
      rethrow_as_unavailable_if_lost(*lease);
    }
  }

  // A transaction guard that knows the backend's BEGIN.
  class Transaction {
   public:
    Transaction(soci::session& s, Backend b);
    ~Transaction();
    void commit();

   private:
    soci::session& s_;
    bool done_ = false;
  };

  size_t pool_size() const { return sessions_.size(); }
  size_t in_use() const;
  void register_metrics(core::Metrics& metrics);

  // True when the database answers a trivial query.
  bool ping();

  // Sessions refuse writes from their next lease on (or accept them again).
  void set_read_only(bool read_only) { read_only_ = read_only; }
  bool read_only() const { return read_only_; }

 private:
  void configure_sqlite(soci::session& s);
  // PostgreSQL: whether libpq holds the session's connection as broken (no round trip).
  bool connection_lost(soci::session& s) const;
  // True when it connected the session again (its session settings are gone with the old one).
  bool reconnect_if_lost(soci::session& s);
  // In a catch block: the exception being handled, or core::Error(kUnavailable) instead when it
  // came from a session that lost its server (a 500 would tell the client nothing to retry).
  [[noreturn]] void rethrow_as_unavailable_if_lost(soci::session& s) const;
  void apply_read_only(size_t index);

  Backend backend_;
  std::string redacted_url_;
  DatabaseOptions options_;
  // Filled by the constructor, then fixed: a session is used only by the holder of its Lease.
  std::vector<std::unique_ptr<soci::session>> sessions_;
  std::atomic<bool> read_only_{false};
  // Per session, whether it was last set read-only; touched only by the holder of its lease.
  std::vector<char> session_read_only_;
  mutable core::Mutex mu_;
  core::CondVar cv_;  // a session was returned to free_
  std::vector<size_t> free_ GUARDED_BY(mu_);
};

// Replaces a password in a URL with "***" for logs and error messages.
std::string redact_url(const std::string& url);
// Backend of a URL; throws core::Error(kInvalidArgument) for an unknown scheme.
Backend backend_of(const std::string& url);
// libpq keyword=value connection string for a postgresql:// URL (SOCI cannot take the URI).
std::string postgres_conninfo(const std::string& url);
// The filesystem path of a sqlite URL.
std::string sqlite_path(const std::string& url);

// The backend a session talks to (for SQL that differs between them). Prefer Database::backend()
// where the Database is at hand; this is for store functions that only get the session.
Backend backend_of(soci::session& session);

// An integer column as int64, whatever integer type the backend reported for it. Throws
// std::invalid_argument on NULL: a nullable column is read with row_optional.
int64_t row_int(const soci::row& row, size_t column);

// A nullable column: nullopt for NULL. T is int64_t (any integer type the backend reports),
// std::string, or core::SystemTime (a `_us` column).
template <class T>
std::optional<T> row_optional(const soci::row& row, size_t column);
template <>
std::optional<int64_t> row_optional<int64_t>(const soci::row& row, size_t column);
template <>
std::optional<std::string> row_optional<std::string>(const soci::row& row, size_t column);
template <>
std::optional<core::SystemTime> row_optional<core::SystemTime>(const soci::row& row, size_t column);
// A `_us` column as a time.
core::SystemTime row_time(const soci::row& row, size_t column);

// A value and its indicator for binding an optional (soci::use(b.value, b.indicator)); keep the
// object alive until the statement has run.
template <class T>
struct OptionalBind {
  explicit OptionalBind(const std::optional<T>& v)
      : value(v.value_or(T{})), indicator(v ? soci::i_ok : soci::i_null) {}
  T value;
  soci::indicator indicator;
};
// An optional time as a bindable `_us` value.
inline OptionalBind<long long> bind_time(const std::optional<core::SystemTime>& t) {
  return OptionalBind<long long>(t ? std::optional<long long>(core::to_unix_us(*t)) : std::nullopt);
}

// True when the exception is a unique-constraint (or primary-key) violation, recognised by the
// backend's error code: SQLite's extended result codes SQLITE_CONSTRAINT_UNIQUE /
// SQLITE_CONSTRAINT_PRIMARYKEY (every session enables extended codes), PostgreSQL's SQLSTATE
// 23505. Other constraint violations (NOT NULL, CHECK, foreign key) are not.
bool is_unique_violation(const std::exception& e);

}  // namespace registrar::store
