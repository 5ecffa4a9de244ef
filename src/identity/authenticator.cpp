#include "identity/authenticator.h"

#include "core/clock.h"
#include "core/log.h"

namespace registrar::identity {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

// RFC 6750 §3 challenge; error_description must not contain a double quote.
std::string challenge(std::string_view error, std::string_view description,
                      std::string_view scope) {
  std::string h = "Bearer realm=\"registrar\"";
  if (!error.empty()) h += ", error=\"" + std::string(error) + "\"";
  if (!description.empty()) {
    std::string d(description);
    for (char& c : d)
      if (c == '"' || c == '\\' || c < 0x20) c = '\'';
    h += ", error_description=\"" + d + "\"";
  }
  if (!scope.empty()) h += ", scope=\"" + std::string(scope) + "\"";
  return h;
}

// The 401 / 403 with the RFC 6750 challenge. Routes of protocols with their own answer (DHP's
// plain text, MOSIP's envelope) rewrite it in their ErrorFormat from the status and the code.
http::Failure failure(const http::Route& route, int status, std::string_view error,
                      std::string_view description) {
  http::Failure f =
      status == 403
          ? http::forbidden(std::string(error), std::string(description), "Authorization")
          : http::unauthenticated(std::string(error), std::string(description), "Authorization");
  f.headers.set("WWW-Authenticate",
                challenge(error, status == 401 && error.empty() ? "" : description,
                          status == 403 ? join(route.scopes) : ""));
  return f;
}

}  // namespace

std::string_view bearer_token(const http::Request& request) {
  auto h = request.headers.get("Authorization");
  if (!h || h->size() < 7 || !http::iequals(h->substr(0, 7), "Bearer ")) return {};
  std::string_view token = h->substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  // App ID clients send "Bearer <access_token> <id_token>": the access token comes first.
  if (auto space = token.find(' '); space != std::string_view::npos) token = token.substr(0, space);
  return token;
}

namespace {

// The outcome of a token check for this request: the principal, or the 401/403.
std::optional<http::Failure> decide(http::Request& req, const http::Route& route,
                                    TokenCheck check) {
  if (!check.ok) {
    log::info("token_rejected", {{"request_id", req.request_id}, {"reason", check.error}});
    return failure(route, 401, "invalid_token", check.error);
  }
  // Shares the cached token's Principal: no copy per request.
  std::shared_ptr<const http::Principal> p(check.token, &check.token->principal);
  for (auto& s : route.scopes) {
    if (!p->has_scope(s))
      return failure(route, 403, "insufficient_scope", "the token lacks scope " + s);
  }
  req.principal = std::move(p);
  return std::nullopt;
}

class PendingSignature : public http::PendingAuthentication {
 public:
  explicit PendingSignature(TokenService::Validation v) : validation_(std::move(v)) {}
  void run_heavy() override { validation_.verify_signature(); }
  std::optional<http::Failure> finish(http::Request& req, const http::Route& route) override {
    return decide(req, route, std::move(validation_).finish());
  }

 private:
  TokenService::Validation validation_;
};

}  // namespace

std::optional<http::Failure> BearerAuthenticator::authenticate(http::Request& req,
                                                               const http::Route& route) {
  std::optional<http::Failure> decision;
  if (auto pending = start(req, route, decision)) {
    pending->run_heavy();
    return pending->finish(req, route);
  }
  return decision;
}

std::unique_ptr<http::PendingAuthentication> BearerAuthenticator::start(
    http::Request& req, const http::Route& route, std::optional<http::Failure>& decision) {
  std::string_view token = bearer_token(req);
  if (token.empty()) {
    decision = failure(route, 401, "", "a bearer token is required");
    return nullptr;
  }
  TokenService::Validation v = tokens_.start_validation(token);
  if (v.needs_signature()) return std::make_unique<PendingSignature>(std::move(v));
  decision = decide(req, route, std::move(v).finish());
  return nullptr;
}

}  // namespace registrar::identity
