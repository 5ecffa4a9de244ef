// SQL of the signing keys other modules sign with (services/signing.h): one row per kid, the
// private key sealed with the master key (context: the kid). Every function takes the caller's
// session, so the service decides the transaction.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "store/migrations.h"

namespace registrar::identity {

store::Migration module_key_migration(int version);

struct ModuleKeyRow {
  std::string kid;
  std::string owner;  // the module that asked for it
  std::string alg;
  std::string public_jwk;      // JSON text, with kid, alg and use "sig"
  std::string private_sealed;  // MasterKey::seal of the PKCS#8 PEM, context = "module-key:" + kid
  int64_t created_us = 0;
};

// Inserts unless `kid` exists (another instance may have created it first); returns the row that
// is stored afterwards.
ModuleKeyRow insert_module_key_if_absent(soci::session& s, const ModuleKeyRow& row);
std::vector<ModuleKeyRow> all_module_keys(soci::session& s);

}  // namespace registrar::identity
