// SQL of the identity module: signing keys, OAuth2 clients and users. Every function takes the
// caller's session, so the service decides the transaction. Times are unix seconds.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "store/migrations.h"

namespace registrar::identity {

std::vector<store::Migration> identity_migrations();

struct KeyRow {
  std::string kid;
  std::string alg;
  std::string public_jwk;      // JSON text
  std::string private_sealed;  // MasterKey::seal of the PKCS#8 PEM, context = kid
  int64_t created_at = 0;
  int64_t activate_at = 0;              // starts signing
  std::optional<int64_t> retire_at;     // stops signing
  std::optional<int64_t> verify_until;  // leaves the JWKS
};

void insert_key(soci::session& s, const KeyRow& row);
std::vector<KeyRow> all_keys(soci::session& s);
void schedule_retirement(soci::session& s, const std::string& kid, int64_t retire_at,
                         int64_t verify_until);

struct AccountRow {
  std::string id;  // client_id or username
  std::string secret_hash;
  std::string scopes;  // space-separated
  std::string description;
  int64_t created_at = 0;
  bool disabled = false;
};

// Throws core::Error(kConflict) when the id exists.
void insert_client(soci::session& s, const AccountRow& row);
std::optional<AccountRow> find_client(soci::session& s, const std::string& client_id);
std::vector<AccountRow> all_clients(soci::session& s);
void insert_user(soci::session& s, const AccountRow& row);
std::optional<AccountRow> find_user(soci::session& s, const std::string& username);

}  // namespace registrar::identity
