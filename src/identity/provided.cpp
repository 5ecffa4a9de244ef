#include "identity/provided.h"

namespace registrar::identity {

namespace {
std::shared_ptr<const http::Principal> principal_of(const std::optional<Account>& account,
                                                    const TokenService& tokens) {
  if (!account) return nullptr;
  auto p = std::make_shared<http::Principal>();
  p->subject = account->id;
  p->client_id = account->id;
  p->issuer = tokens.settings().issuer;
  p->scopes = account->scopes;
  return p;
}
}  // namespace

std::shared_ptr<const http::Principal> AccountAuthentication::user(const std::string& username,
                                                                   std::string_view password) {
  return principal_of(accounts_.authenticate_user(username, password), tokens_);
}

std::shared_ptr<const http::Principal> AccountAuthentication::client(const std::string& client_id,
                                                                     std::string_view secret) {
  return principal_of(accounts_.authenticate_client(client_id, secret), tokens_);
}

std::shared_ptr<const http::Principal> AccountAuthentication::token(std::string_view token) {
  TokenCheck check = tokens_.validate(token);
  if (!check.ok) return nullptr;
  return std::shared_ptr<const http::Principal>(check.token, &check.token->principal);
}

std::string AccountAuthentication::issue_token(const std::string& subject,
                                               const std::string& client_id,
                                               const std::vector<std::string>& scopes) {
  return tokens_.issue(subject, client_id, scopes).access_token;
}

}  // namespace registrar::identity
