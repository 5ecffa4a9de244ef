// HTTP routes for identity challenges: the clean API under /v1/identity/challenges and the
// DHP-compatible /login, /generate, /verify (and /health) under identity.dhp_prefix, with the
// DHP request/response shapes and error envelope.
#include "core/error.h"
#include "core/log.h"
#include "identity/accounts.h"
#include "identity/challenges.h"
#include "identity/dhp_http.h"
#include "identity/oauth_api.h"
#include "identity/tokens.h"

namespace registrar::identity {

namespace {

using http::Json;
using http::Request;
using http::Response;

std::optional<std::string> optional_string(const Json& body, const char* name) {
  if (!body.is_object() || !body.contains(name) || body[name].is_null()) return std::nullopt;
  if (!body[name].is_string())
    throw core::invalid_argument(std::string(name) + " must be a string", name);
  return body[name].get<std::string>();
}

// The DHP error envelope (common/response.js): errorCode is the status as a string.
Response dhp_error(int status, const std::string& trace, const std::string& path = "") {
  std::string message = status >= 500 ? "Server Error" : "Bad Request";
  if (status == 404) message = "Not Found";
  if (status == 503) message = "Service Unavailable";
  return Response::json(status, {{"message", message},
                                 {"trace", trace},
                                 {"errors", Json::array({{{"errorCode", std::to_string(status)},
                                                          {"message", message},
                                                          {"path", path}}})}});
}

// Every error under the DHP prefix as the DHP service writes it: an authentication failure is
// App ID's plain-text 401 naming the route's scopes (for a missing scope too); an unknown path or
// method is Express's 404 "No route found"; anything else is the error envelope.
class DhpErrorFormat final : public http::ErrorFormat {
 public:
  std::string name() const override { return "dhp"; }
  Response render(const http::Failure& f, const Request&, const http::Route* route) const override {
    if (f.status == 401 || f.status == 403) {
      Response r = Response::text(401, "Unauthorized");
      std::string scope;
      if (route)
        for (auto& s : route->scopes) scope += (scope.empty() ? "" : " ") + s;
      std::string error = f.code == "insufficient_scope" ? "insufficient_scope" : "invalid_token";
      r.headers.set("WWW-Authenticate", "Bearer scope=\"" + scope + "\", error=\"" + error + "\"");
      return r;
    }
    if (f.status == 404 || f.status == 405) {
      Response r = Response::json(404, {{"error", {{"message", "No route found"}}}});
      return r;
    }
    return dhp_error(f.status, f.message, f.field);
  }
};

const char* const kDhpLoginNotConfigured =
    "DHP login is not configured on this server: identity.dhp_login_client is not set";

// DHP bodies may be JSON or form-encoded (the original installs both parsers); a body of another
// type is ignored, as neither parser takes it.
Json dhp_body(const Request& req) {
  switch (dhp_body_kind(req)) {
    case DhpBody::kForm: {
      auto pairs = http::parse_form(req.body);
      if (!pairs) throw core::invalid_argument("malformed form body", "body");
      Json j = Json::object();
      for (auto& [k, v] : *pairs) j[k] = v;
      return j;
    }
    case DhpBody::kIgnored:
      return Json::object();
    case DhpBody::kJson:
      break;
  }
  if (req.body.empty()) return Json::object();
  return req.json_body();
}

Response clean_generate(Request& req, ChallengeService& svc) {
  Json body = req.body.empty() ? Json::object() : req.json_body();
  if (!body.is_object()) throw core::invalid_argument("body must be a JSON object", "body");
  Challenge c = svc.generate(optional_string(body, "public_key"), req.actor(), req.request_id);
  return Response::json(
      201,
      {{"nonce", c.nonce},
       {"expires_at", core::format_rfc3339(core::SystemTime(std::chrono::seconds(c.expires_at)))},
       {"bound_to_key", c.bound}});
}

Response clean_verify(Request& req, ChallengeService& svc) {
  Json body = req.json_body();
  if (!body.is_object()) throw core::invalid_argument("body must be a JSON object", "body");
  if (!body.contains("signature"))
    throw core::invalid_argument("signature is required", "signature");
  VerifyOutcome o = svc.verify(optional_string(body, "public_key"), body["signature"], req.actor(),
                               req.request_id);
  if (o.verified)
    return Response::json(
        200, {{"verified", true}, {"nonce", o.nonce}, {"key_thumbprint", o.key_thumbprint}});
  int status = 422;
  const char* field = "signature";
  switch (o.failure) {
    case ChallengeFailure::kMalformedRequest:
    case ChallengeFailure::kBadJws:
      status = 400;
      break;
    case ChallengeFailure::kBadKey:
    case ChallengeFailure::kNoKey:
      status = 400;
      field = "public_key";
      break;
    case ChallengeFailure::kUnknownNonce:
      status = 404;
      break;
    case ChallengeFailure::kExpired:
    case ChallengeFailure::kAlreadyUsed:
      status = 410;
      break;
    case ChallengeFailure::kKeyMismatch:
      status = 403;
      field = "public_key";
      break;
    default:
      break;
  }
  Response r = Response::problem(status, "", o.reason, field, req.request_id);
  Json p = Json::parse(r.body);
  p["verified"] = false;
  p["reason"] = challenge_failure_name(o.failure);
  r.body = p.dump();
  return r;
}

Response dhp_generate(Request& req, ChallengeService& svc) {
  Json body;
  try {
    body = dhp_body(req);
    Challenge c = svc.generate(optional_string(body, "public_key"), req.actor(), req.request_id);
    return Response::json(200, {{"challenge", {{"nonce", c.nonce}}}});
  } catch (const core::Error& e) {
    if (e.kind() != core::ErrorKind::kInvalidArgument) throw;
    return dhp_error(400, e.what(), e.field());
  }
}

// The DHP /verify always answers 200 and reports failure in the body.
Response dhp_verify(Request& req, ChallengeService& svc) {
  Json body;
  try {
    body = dhp_body(req);
  } catch (const core::Error& e) {
    return Response::json(200, {{"verified", false}, {"reason", e.what()}});
  }
  auto key = body.is_object() && body.contains("public_key") && body["public_key"].is_string()
                 ? std::optional<std::string>(body["public_key"].get<std::string>())
                 : std::nullopt;
  if (!key) return Response::json(200, {{"verified", false}, {"reason", "public_key is required"}});
  if (!body.contains("signature"))
    return Response::json(
        200, {{"verified", false}, {"reason", "JWS malformed or invalid serialization"}});
  VerifyOutcome o = svc.verify(key, body["signature"], req.actor(), req.request_id);
  if (o.verified) return Response::json(200, {{"verified", true}});
  std::string reason = o.reason;
  switch (o.failure) {
    case ChallengeFailure::kUnknownNonce:
    case ChallengeFailure::kExpired:
    case ChallengeFailure::kKeyMismatch:
    case ChallengeFailure::kAlreadyUsed:
      reason = "The nonce has expired or there is a public key mismatch";
      break;
    case ChallengeFailure::kBadJws:
      if (reason.find("alg") == std::string::npos)
        reason = "JWS malformed or invalid serialization";
      break;
    default:
      break;
  }
  return Response::json(200, {{"verified", false}, {"reason", reason}});
}

Response dhp_login(Request& req, Accounts& accounts, TokenService& tokens,
                   const ChallengeSettings& settings) {
  Json body;
  try {
    body = dhp_body(req);
  } catch (const core::Error& e) {
    return dhp_error(400, e.what());
  }
  // Not configured is the operator's to fix, not the caller's, and retrying will not help: 503
  // without Retry-After, naming the key (the original answers 500 "Invalid client_id and secret
  // configuration" when App ID refuses its client; docs/compatibility.md).
  if (settings.dhp_login_client.empty()) return dhp_error(503, kDhpLoginNotConfigured);
  auto str = [&](const char* k) {
    return body.is_object() && body.contains(k) && body[k].is_string() ? body[k].get<std::string>()
                                                                       : std::string();
  };
  try {
    // The login client is ours (configured), so it is trusted without a secret here.
    Account client{settings.dhp_login_client, {}};
    Json token = password_grant(accounts, tokens, client, str("username"), str("password"), "",
                                address_of(req.remote));
    token["id_token"] = tokens.issue_id_token(str("username"), settings.dhp_login_client);
    return Response::json(200, token);
  } catch (const OAuthError&) {
    return dhp_error(400, "Invalid client_id/username/password given in the request");
  }
}

// The DHP-compatible routes under identity.dhp_prefix ("" at the root), with what the original's
// Express bootstrap adds to all of them: its error shapes, CORS as cors() answers by default,
// x-correlation-id and JSON's charset. The prefix (or, at the root, each route's path) is theirs
// alone: another route there is refused at start.
void add_dhp_routes(http::Router& router, ChallengeService& challenges, Accounts& accounts,
                    TokenService& tokens, const ChallengeSettings& settings) {
  const std::string& p = settings.dhp_prefix;
  // web/openapi.yaml describes the DHP routes once, under the default prefix; the served
  // document lists them under the configured one.
  const std::string documented = "/dhp";
  const size_t first = router.routes().size();
  if (settings.dhp_login_client.empty())
    log::warn("dhp_login_not_configured",
              {{"route", "POST " + p + "/login"},
               {"why",
                "identity.dhp_login_client is not set: DHP /login answers 503 until it names the "
                "client whose password grant /login runs"}});
  router
      .post(p + "/login", [&accounts, &tokens, settings](
                              Request& r) { return dhp_login(r, accounts, tokens, settings); })
      .max_body(16 * 1024)
      .document_as(documented + "/login");
  router.post(p + "/generate", [&](Request& r) { return dhp_generate(r, challenges); })
      .require_scopes({settings.scope_generate})
      .max_body(64 * 1024)
      .document_as(documented + "/generate");
  router.post(p + "/verify", [&](Request& r) { return dhp_verify(r, challenges); })
      .require_scopes({settings.scope_verify})
      .max_body(128 * 1024)
      .document_as(documented + "/verify");
  router.get(p + "/health",
             [](Request&) {
               return Response::json(200, {{"status", "UP"}});
             })
      .document_as(documented + "/health")
      .run_inline();
  router.get(p + "/api-docs", [p](Request& r) { return dhp_api_docs(r, p); })
      .document_as(documented + "/api-docs")
      .run_inline();
  const auto all = router.routes();
  const std::vector<const http::Route*> owned(all.begin() + std::ptrdiff_t(first), all.end());

  auto errors = std::make_shared<DhpErrorFormat>();
  http::CorsPolicy cors;  // Express cors()'s defaults: its methods, the headers asked for
  cors.origins = settings.dhp_cors_origins;
  auto policy = std::make_shared<const http::CorsPolicy>(std::move(cors));
  for (const std::string& group : dhp_groups(p)) {
    router.set_error_format(group, errors);
    // Without origins, CORS here is whatever server.cors says (nothing by default).
    if (!policy->origins.empty()) router.set_cors(group, policy);
    router.on_response(group, dhp_response_headers);
    router.reserve_prefix(
        group, owned, "the DHP routes (identity.dhp_prefix = \"" + (p.empty() ? "/" : p) + "\")");
  }
}

}  // namespace

void add_challenge_routes(http::Router& router, ChallengeService& challenges, Accounts& accounts,
                          TokenService& tokens, const ChallengeSettings& settings) {
  router.post("/v1/identity/challenges", [&](Request& r) { return clean_generate(r, challenges); })
      .require_scopes({settings.scope_generate})
      .max_body(64 * 1024);
  router
      .post("/v1/identity/challenges/verify",
            [&](Request& r) { return clean_verify(r, challenges); })
      .require_scopes({settings.scope_verify})
      .max_body(128 * 1024);

  add_dhp_routes(router, challenges, accounts, tokens, settings);
}

}  // namespace registrar::identity
