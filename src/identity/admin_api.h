// The identity admin routes the console's "keys, clients and users" page needs, under
// /v1/identity with the bearer scope identity.scopes.admin and problem+json errors naming the
// field; each change is audited as its CLI verb is (identity.client.add, identity.user.add,
// identity.key.rotate and identity.key.retire of the current key; the accounts with the request
// id):
//   GET  /v1/identity/keys                 every key with its state and times
//   POST /v1/identity/keys/rotate          {alg?}: a new key takes over after the publish delay
//   GET  /v1/identity/clients|users        ?prefix=&after=&limit= (ordered by id; next_after)
//   POST /v1/identity/clients              {client_id, scopes, description?}: 201 with the
//                                          generated secret, shown this once (no-store)
//   POST /v1/identity/users                {username, password, scopes, description?}: 201
// Disable / enable and retire are in revocation_api.h.
#pragma once

#include <string>

#include "http/router.h"
#include "identity/accounts.h"
#include "identity/keystore.h"

namespace registrar::identity {

void add_admin_routes(http::Router& router, Accounts& accounts, KeyStore& keys,
                      const std::string& admin_scope);

}  // namespace registrar::identity
