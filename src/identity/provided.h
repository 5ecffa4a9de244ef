// What identity offers other modules through the service registry (services/*.h): signing keys
// of their own (module_keys.h), sealing with the master key, and authentication of people and
// clients. Built by the identity module's start() and registered there.
#pragma once

#include "identity/accounts.h"
#include "identity/secrets.h"
#include "identity/tokens.h"
#include "services/authentication.h"
#include "services/sealing.h"

namespace registrar::identity {

class MasterKeySealing final : public services::Sealing {
 public:
  explicit MasterKeySealing(const MasterKey& master) : master_(master) {}
  std::string seal(std::string_view plaintext, std::string_view context) const override {
    return master_.seal(plaintext, context);
  }
  std::optional<std::string> open(std::string_view sealed,
                                  std::string_view context) const override {
    return master_.open(sealed, context);
  }

 private:
  const MasterKey& master_;
};

class AccountAuthentication final : public services::Authentication {
 public:
  AccountAuthentication(Accounts& accounts, TokenService& tokens)
      : accounts_(accounts), tokens_(tokens) {}
  std::shared_ptr<const http::Principal> user(const std::string& username,
                                              std::string_view password) override;
  std::shared_ptr<const http::Principal> client(const std::string& client_id,
                                                std::string_view secret) override;
  std::shared_ptr<const http::Principal> token(std::string_view token) override;
  std::string issue_token(const std::string& subject, const std::string& client_id,
                          const std::vector<std::string>& scopes) override;

 private:
  Accounts& accounts_;
  TokenService& tokens_;
};

}  // namespace registrar::identity
