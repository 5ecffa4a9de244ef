#include "http/auth.h"

#include "core/random.h"

namespace registrar::http {

Failure unauthenticated(std::string code, std::string message, std::string field) {
  Failure f;
  f.status = 401;
  f.code = std::move(code);
  f.message = std::move(message);
  f.field = std::move(field);
  return f;
}

Failure forbidden(std::string code, std::string message, std::string field) {
  Failure f = unauthenticated(std::move(code), std::move(message), std::move(field));
  f.status = 403;
  return f;
}

QuerySecretAuthenticator::QuerySecretAuthenticator(std::string parameter, std::string secret,
                                                   std::string subject)
    : parameter_(std::move(parameter)), secret_(std::move(secret)) {
  Principal p;
  p.subject = std::move(subject);
  principal_ = std::make_shared<const Principal>(std::move(p));
}

std::optional<Failure> QuerySecretAuthenticator::authenticate(Request& request, const Route&) {
  std::optional<std::string> presented = request.query_param(parameter_);
  if (secret_.empty() || !presented || !core::secrets_equal(*presented, secret_))
    return unauthenticated("", "missing or wrong " + parameter_ + " secret", parameter_);
  request.principal = principal_;
  return std::nullopt;
}

}  // namespace registrar::http
