#include "identity/module_key_store.h"

#include "core/error.h"
#include "store/database.h"

namespace registrar::identity {

store::Migration module_key_migration(int version) {
  store::Migration m;
  m.version = version;
  m.description = "signing keys of other modules (published in the JWKS)";
  m.statements = {
      "CREATE TABLE identity_module_keys ("
      " kid VARCHAR(128) PRIMARY KEY,"
      " owner VARCHAR(64) NOT NULL,"
      " alg VARCHAR(16) NOT NULL,"
      " public_jwk TEXT NOT NULL,"
      " private_sealed TEXT NOT NULL,"
      " created_us BIGINT NOT NULL)",
  };
  return m;
}

namespace {

constexpr const char* kColumns = "kid, owner, alg, public_jwk, private_sealed, created_us";

ModuleKeyRow from_row(const soci::row& r) {
  ModuleKeyRow k;
  k.kid = r.get<std::string>(0);
  k.owner = r.get<std::string>(1);
  k.alg = r.get<std::string>(2);
  k.public_jwk = r.get<std::string>(3);
  k.private_sealed = r.get<std::string>(4);
  k.created_us = store::row_int(r, 5);
  return k;
}

std::optional<ModuleKeyRow> find(soci::session& s, const std::string& kid) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kColumns << " FROM identity_module_keys WHERE kid = :k",
       soci::use(kid));
  for (const auto& r : rows) return from_row(r);
  return std::nullopt;
}

}  // namespace

ModuleKeyRow insert_module_key_if_absent(soci::session& s, const ModuleKeyRow& row) {
  // ON CONFLICT DO NOTHING (both backends): a concurrent creator's key wins, ours is dropped.
  long long created = row.created_us;
  s << "INSERT INTO identity_module_keys (kid, owner, alg, public_jwk, private_sealed, created_us)"
       " VALUES (:kid, :owner, :alg, :jwk, :sealed, :created) ON CONFLICT (kid) DO NOTHING",
      soci::use(row.kid), soci::use(row.owner), soci::use(row.alg), soci::use(row.public_jwk),
      soci::use(row.private_sealed), soci::use(created);
  auto stored = find(s, row.kid);
  if (!stored) throw core::Error(core::ErrorKind::kInternal, "module key vanished: " + row.kid);
  return *stored;
}

std::vector<ModuleKeyRow> all_module_keys(soci::session& s) {
  std::vector<ModuleKeyRow> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kColumns << " FROM identity_module_keys ORDER BY kid");
  for (const auto& r : rows) out.push_back(from_row(r));
  return out;
}

}  // namespace registrar::identity
