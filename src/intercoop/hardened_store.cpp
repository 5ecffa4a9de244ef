#include "intercoop/hardened_store.h"

namespace registrar::intercoop {

store::Migration hardened_migration() {
  store::Migration m;
  m.version = 3;
  m.description = "intercoop 2.0: peers' Ed25519 keys, consent versions, received nonces";
  m.statements = {
      // SPKI PEM, "" for a peer that declared no 2.0 key.
      "ALTER TABLE intercoop_peers ADD COLUMN ed25519_key TEXT NOT NULL DEFAULT ''",
      // The protocol version a consent's package was sent in; rows before 2.0 were 1.0.
      "ALTER TABLE intercoop_consents ADD COLUMN version VARCHAR(8) NOT NULL DEFAULT '1.0'",
      "CREATE TABLE intercoop_nonces ("
      " peer_id VARCHAR(64) NOT NULL,"
      " nonce VARCHAR(64) NOT NULL,"
      " expires_us BIGINT NOT NULL,"
      " PRIMARY KEY (peer_id, nonce))",
      "CREATE INDEX intercoop_nonces_expires ON intercoop_nonces (expires_us)",
  };
  return m;
}

namespace db {

bool insert_nonce(soci::session& s, const std::string& peer, const std::string& nonce,
                  core::SystemTime expires) {
  long long us = core::to_unix_us(expires);
  // ON CONFLICT DO NOTHING (both backends): a duplicate is not an error that would abort the
  // batch's PostgreSQL transaction, only a row not inserted. A concurrent insert of the same
  // nonce waits for the other transaction and then inserts nothing.
  soci::statement st = (s.prepare << "INSERT INTO intercoop_nonces (peer_id, nonce, expires_us) "
                                     "VALUES (:p, :n, :e) ON CONFLICT DO NOTHING",
                        soci::use(peer), soci::use(nonce), soci::use(us));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

int64_t purge_nonces(soci::session& s, core::SystemTime now) {
  long long us = core::to_unix_us(now);
  soci::statement st =
      (s.prepare << "DELETE FROM intercoop_nonces WHERE expires_us <= :n", soci::use(us));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace db
}  // namespace registrar::intercoop
