#include "identity/store.h"

#include "core/error.h"
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
  return {v1};
}

namespace {

std::optional<int64_t> optional_int(const soci::row& r, size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  return store::row_int(r, i);
}

KeyRow key_from_row(const soci::row& r) {
  KeyRow k;
  k.kid = r.get<std::string>(0);
  k.alg = r.get<std::string>(1);
  k.public_jwk = r.get<std::string>(2);
  k.private_sealed = r.get<std::string>(3);
  k.created_at = store::row_int(r, 4);
  k.activate_at = store::row_int(r, 5);
  k.retire_at = optional_int(r, 6);
  k.verify_until = optional_int(r, 7);
  return k;
}

AccountRow account_from_row(const soci::row& r) {
  AccountRow a;
  a.id = r.get<std::string>(0);
  a.secret_hash = r.get<std::string>(1);
  a.scopes = r.get<std::string>(2);
  a.description = r.get<std::string>(3);
  a.created_at = store::row_int(r, 4);
  a.disabled = store::row_int(r, 5) != 0;
  return a;
}

void insert_account(soci::session& s, const char* table, const char* id_column,
                    const char* secret_column, const AccountRow& row, const char* what) {
  int disabled = row.disabled ? 1 : 0;
  long long created = row.created_at;
  try {
    s << std::string("INSERT INTO ") + table + " (" + id_column + ", " + secret_column +
             ", scopes, description, created_at, disabled) VALUES (:id, :secret, :scopes, :d, :c, "
             ":x)",
        soci::use(row.id), soci::use(row.secret_hash), soci::use(row.scopes),
        soci::use(row.description), soci::use(created), soci::use(disabled);
  } catch (const std::exception& e) {
    if (store::is_unique_violation(e))
      throw core::conflict(std::string(what) + " '" + row.id + "' already exists", "id");
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
  long long created = k.created_at, activate = k.activate_at;
  s << "INSERT INTO identity_keys (kid, alg, public_jwk, private_sealed, created_at, activate_at) "
       "VALUES (:kid, :alg, :pub, :priv, :c, :a)",
      soci::use(k.kid), soci::use(k.alg), soci::use(k.public_jwk), soci::use(k.private_sealed),
      soci::use(created), soci::use(activate);
}

std::vector<KeyRow> all_keys(soci::session& s) {
  std::vector<KeyRow> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT kid, alg, public_jwk, private_sealed, created_at, activate_at, "
                    "retire_at, verify_until FROM identity_keys ORDER BY activate_at, kid");
  for (auto& r : rows) out.push_back(key_from_row(r));
  return out;
}

void schedule_retirement(soci::session& s, const std::string& kid, int64_t retire_at,
                         int64_t verify_until) {
  long long r = retire_at, v = verify_until;
  s << "UPDATE identity_keys SET retire_at = :r, verify_until = :v WHERE kid = :k", soci::use(r),
      soci::use(v), soci::use(kid);
}

void insert_client(soci::session& s, const AccountRow& row) {
  insert_account(s, "identity_clients", "client_id", "secret_hash", row, "client");
}

std::optional<AccountRow> find_client(soci::session& s, const std::string& client_id) {
  return find_account(s,
                      "SELECT client_id, secret_hash, scopes, description, created_at, disabled "
                      "FROM identity_clients WHERE client_id = :id",
                      client_id);
}

std::vector<AccountRow> all_clients(soci::session& s) {
  std::vector<AccountRow> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT client_id, secret_hash, scopes, description, created_at, disabled "
                    "FROM identity_clients ORDER BY client_id");
  for (auto& r : rows) out.push_back(account_from_row(r));
  return out;
}

void insert_user(soci::session& s, const AccountRow& row) {
  insert_account(s, "identity_users", "username", "password_hash", row, "user");
}

std::optional<AccountRow> find_user(soci::session& s, const std::string& username) {
  return find_account(s,
                      "SELECT username, password_hash, scopes, description, created_at, disabled "
                      "FROM identity_users WHERE username = :id",
                      username);
}

}  // namespace registrar::identity
