#include "intercoop/source_store.h"

#include "core/error.h"

namespace registrar::intercoop {
namespace {

yaml::Value from_json(const std::string& text) {
  return yaml::Value::parse(text);
}

Member member_of(const soci::row& r) {
  Member m;
  m.id = r.get<std::string>(0);
  m.fields = from_json(r.get<std::string>(1));
  m.lang = r.get<std::string>(2);
  m.created = store::row_time(r, 3);
  m.updated = store::row_time(r, 4);
  return m;
}

RemoteService remote_of(const soci::row& r) {
  RemoteService rs;
  rs.peer = r.get<std::string>(0);
  rs.name = r.get<std::string>(1);
  rs.fields = from_json(r.get<std::string>(2)).get<std::vector<std::string>>();
  rs.title = from_json(r.get<std::string>(3));
  rs.description = from_json(r.get<std::string>(4));
  return rs;
}

Consent consent_of(const soci::row& r) {
  Consent c;
  c.id = r.get<std::string>(0);
  c.member = r.get<std::string>(1);
  c.peer = r.get<std::string>(2);
  c.service = r.get<std::string>(3);
  c.fields = from_json(r.get<std::string>(4));
  c.url = r.get<std::string>(5);
  c.sent = store::row_time(r, 6);
  c.outcome = r.get<std::string>(7);
  c.answer = from_json(r.get<std::string>(8));
  c.answered = store::row_optional<core::SystemTime>(r, 9);
  c.version = r.get<std::string>(10);
  return c;
}

}  // namespace

store::Migration source_migration() {
  store::Migration m;
  m.version = 2;
  m.description = "intercoop source side: our key, members, remote services, consent log";
  m.statements = {
      "CREATE TABLE intercoop_own_key ("
      " id INTEGER PRIMARY KEY,"  // always 1: one key per installation
      " public_key TEXT NOT NULL,"
      " sealed_private TEXT NOT NULL,"  // PKCS#8 PEM sealed with identity's master key
      " created_us BIGINT NOT NULL)",
      "CREATE TABLE intercoop_members ("
      " member_id VARCHAR(255) PRIMARY KEY,"
      " fields TEXT NOT NULL,"  // JSON object: field name -> value, in order
      " lang VARCHAR(8) NOT NULL,"
      " created_us BIGINT NOT NULL,"
      " updated_us BIGINT NOT NULL)",
      "CREATE TABLE intercoop_remote_services ("
      " peer_id VARCHAR(64) NOT NULL,"
      " service VARCHAR(64) NOT NULL,"
      " fields TEXT NOT NULL,"       // JSON array of the field names the service requires
      " title TEXT NOT NULL,"        // JSON translatable
      " description TEXT NOT NULL,"  // JSON translatable
      " updated_us BIGINT NOT NULL,"
      " PRIMARY KEY (peer_id, service))",
      "CREATE TABLE intercoop_consents ("
      " id VARCHAR(36) PRIMARY KEY,"
      " member_id VARCHAR(255) NOT NULL,"
      " peer_id VARCHAR(64) NOT NULL,"
      " service VARCHAR(64) NOT NULL,"
      " fields TEXT NOT NULL,"  // JSON object: exactly the names and values sent
      " url VARCHAR(2048) NOT NULL,"
      " sent_us BIGINT NOT NULL,"
      " outcome VARCHAR(16) NOT NULL,"  // pending | accepted | refused | unanswered
      " answer TEXT NOT NULL,"          // JSON: the target's answer, null while pending
      " answered_us BIGINT)",
      "CREATE INDEX intercoop_consents_member ON intercoop_consents (member_id, sent_us)",
  };
  return m;
}

namespace db {

std::optional<OwnKeyRow> find_own_key(soci::session& s, int id) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT public_key, sealed_private FROM intercoop_own_key WHERE id = :i",
       soci::use(id));
  for (const auto& r : rows) return OwnKeyRow{r.get<std::string>(0), r.get<std::string>(1)};
  return std::nullopt;
}

void insert_own_key(soci::session& s, const OwnKeyRow& key, core::SystemTime now, int id) {
  long long us = core::to_unix_us(now);
  try {
    s << "INSERT INTO intercoop_own_key (id, public_key, sealed_private, created_us) "
         "VALUES (:i, :a, :b, :c)",
        soci::use(id), soci::use(key.public_pem), soci::use(key.sealed_private), soci::use(us);
  } catch (const std::exception& e) {
    if (store::is_unique_violation(e)) throw core::conflict("our intercoop key exists");
    throw;
  }
}

bool upsert_member(soci::session& s, const Member& m, core::SystemTime now) {
  std::string fields = m.fields.dump();
  long long us = core::to_unix_us(now);
  soci::statement st =
      (s.prepare << "UPDATE intercoop_members SET fields = :f, lang = :l, updated_us = :u "
                    "WHERE member_id = :i",
       soci::use(fields), soci::use(m.lang), soci::use(us), soci::use(m.id));
  st.execute(true);
  if (st.get_affected_rows() > 0) return false;
  s << "INSERT INTO intercoop_members (member_id, fields, lang, created_us, updated_us) "
       "VALUES (:i, :f, :l, :c, :u)",
      soci::use(m.id), soci::use(fields), soci::use(m.lang), soci::use(us), soci::use(us);
  return true;
}

std::optional<Member> find_member(soci::session& s, const std::string& id) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT member_id, fields, lang, created_us, updated_us FROM "
                    "intercoop_members WHERE member_id = :i",
       soci::use(id));
  for (const auto& r : rows) return member_of(r);
  return std::nullopt;
}

std::vector<Member> all_members(soci::session& s) {
  std::vector<Member> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT member_id, fields, lang, created_us, updated_us FROM "
                    "intercoop_members ORDER BY member_id");
  for (const auto& r : rows) out.push_back(member_of(r));
  return out;
}

bool delete_member(soci::session& s, const std::string& id) {
  soci::statement st =
      (s.prepare << "DELETE FROM intercoop_members WHERE member_id = :i", soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

void upsert_remote_service(soci::session& s, const RemoteService& rs, core::SystemTime now) {
  std::string fields = yaml::Value(rs.fields).dump();
  std::string title = rs.title.dump();
  std::string description = rs.description.dump();
  long long us = core::to_unix_us(now);
  s << "DELETE FROM intercoop_remote_services WHERE peer_id = :p AND service = :s",
      soci::use(rs.peer), soci::use(rs.name);
  s << "INSERT INTO intercoop_remote_services (peer_id, service, fields, title, description, "
       "updated_us) VALUES (:p, :s, :f, :t, :d, :u)",
      soci::use(rs.peer), soci::use(rs.name), soci::use(fields), soci::use(title),
      soci::use(description), soci::use(us);
}

void replace_remote_services(soci::session& s, const std::string& peer,
                             const std::vector<RemoteService>& services, core::SystemTime now) {
  s << "DELETE FROM intercoop_remote_services WHERE peer_id = :p", soci::use(peer);
  for (auto rs : services) {
    rs.peer = peer;
    upsert_remote_service(s, rs, now);
  }
}

std::optional<RemoteService> find_remote_service(soci::session& s, const std::string& peer,
                                                 const std::string& name) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT peer_id, service, fields, title, description FROM "
                    "intercoop_remote_services WHERE peer_id = :p AND service = :s",
       soci::use(peer), soci::use(name));
  for (const auto& r : rows) return remote_of(r);
  return std::nullopt;
}

std::vector<RemoteService> remote_services(soci::session& s) {
  std::vector<RemoteService> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT peer_id, service, fields, title, description FROM "
                    "intercoop_remote_services ORDER BY peer_id, service");
  for (const auto& r : rows) out.push_back(remote_of(r));
  return out;
}

void insert_consent(soci::session& s, const Consent& c) {
  std::string fields = c.fields.dump();
  std::string answer = c.answer.dump();
  long long sent = core::to_unix_us(c.sent);
  s << "INSERT INTO intercoop_consents (id, member_id, peer_id, service, fields, url, sent_us, "
       "outcome, answer, version) VALUES (:a, :b, :c, :d, :e, :f, :g, :h, :i, :j)",
      soci::use(c.id), soci::use(c.member), soci::use(c.peer), soci::use(c.service),
      soci::use(fields), soci::use(c.url), soci::use(sent), soci::use(c.outcome), soci::use(answer),
      soci::use(c.version);
}

void record_answer(soci::session& s, const std::string& id, const std::string& outcome,
                   const yaml::Value& answer, core::SystemTime at) {
  std::string text = answer.dump();
  long long us = core::to_unix_us(at);
  s << "UPDATE intercoop_consents SET outcome = :o, answer = :a, answered_us = :t WHERE id = :i",
      soci::use(outcome), soci::use(text), soci::use(us), soci::use(id);
}

std::vector<std::pair<std::string, std::string>> stale_pending(soci::session& s,
                                                               core::SystemTime before) {
  std::vector<std::pair<std::string, std::string>> out;
  long long us = core::to_unix_us(before);
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT id, member_id FROM intercoop_consents WHERE outcome = 'pending' AND "
                    "sent_us < :b ORDER BY sent_us",
       soci::use(us));
  for (const auto& r : rows) out.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
  return out;
}

std::vector<Consent> consents_of(soci::session& s, const std::string& member) {
  std::vector<Consent> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT id, member_id, peer_id, service, fields, url, sent_us, outcome, "
                    "answer, answered_us, version FROM intercoop_consents WHERE member_id = :m "
                    "ORDER BY sent_us DESC, id",
       soci::use(member));
  for (const auto& r : rows) out.push_back(consent_of(r));
  return out;
}

std::vector<Consent> consents_page(soci::session& s, const ConsentQuery& q) {
  auto page = store::KeysetPage::newest_first("sent_us", "id", q.before, q.limit);
  // Unused filters bound as '', as in received_transfers.
  auto prep =
      (s.prepare << "SELECT id, member_id, peer_id, service, fields, url, sent_us, "
                    "outcome, answer, answered_us, version FROM intercoop_consents WHERE " +
                        page.condition() +
                        " AND (:m1 = '' OR member_id = :m2) AND (:p1 = '' OR peer_id = :p2)" +
                        page.order_and_limit());
  page.bind(prep), soci::use(q.member), soci::use(q.member), soci::use(q.peer), soci::use(q.peer);
  soci::rowset<soci::row> rows = prep;
  std::vector<Consent> out;
  for (const auto& r : rows) out.push_back(consent_of(r));
  return out;
}

}  // namespace db
}  // namespace registrar::intercoop
