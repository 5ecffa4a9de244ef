// The identity module's configuration keys (identity.*) and their typed form.
#pragma once

#include <string>

#include "core/config.h"
#include "identity/challenges.h"
#include "identity/keystore.h"
#include "identity/login_guard.h"
#include "identity/revocation.h"
#include "identity/secrets.h"
#include "identity/tokens.h"

namespace registrar::identity {

struct IdentityConfig {
  std::string master_key;
  std::string master_key_file;
  bool create_master_key = true;
  HashCost hash_cost = HashCost::kInteractive;
  LoginGuardSettings login;
  KeySettings keys;
  TokenSettings tokens;
  ChallengeSettings challenges;
  RevocationSettings revocation;
  std::string admin_scope = "identity:admin";  // the /v1/identity admin routes
  // Clients that run in a browser (the console): the password grant with a client_id and no
  // secret, which such a client could not keep. No other grant.
  std::vector<std::string> public_clients;
};

void declare_identity_config(core::ConfigSchema& schema);
IdentityConfig read_identity_config(const core::Config& config);

}  // namespace registrar::identity
