// HTTP routes of the identity module's token side: RFC 6749 token endpoint (client_credentials and
// password grants), RFC 7662 introspection, the JWKS, whoami, and a JWS verification utility.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "http/router.h"
#include "identity/accounts.h"
#include "identity/tokens.h"

namespace registrar::identity {

class ModuleKeys;

// /oauth2/token, /oauth2/introspect, /.well-known/jwks.json (token keys and other modules' keys),
// /v1/identity/whoami and /v1/identity/jws/verify.
// `public_clients` may use the password grant with client_id and no secret (the console).
void add_oauth_routes(http::Router& router, Accounts& accounts, TokenService& tokens,
                      const ModuleKeys& module_keys, std::vector<std::string> public_clients = {});

// Shared with the DHP /login route: runs a password grant for `client` and returns the RFC 6749
// response body, or throws OAuthError.
struct OAuthError {
  int status;
  std::string error;  // RFC 6749 §5.2 code
  std::string description;
};
// RFC 6749 helpers shared with /oauth2/revoke (revocation_api.cpp): the form body's parameters
// (each at most once), the client's authentication (Basic or in the body; throws OAuthError
// 401), and an OAuthError as the RFC 6749 §5.2 response.
std::map<std::string, std::string> oauth_form(const http::Request& req);
Account oauth_client(const http::Request& req, const std::map<std::string, std::string>& params,
                     Accounts& accounts);
http::Response oauth_error_response(const OAuthError& e);

http::Json password_grant(Accounts& accounts, TokenService& tokens, const Account& client,
                          const std::string& username, const std::string& password,
                          const std::string& scope, const std::string& address);

}  // namespace registrar::identity
