// Who someone is (offered by identity): a module that signs people or clients in by its own means
// (intercoop's portal, a console login) checks their credentials here and gets the same Principal
// the bearer authenticator gives routes, and may hand them a token.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace registrar::services {

class Authentication {
 public:
  static constexpr const char* kName = "identity.authentication";
  virtual ~Authentication() = default;
  // The principal of a user or an OAuth2 client whose password / secret is right; nullopt
  // otherwise (unknown, disabled or wrong: the caller cannot tell which). Blocking (database and
  // a deliberately slow hash): call from a worker.
  virtual std::shared_ptr<const http::Principal> user(const std::string& username,
                                                      std::string_view password) = 0;
  virtual std::shared_ptr<const http::Principal> client(const std::string& client_id,
                                                        std::string_view secret) = 0;
  // The principal of a valid access token (ours or a trusted issuer's); null when not valid.
  virtual std::shared_ptr<const http::Principal> token(std::string_view token) = 0;
  // An access token for `subject` with `scopes`, signed with identity's current key.
  virtual std::string issue_token(const std::string& subject, const std::string& client_id,
                                  const std::vector<std::string>& scopes) = 0;
};

}  // namespace registrar::services
