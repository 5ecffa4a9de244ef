#include "store/audit.h"

#include "store/database.h"

namespace registrar::store {

void append_audit(soci::session& s, const AuditEntry& e, core::SystemTime at) {
  AuditWriter(s).append(e, at);
}

AuditWriter::AuditWriter(soci::session& s)
    : insert_((s.prepare << "INSERT INTO audit_log (at_us, actor, action, subject, request_id, "
                            "detail) VALUES (:at, :actor, :action, :subject, :rid, :detail)",
               soci::use(at_us_), soci::use(actor_), soci::use(action_), soci::use(subject_),
               soci::use(request_id_), soci::use(detail_))) {}

void AuditWriter::append(const AuditEntry& e, core::SystemTime at) {
  at_us_ = core::to_unix_us(at);
  actor_ = e.actor;
  action_ = e.action;
  subject_ = e.subject;
  request_id_ = e.request_id;
  detail_ = e.detail.dump();
  insert_.execute(true);
}

std::vector<AuditRecord> read_audit(soci::session& s, const std::string& subject, int limit) {
  std::vector<AuditRecord> out;
  std::string sql = "SELECT id, at_us, actor, action, subject, request_id, detail FROM audit_log" +
                    std::string(subject.empty() ? "" : " WHERE subject = :s") +
                    " ORDER BY id DESC LIMIT " + std::to_string(limit);
  soci::statement st =
      subject.empty() ? (s.prepare << sql) : (s.prepare << sql, soci::use(subject));
  soci::row r;
  st.exchange(soci::into(r));
  st.define_and_bind();
  st.execute(false);
  while (st.fetch()) {
    AuditRecord a;
    a.id = row_int(r, 0);
    a.at = row_time(r, 1);
    a.actor = r.get<std::string>(2);
    a.action = r.get<std::string>(3);
    a.subject = r.get<std::string>(4);
    a.request_id = r.get<std::string>(5);
    a.detail = nlohmann::json::parse(r.get<std::string>(6), nullptr, false);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace registrar::store
