#include "intercoop/rules_store.h"

namespace registrar::intercoop {

store::Migration rules_migration() {
  store::Migration m;
  m.version = 4;
  m.description = "intercoop: service rules (roles, availability, limits) and limit events";
  m.statements = {
      "ALTER TABLE intercoop_services ADD COLUMN rules TEXT NOT NULL DEFAULT '{}'",
      "CREATE TABLE intercoop_limit_events ("
      " service VARCHAR(64) NOT NULL,"
      " peer_id VARCHAR(64) NOT NULL,"
      " member_key VARCHAR(128) NOT NULL,"
      " received_us BIGINT NOT NULL,"
      " forget_us BIGINT NOT NULL)",
      "CREATE INDEX intercoop_limit_events_member ON intercoop_limit_events "
      "(service, peer_id, member_key, received_us)",
      "CREATE INDEX intercoop_limit_events_peer ON intercoop_limit_events "
      "(service, peer_id, received_us)",
      "CREATE INDEX intercoop_limit_events_forget ON intercoop_limit_events (forget_us)",
  };
  return m;
}

namespace db {

int64_t count_limited(soci::session& s, const std::string& service, const std::string& peer,
                      const std::string& member, core::SystemTime since) {
  long long from = core::to_unix_us(since), n = 0;
  if (member.empty()) {
    s << "SELECT COUNT(*) FROM intercoop_limit_events WHERE service = :s AND peer_id = :p AND "
         "received_us >= :f",
        soci::use(service), soci::use(peer), soci::use(from), soci::into(n);
  } else {
    s << "SELECT COUNT(*) FROM intercoop_limit_events WHERE service = :s AND peer_id = :p AND "
         "member_key = :m AND received_us >= :f",
        soci::use(service), soci::use(peer), soci::use(member), soci::use(from), soci::into(n);
  }
  return n;
}

void insert_limited(soci::session& s, const std::string& service, const std::string& peer,
                    const std::string& member, core::SystemTime received,
                    core::SystemTime forget_after) {
  long long at = core::to_unix_us(received), forget = core::to_unix_us(forget_after);
  s << "INSERT INTO intercoop_limit_events (service, peer_id, member_key, received_us, forget_us) "
       "VALUES (:s, :p, :m, :r, :f)",
      soci::use(service), soci::use(peer), soci::use(member), soci::use(at), soci::use(forget);
}

int64_t purge_limited(soci::session& s, core::SystemTime now) {
  long long us = core::to_unix_us(now);
  soci::statement st =
      (s.prepare << "DELETE FROM intercoop_limit_events WHERE forget_us <= :n", soci::use(us));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace db
}  // namespace registrar::intercoop
