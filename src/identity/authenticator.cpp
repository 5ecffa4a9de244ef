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

// MOSIP's auth adapter answers in the kernel's response envelope, with the HTTP status and the
// codes KER-ATH-401 "Authentication Failed" or KER-ATH-403 "Forbidden"; clients match the code.
http::Response mosip_failure(int status, const core::Clock& clock) {
  const bool forbidden = status == 403;
  http::Json errors =
      http::Json::array({{{"errorCode", forbidden ? "KER-ATH-403" : "KER-ATH-401"},
                          {"message", forbidden ? "Forbidden" : "Authentication Failed"}}});
  return http::Response::json(status, {{"id", nullptr},
                                       {"version", nullptr},
                                       {"responsetime", core::format_rfc3339(clock.now(), true)},
                                       {"metadata", nullptr},
                                       {"response", nullptr},
                                       {"errors", std::move(errors)}});
}

http::Response failure(const http::Request& req, const http::Route& route, int status,
                       std::string_view error, std::string_view description,
                       const core::Clock& clock) {
  std::string scope = join(route.scopes);
  if (route.auth_style == "dhp") {
    // The DHP challenge API (IBM App ID strategy) answers 401 "Unauthorized" in plain text for a
    // bad token and for a missing scope alike, naming the required scope in the challenge.
    http::Response r = http::Response::text(401, "Unauthorized");
    r.headers.set("WWW-Authenticate", "Bearer scope=\"" + scope + "\", error=\"" +
                                          std::string(error.empty() ? "invalid_token" : error) +
                                          "\"");
    return r;
  }
  http::Response r =
      route.auth_style == "mosip"
          ? mosip_failure(status, clock)
          : http::Response::problem(status, "", description, "Authorization", req.request_id);
  r.headers.set("WWW-Authenticate",
                challenge(error, status == 401 && error.empty() ? "" : description,
                          status == 403 ? scope : ""));
  return r;
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
std::optional<http::Response> decide(http::Request& req, const http::Route& route, TokenCheck check,
                                     const core::Clock& clock) {
  if (!check.ok) {
    log::info("token_rejected", {{"request_id", req.request_id}, {"reason", check.error}});
    return failure(req, route, 401, "invalid_token", check.error, clock);
  }
  // Shares the cached token's Principal: no copy per request.
  std::shared_ptr<const http::Principal> p(check.token, &check.token->principal);
  for (auto& s : route.scopes) {
    if (!p->has_scope(s))
      return failure(req, route, 403, "insufficient_scope", "the token lacks scope " + s, clock);
  }
  req.principal = std::move(p);
  return std::nullopt;
}

class PendingSignature : public http::PendingAuthentication {
 public:
  PendingSignature(TokenService::Validation v, const core::Clock& clock)
      : validation_(std::move(v)), clock_(clock) {}
  void run_heavy() override { validation_.verify_signature(); }
  std::optional<http::Response> finish(http::Request& req, const http::Route& route) override {
    return decide(req, route, std::move(validation_).finish(), clock_);
  }

 private:
  TokenService::Validation validation_;
  const core::Clock& clock_;
};

}  // namespace

std::optional<http::Response> BearerAuthenticator::authenticate(http::Request& req,
                                                                const http::Route& route) {
  std::optional<http::Response> decision;
  if (auto pending = start(req, route, decision)) {
    pending->run_heavy();
    return pending->finish(req, route);
  }
  return decision;
}

std::unique_ptr<http::PendingAuthentication> BearerAuthenticator::start(
    http::Request& req, const http::Route& route, std::optional<http::Response>& decision) {
  std::string_view token = bearer_token(req);
  if (token.empty()) {
    decision = failure(req, route, 401, "", "a bearer token is required", tokens_.clock());
    return nullptr;
  }
  TokenService::Validation v = tokens_.start_validation(token);
  if (v.needs_signature()) return std::make_unique<PendingSignature>(std::move(v), tokens_.clock());
  decision = decide(req, route, std::move(v).finish(), tokens_.clock());
  return nullptr;
}

}  // namespace registrar::identity
