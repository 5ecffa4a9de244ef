// The bearer-token authenticator, registered as "bearer" (http::kBearerAuthenticator): the routes
// that require scopes or a token use it unless they name another.
#pragma once

#include "http/router.h"
#include "identity/tokens.h"

namespace registrar::identity {

class BearerAuthenticator : public http::Authenticator {
 public:
  explicit BearerAuthenticator(TokenService& tokens) : tokens_(tokens) {}
  std::optional<http::Failure> authenticate(http::Request& request,
                                            const http::Route& route) override;
  // A token not in the cache leaves its signature to verify to the PendingAuthentication.
  std::unique_ptr<http::PendingAuthentication> start(
      http::Request& request, const http::Route& route,
      std::optional<http::Failure>& decision) override;

 private:
  TokenService& tokens_;
};

// "Bearer <token>" -> token ("" when the header is absent or another scheme).
std::string_view bearer_token(const http::Request& request);

}  // namespace registrar::identity
