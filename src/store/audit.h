// The append-only audit log: every state change in every module is recorded here, in the same
// transaction as the change itself, with who did it, what, to what, when and in which request.
#pragma once

#include <soci/soci.h>
#include <nlohmann/json.hpp>

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
};

// Appends one entry using the caller's session (and so its transaction).
void append_audit(soci::session& session, const AuditEntry& entry, core::SystemTime at);

// For a transaction that appends many entries: the INSERT is prepared once (SQLite spends more
// time preparing a statement than running it). Lives no longer than the caller's transaction;
// one thread.
class AuditWriter {
 public:
  explicit AuditWriter(soci::session& session);
  void append(const AuditEntry& entry, core::SystemTime at);

 private:
  // Bound by reference to the statement: declared before it.
  long long at_us_ = 0;
  std::string actor_, action_, subject_, request_id_, detail_;
  soci::statement insert_;
};

struct AuditRecord {
  long long id;
  core::SystemTime at;
  std::string actor, action, subject, request_id;
  nlohmann::json detail;
};
// Most recent first; `subject` empty for all.
std::vector<AuditRecord> read_audit(soci::session& session, const std::string& subject, int limit);

}  // namespace registrar::store
