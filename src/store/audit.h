// The append-only audit log: every state change in every module is recorded here, in the same
// transaction as the change itself, with who did it, what, to what, when and in which request.
// Each row carries a SHA-256 hash chained to the previous row's (store/audit_chain.h), so that a
// changed, removed or inserted row is found by verify_audit_chain (`registrar audit verify`).
#pragma once

#include <soci/soci.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace registrar::store {

struct AuditEntry {
  std::string actor;       // principal subject, "cli:<user>", or "system"
  std::string action;      // "<module>.<verb>", e.g. "authz.proxy.add"
  std::string subject;     // what was changed (an id; personal identifiers are fine here, the
                           // table is access-controlled, unlike logs)
  std::string request_id;  // HTTP request id, or "" outside a request
  nlohmann::json detail = nlohmann::json::object();  // justification, before/after
  // The server's own id of the request; "" means core::current_server_request_id(), which the
  // HTTP server sets on the thread running the handler. Set it where the work left that thread.
  std::string server_request_id = {};
};

// Appends one entry using the caller's session (and so its transaction).
void append_audit(soci::session& session, const AuditEntry& entry, core::SystemTime at);

// For a transaction that appends many entries: the INSERT is prepared once (SQLite spends more
// time preparing a statement than running it). Lives no longer than the caller's transaction;
// one thread.
//
// The first append finds the chain's head: on PostgreSQL it first takes a transaction-scoped
// advisory lock, so that appenders of every instance link one after another in commit order
// (SQLite's BEGIN IMMEDIATE already admits one writer); later appends chain on from the hash the
// writer computed last. A transaction that rolls back leaves no link. So, within one
// transaction, do not append through a second writer (or append_audit) between two appends of a
// first one: the first would chain on from a head that is no longer the last row, and
// `audit verify` would report the fork.
class AuditWriter {
 public:
  explicit AuditWriter(soci::session& session);
  void append(const AuditEntry& entry, core::SystemTime at);

 private:
  void find_head();

  soci::session& session_;
  bool have_head_ = false;
  // Bound by reference to the statement: declared before it.
  long long at_us_ = 0;
  std::string actor_, action_, subject_, request_id_, server_request_id_, detail_, prev_hash_,
      hash_;
  soci::indicator server_request_id_ind_ = soci::i_ok;
  soci::statement insert_;
};

struct AuditRecord {
  long long id;
  core::SystemTime at;
  std::string actor, action, subject, request_id;
  nlohmann::json detail;
  std::optional<std::string> server_request_id = std::nullopt;
};
// Most recent first; `subject` empty for all.
std::vector<AuditRecord> read_audit(soci::session& session, const std::string& subject, int limit);

// A page of the log, most recent first: rows with id < before_id (0: from the newest) matching
// every filter that is not empty (exact subject and actor; action equal to `action` or starting
// with `action` + "." — "ids" matches "ids.issue").
struct AuditQuery {
  std::string subject, actor, action;
  long long before_id = 0;
  int limit = 50;
};
std::vector<AuditRecord> read_audit(soci::session& session, const AuditQuery& query);

// What verify_audit_chain found.
struct AuditChainReport {
  size_t verified = 0;   // chained rows that checked out
  size_t unchained = 0;  // rows written before the chain began (platform v3)
  long long head_id = 0;
  std::string head_hash;  // the last verified row's hash: record it elsewhere to detect truncation
  std::optional<long long> broken_id;
  std::string broken_field, message;  // field: "hash", "prev_hash" or "chain"
};

// Walks the whole log in id order (streamed, not loaded at once). `progress`, when given, is
// called with the number of rows read every 100,000 rows.
AuditChainReport verify_audit_chain(soci::session& session,
                                    const std::function<void(size_t)>& progress = {});

// The stored hash of row `id`: nullopt when there is no such row or it has no hash.
std::optional<std::string> read_audit_hash(soci::session& session, long long id);

}  // namespace registrar::store
