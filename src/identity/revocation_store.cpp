#include "identity/revocation_store.h"

#include "store/database.h"

namespace registrar::identity {

store::Migration revocation_migration(int version) {
  store::Migration m;
  m.version = version;
  m.description = "revocation: accounts' revoked_before_us, tokens revoked by jti";
  m.statements = {
      "ALTER TABLE identity_clients ADD COLUMN revoked_before_us BIGINT",
      "ALTER TABLE identity_users ADD COLUMN revoked_before_us BIGINT",
      "CREATE TABLE identity_revoked_tokens ("
      " jti VARCHAR(255) PRIMARY KEY,"
      " until_us BIGINT NOT NULL,"
      " revoked_us BIGINT NOT NULL)",
      "CREATE INDEX identity_revoked_tokens_until ON identity_revoked_tokens (until_us)",
  };
  return m;
}

namespace {

const char* table_of(AccountKind kind) {
  return kind == AccountKind::kClient ? "identity_clients" : "identity_users";
}
const char* id_column_of(AccountKind kind) {
  return kind == AccountKind::kClient ? "client_id" : "username";
}

}  // namespace

std::vector<AccountRevocationRow> revoked_accounts(soci::session& s, AccountKind kind,
                                                   core::SystemTime horizon) {
  long long h = core::to_unix_us(horizon);
  std::vector<AccountRevocationRow> out;
  soci::rowset<soci::row> rows =
      (s.prepare << std::string("SELECT ") + id_column_of(kind) +
                        ", disabled, revoked_before_us FROM " + table_of(kind) +
                        " WHERE disabled <> 0 OR revoked_before_us > :h",
       soci::use(h));
  for (auto& r : rows)
    out.push_back({r.get<std::string>(0), store::row_int(r, 1) != 0,
                   store::row_optional<core::SystemTime>(r, 2)});
  return out;
}

bool set_account_disabled(soci::session& s, AccountKind kind, const std::string& id, bool disabled,
                          core::SystemTime now) {
  long long t = core::to_unix_us(now);
  int flag = disabled ? 1 : 0;
  std::string sql = std::string("UPDATE ") + table_of(kind) + " SET disabled = :d" +
                    (disabled ? ", revoked_before_us = :t" : "") + " WHERE " + id_column_of(kind) +
                    " = :id";
  soci::statement st = disabled ? (s.prepare << sql, soci::use(flag), soci::use(t), soci::use(id))
                                : (s.prepare << sql, soci::use(flag), soci::use(id));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

void revoke_token(soci::session& s, const RevokedTokenRow& row, core::SystemTime now) {
  long long until = core::to_unix_us(row.until), t = core::to_unix_us(now);
  // ON CONFLICT ... DO UPDATE exists on both backends (SQLite >= 3.24).
  s << "INSERT INTO identity_revoked_tokens (jti, until_us, revoked_us) VALUES (:j, :u, :t) "
       "ON CONFLICT (jti) DO UPDATE SET until_us = CASE WHEN excluded.until_us > "
       "identity_revoked_tokens.until_us THEN excluded.until_us ELSE "
       "identity_revoked_tokens.until_us END",
      soci::use(row.jti), soci::use(until), soci::use(t);
}

std::vector<RevokedTokenRow> revoked_tokens(soci::session& s, core::SystemTime now) {
  long long t = core::to_unix_us(now);
  std::vector<RevokedTokenRow> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT jti, until_us FROM identity_revoked_tokens WHERE until_us > :t",
       soci::use(t));
  for (auto& r : rows) out.push_back({r.get<std::string>(0), store::row_time(r, 1)});
  return out;
}

long long purge_revoked_tokens(soci::session& s, core::SystemTime horizon) {
  long long h = core::to_unix_us(horizon);
  soci::statement st =
      (s.prepare << "DELETE FROM identity_revoked_tokens WHERE until_us < :h", soci::use(h));
  st.execute(true);
  return st.get_affected_rows();
}

std::vector<RetiredKeyRow> retiring_keys(soci::session& s, core::SystemTime horizon) {
  long long h = core::to_unix_us(horizon);
  std::vector<RetiredKeyRow> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT kid, verify_until_us FROM identity_keys "
                    "WHERE verify_until_us IS NOT NULL AND verify_until_us > :h",
       soci::use(h));
  for (auto& r : rows) out.push_back({r.get<std::string>(0), store::row_time(r, 1)});
  return out;
}

}  // namespace registrar::identity
