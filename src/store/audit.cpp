#include "store/audit.h"

#include <cstdint>

#include "core/request_context.h"
#include "store/audit_chain.h"
#include "store/database.h"

namespace registrar::store {
namespace {

// PostgreSQL advisory-lock key of the chain's head: class "audt", key 0 (authz uses "azlk" and
// "azcf", ibr "ibcf").
constexpr int32_t kChainLockClass = 0x61756474;

}  // namespace

void append_audit(soci::session& s, const AuditEntry& e, core::SystemTime at) {
  AuditWriter(s).append(e, at);
}

AuditWriter::AuditWriter(soci::session& s)
    : session_(s),
      insert_((s.prepare << "INSERT INTO audit_log (at_us, actor, action, subject, request_id, "
                            "server_request_id, detail, prev_hash, hash) VALUES (:at, :actor, "
                            ":action, :subject, :rid, :srid, :detail, :prev, :hash)",
               soci::use(at_us_), soci::use(actor_), soci::use(action_), soci::use(subject_),
               soci::use(request_id_), soci::use(server_request_id_, server_request_id_ind_),
               soci::use(detail_), soci::use(prev_hash_), soci::use(hash_))) {}

// The head is the hash of the chained row with the highest id. Rows are appended in id order
// under the lock (PostgreSQL's sequence hands out ids inside it, after the previous holder
// committed), so the highest id is the last link. Rows older than the chain have a NULL hash.
void AuditWriter::find_head() {
  if (backend_of(session_) == Backend::kPostgres) {
    int cls = kChainLockClass, key = 0;
    session_ << "SELECT pg_advisory_xact_lock(:c, :k)", soci::use(cls), soci::use(key);
  }
  std::string head;
  soci::indicator ind = soci::i_null;
  session_ << "SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1",
      soci::into(head, ind);
  prev_hash_ = (session_.got_data() && ind == soci::i_ok) ? head : std::string(kAuditGenesisHash);
  have_head_ = true;
}

void AuditWriter::append(const AuditEntry& e, core::SystemTime at) {
  if (!have_head_) find_head();
  at_us_ = core::to_unix_us(at);
  actor_ = e.actor;
  action_ = e.action;
  subject_ = e.subject;
  request_id_ = e.request_id;
  server_request_id_ =
      e.server_request_id.empty() ? core::current_server_request_id() : e.server_request_id;
  server_request_id_ind_ = server_request_id_.empty() ? soci::i_null : soci::i_ok;
  detail_ = e.detail.dump();
  AuditChainFields fields{at_us_, actor_, action_, subject_, request_id_, std::nullopt, detail_};
  if (server_request_id_ind_ == soci::i_ok) fields.server_request_id = server_request_id_;
  hash_ = audit_hash(fields, prev_hash_);
  insert_.execute(true);
  prev_hash_ = hash_;
}

std::vector<AuditRecord> read_audit(soci::session& s, const std::string& subject, int limit) {
  AuditQuery q;
  q.subject = subject;
  q.limit = limit;
  return read_audit(s, q);
}

std::vector<AuditRecord> read_audit(soci::session& s, const AuditQuery& q) {
  std::vector<AuditRecord> out;
  // Every filter is bound, an unused one as '' (and before_id 0) that its own test lets through,
  // so that one statement text serves every combination.
  std::string action_prefix;
  for (char c : q.action) {
    if (c == '%' || c == '_' || c == '\\') action_prefix += '\\';
    action_prefix += c;
  }
  if (!q.action.empty()) action_prefix += ".%";
  std::string sql =
      "SELECT id, at_us, actor, action, subject, request_id, detail, server_request_id FROM "
      "audit_log WHERE (:b1 = 0 OR id < :b2) AND (:s1 = '' OR subject = :s2) "
      "AND (:a1 = '' OR actor = :a2) AND (:c1 = '' OR action = :c2 OR action LIKE :c3 ESCAPE '\\') "
      "ORDER BY id DESC LIMIT " +
      std::to_string(q.limit);
  soci::statement st =
      (s.prepare << sql, soci::use(q.before_id), soci::use(q.before_id), soci::use(q.subject),
       soci::use(q.subject), soci::use(q.actor), soci::use(q.actor), soci::use(q.action),
       soci::use(q.action), soci::use(action_prefix));
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
    a.server_request_id = row_optional<std::string>(r, 7);
    out.push_back(std::move(a));
  }
  return out;
}

AuditChainReport verify_audit_chain(soci::session& s, const std::function<void(size_t)>& progress) {
  // In pages by id: SOCI's PostgreSQL backend would otherwise hold the whole result in memory.
  constexpr int kPage = 10'000;
  AuditChainVerifier verifier;
  long long after = 0;
  size_t rows = 0;
  for (bool more = true; more && !verifier.failure();) {
    soci::row r;
    soci::statement st =
        (s.prepare
             << "SELECT id, at_us, actor, action, subject, request_id, server_request_id, "
                "detail, prev_hash, hash FROM audit_log WHERE id > :after ORDER BY id LIMIT " +
                    std::to_string(kPage),
         soci::use(after), soci::into(r));
    st.execute(false);
    int in_page = 0;
    while (st.fetch()) {
      ++in_page;
      // Owned copies: the row's buffers are reused by the next fetch.
      const std::string actor = r.get<std::string>(2), action = r.get<std::string>(3),
                        subject = r.get<std::string>(4), request_id = r.get<std::string>(5),
                        detail = r.get<std::string>(7);
      const auto server_request_id = row_optional<std::string>(r, 6);
      const auto prev_hash = row_optional<std::string>(r, 8),
                 hash = row_optional<std::string>(r, 9);
      AuditChainRow row;
      row.id = after = row_int(r, 0);
      row.fields = {row_int(r, 1), actor, action, subject, request_id, std::nullopt, detail};
      if (server_request_id) row.fields.server_request_id = *server_request_id;
      if (prev_hash) row.prev_hash = *prev_hash;
      if (hash) row.hash = *hash;
      if (verifier.add(row)) break;
      if (progress && ++rows % 100'000 == 0) progress(rows);
    }
    more = in_page == kPage;
  }
  AuditChainReport report;
  report.verified = verifier.verified();
  report.unchained = verifier.unchained();
  report.head_id = verifier.head_id();
  report.head_hash = verifier.head_hash();
  if (const auto& b = verifier.failure()) {
    report.broken_id = b->id;
    report.broken_field = b->field;
    report.message = b->message;
  }
  return report;
}

std::optional<std::string> read_audit_hash(soci::session& s, long long id) {
  std::string hash;
  soci::indicator ind = soci::i_null;
  s << "SELECT hash FROM audit_log WHERE id = :id", soci::use(id), soci::into(hash, ind);
  if (!s.got_data() || ind != soci::i_ok) return std::nullopt;
  return hash;
}

}  // namespace registrar::store
