#include "identity/store.h"

#include "core/error.h"
#include "identity/module_key_store.h"
#include "identity/revocation_store.h"
#include "store/database.h"

namespace registrar::identity {

std::vector<store::Migration> identity_migrations() {
  store::Migration v1;
  v1.version = 1;
  v1.description = "signing keys, OAuth2 clients and users";
  v1.statements = {
      "CREATE TABLE identity_keys ("
      " kid VARCHAR(64) PRIMARY KEY,"
      " alg VARCHAR(16) NOT NULL,"
      " public_jwk TEXT NOT NULL,"
      " private_sealed TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " activate_at BIGINT NOT NULL,"
      " retire_at BIGINT,"
      " verify_until BIGINT)",
      "CREATE TABLE identity_clients ("
      " client_id VARCHAR(128) PRIMARY KEY,"
      " secret_hash VARCHAR(255) NOT NULL,"
      " scopes TEXT NOT NULL,"
      " description TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " disabled INTEGER NOT NULL DEFAULT 0)",
      "CREATE TABLE identity_users ("
      " username VARCHAR(128) PRIMARY KEY,"
      " password_hash VARCHAR(255) NOT NULL,"
      " scopes TEXT NOT NULL,"
      " description TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " disabled INTEGER NOT NULL DEFAULT 0)",
  };
  // Moved here from challenges.cpp unchanged (released as identity v2).
  store::Migration v2;
  v2.version = 2;
  v2.description = "identity challenges (single-use nonces)";
  v2.statements = {
      "CREATE TABLE identity_challenges ("
      " nonce VARCHAR(64) PRIMARY KEY,"
      " public_key TEXT,"
      " created_at BIGINT NOT NULL,"
      " expires_at BIGINT NOT NULL,"
      " consumed_at BIGINT)",
      "CREATE INDEX identity_challenges_expiry ON identity_challenges (expires_at)",
  };
  // Unix seconds become µs since the epoch (docs/ARCHITECTURE.md, "Storage conventions"). Both
  // backends rename a column in place (SQLite >= 3.25), keeping its type, its nullability (NULL
  // stays NULL through the multiplication) and the indexes on it.
  store::Migration v3;
  v3.version = 3;
  v3.description = "times as microseconds since the epoch (*_us columns)";
  v3.statements = {
      "ALTER TABLE identity_keys RENAME COLUMN created_at TO created_us",
      "ALTER TABLE identity_keys RENAME COLUMN activate_at TO activate_us",
      "ALTER TABLE identity_keys RENAME COLUMN retire_at TO retire_us",
      "ALTER TABLE identity_keys RENAME COLUMN verify_until TO verify_until_us",
      "UPDATE identity_keys SET created_us = created_us * 1000000,"
      " activate_us = activate_us * 1000000, retire_us = retire_us * 1000000,"
      " verify_until_us = verify_until_us * 1000000",
      "ALTER TABLE identity_clients RENAME COLUMN created_at TO created_us",
      "UPDATE identity_clients SET created_us = created_us * 1000000",
      "ALTER TABLE identity_users RENAME COLUMN created_at TO created_us",
      "UPDATE identity_users SET created_us = created_us * 1000000",
      "ALTER TABLE identity_challenges RENAME COLUMN created_at TO created_us",
      "ALTER TABLE identity_challenges RENAME COLUMN expires_at TO expires_us",
      "ALTER TABLE identity_challenges RENAME COLUMN consumed_at TO consumed_us",
      "UPDATE identity_challenges SET created_us = created_us * 1000000,"
      " expires_us = expires_us * 1000000, consumed_us = consumed_us * 1000000",
  };
  return {v1, v2, v3, module_key_migration(4), revocation_migration(5)};
}

namespace {

KeyRow key_from_row(const soci::row& r) {
  KeyRow k;
  k.kid = r.get<std::string>(0);
  k.alg = r.get<std::string>(1);
  k.public_jwk = r.get<std::string>(2);
  k.private_sealed = r.get<std::string>(3);
  k.created = store::row_time(r, 4);
  k.activate = store::row_time(r, 5);
  k.retire = store::row_optional<core::SystemTime>(r, 6);
  k.verify_until = store::row_optional<core::SystemTime>(r, 7);
  return k;
}

AccountRow account_from_row(const soci::row& r) {
  AccountRow a;
  a.id = r.get<std::string>(0);
  a.secret_hash = r.get<std::string>(1);
  a.scopes = r.get<std::string>(2);
  a.description = r.get<std::string>(3);
  a.created = store::row_time(r, 4);
  a.disabled = store::row_int(r, 5) != 0;
  return a;
}

void insert_account(soci::session& s, const char* table, const char* id_column,
                    const char* secret_column, const AccountRow& row, const char* what) {
  int disabled = row.disabled ? 1 : 0;
  long long created = core::to_unix_us(row.created);
  try {
    s << std::string("INSERT INTO ") + table + " (" + id_column + ", " + secret_column +
             ", scopes, description, created_us, disabled) VALUES (:id, :secret, :scopes, :d, :c, "
             ":x)",
        soci::use(row.id), soci::use(row.secret_hash), soci::use(row.scopes),
        soci::use(row.description), soci::use(created), soci::use(disabled);
  } catch (const std::exception& e) {
    if (store::is_unique_violation(e))
      throw core::conflict(std::string(what) + " '" + row.id + "' already exists", id_column);
    throw;
  }
}

std::optional<AccountRow> find_account(soci::session& s, const std::string& sql,
                                       const std::string& id) {
  soci::row r;
  s << sql, soci::use(id), soci::into(r);
  if (!s.got_data()) return std::nullopt;
  return account_from_row(r);
}

}  // namespace

void insert_key(soci::session& s, const KeyRow& k) {
  long long created = core::to_unix_us(k.created), activate = core::to_unix_us(k.activate);
  auto retire = store::bind_time(k.retire), verify = store::bind_time(k.verify_until);
  s << "INSERT INTO identity_keys (kid, alg, public_jwk, private_sealed, created_us, activate_us, "
       "retire_us, verify_until_us) VALUES (:kid, :alg, :pub, :priv, :c, :a, :r, :v)",
      soci::use(k.kid), soci::use(k.alg), soci::use(k.public_jwk), soci::use(k.private_sealed),
      soci::use(created), soci::use(activate), soci::use(retire.value, retire.indicator),
      soci::use(verify.value, verify.indicator);
}

std::vector<KeyRow> all_keys(soci::session& s) {
  std::vector<KeyRow> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT kid, alg, public_jwk, private_sealed, created_us, activate_us, "
                    "retire_us, verify_until_us FROM identity_keys ORDER BY activate_us, kid");
  for (auto& r : rows) out.push_back(key_from_row(r));
  return out;
}

void schedule_retirement(soci::session& s, const std::string& kid, core::SystemTime retire,
                         core::SystemTime verify_until) {
  long long r = core::to_unix_us(retire), v = core::to_unix_us(verify_until);
  s << "UPDATE identity_keys SET retire_us = :r, verify_until_us = :v WHERE kid = :k", soci::use(r),
      soci::use(v), soci::use(kid);
}

void insert_client(soci::session& s, const AccountRow& row) {
  insert_account(s, "identity_clients", "client_id", "secret_hash", row, "client");
}

std::optional<AccountRow> find_client(soci::session& s, const std::string& client_id) {
  return find_account(s,
                      "SELECT client_id, secret_hash, scopes, description, created_us, disabled "
                      "FROM identity_clients WHERE client_id = :id",
                      client_id);
}

std::vector<AccountRow> all_clients(soci::session& s) {
  std::vector<AccountRow> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT client_id, secret_hash, scopes, description, created_us, disabled "
                    "FROM identity_clients ORDER BY client_id");
  for (auto& r : rows) out.push_back(account_from_row(r));
  return out;
}

std::vector<AccountRow> page_accounts(soci::session& s, AccountKind kind, const std::string& prefix,
                                      const std::string& after, int limit) {
  bool client = kind == AccountKind::kClient;
  std::string id = client ? "client_id" : "username";
  // substr() rather than LIKE: '_' is a legal id character and LIKE is case-insensitive on
  // SQLite; substr compares the same way on both backends.
  std::string sql = "SELECT " + id + (client ? ", secret_hash" : ", password_hash") +
                    ", scopes, description, created_us, disabled FROM " +
                    (client ? "identity_clients" : "identity_users") + " WHERE " + id +
                    " > :after AND (:plen = 0 OR substr(" + id +
                    ", 1, :plen2) = :prefix) ORDER BY " + id + " LIMIT :lim";
  int plen = int(prefix.size()), plen2 = plen, lim = limit;
  std::vector<AccountRow> out;
  soci::rowset<soci::row> rows = (s.prepare << sql, soci::use(after), soci::use(plen),
                                  soci::use(plen2), soci::use(prefix), soci::use(lim));
  for (auto& r : rows) out.push_back(account_from_row(r));
  return out;
}

void insert_user(soci::session& s, const AccountRow& row) {
  insert_account(s, "identity_users", "username", "password_hash", row, "user");
}

std::optional<AccountRow> find_user(soci::session& s, const std::string& username) {
  return find_account(s,
                      "SELECT username, password_hash, scopes, description, created_us, disabled "
                      "FROM identity_users WHERE username = :id",
                      username);
}

void insert_challenge(soci::session& s, const ChallengeRow& c) {
  store::OptionalBind<std::string> key(c.public_key);
  long long created = core::to_unix_us(c.created), expires = core::to_unix_us(c.expires);
  auto consumed = store::bind_time(c.consumed);
  s << "INSERT INTO identity_challenges (nonce, public_key, created_us, expires_us, consumed_us) "
       "VALUES (:n, :k, :c, :e, :u)",
      soci::use(c.nonce), soci::use(key.value, key.indicator), soci::use(created),
      soci::use(expires), soci::use(consumed.value, consumed.indicator);
}

void delete_challenges_expired_before(soci::session& s, core::SystemTime horizon) {
  long long h = core::to_unix_us(horizon);
  s << "DELETE FROM identity_challenges WHERE expires_us < :h", soci::use(h);
}

std::optional<ChallengeRow> find_challenge(soci::session& s, const std::string& nonce) {
  soci::row r;
  s << "SELECT nonce, public_key, created_us, expires_us, consumed_us FROM identity_challenges "
       "WHERE nonce = :n",
      soci::use(nonce), soci::into(r);
  if (!s.got_data()) return std::nullopt;
  ChallengeRow c;
  c.nonce = r.get<std::string>(0);
  c.public_key = store::row_optional<std::string>(r, 1);
  c.created = store::row_time(r, 2);
  c.expires = store::row_time(r, 3);
  c.consumed = store::row_optional<core::SystemTime>(r, 4);
  return c;
}

bool consume_challenge(soci::session& s, const std::string& nonce, core::SystemTime now) {
  long long t = core::to_unix_us(now);
  soci::statement st =
      (s.prepare << "UPDATE identity_challenges SET consumed_us = :t "
                    "WHERE nonce = :n AND consumed_us IS NULL AND expires_us > :t2",
       soci::use(t), soci::use(nonce), soci::use(t));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

}  // namespace registrar::identity
