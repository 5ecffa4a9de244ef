// Revocation over HTTP: the admin routes under /v1/identity (bearer token with
// identity.scopes.admin; errors as problem+json) — disable / enable a client or a user, revoke a
// token by jti, retire a signing key at once — and RFC 7009 /oauth2/revoke, where a client
// revokes one of its own tokens.
#pragma once

#include <string>

#include "http/router.h"
#include "identity/accounts.h"
#include "identity/keystore.h"
#include "identity/revocation.h"
#include "identity/tokens.h"

namespace registrar::identity {

void add_revocation_routes(http::Router& router, Accounts& accounts, TokenService& tokens,
                           Revocations& revocations, const std::string& admin_scope);

}  // namespace registrar::identity
