#include "identity/oauth_api.h"

#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/base64.h"
#include "core/error.h"
#include "core/log.h"
#include "crypto/jws.h"
#include "crypto/jwt.h"
#include "http/burst.h"
#include "identity/module_keys.h"

namespace registrar::identity {

namespace {

using http::Json;
using http::Request;
using http::Response;

Response oauth_error(const OAuthError& e) {
  Response r = Response::json(e.status, {{"error", e.error}, {"error_description", e.description}});
  r.headers.set("Cache-Control", "no-store");
  if (e.status == 401) r.headers.set("WWW-Authenticate", "Basic realm=\"registrar\"");
  return r;
}

std::map<std::string, std::string> form_params(const Request& req) {
  auto ct = req.headers.get("Content-Type");
  if (!ct || !http::iequals(ct->substr(0, ct->find(';')), "application/x-www-form-urlencoded"))
    throw OAuthError{400, "invalid_request",
                     "Content-Type must be application/x-www-form-urlencoded"};
  auto pairs = http::parse_form(req.body);
  if (!pairs) throw OAuthError{400, "invalid_request", "malformed form body"};
  std::map<std::string, std::string> out;
  for (auto& [k, v] : *pairs) {
    // RFC 6749 §3.2: parameters must not be included more than once.
    if (!out.emplace(k, v).second)
      throw OAuthError{400, "invalid_request", "parameter " + k + " is repeated"};
  }
  return out;
}

std::string param(const std::map<std::string, std::string>& p, const std::string& name) {
  auto it = p.find(name);
  return it == p.end() ? "" : it->second;
}

// Client authentication: HTTP Basic (RFC 6749 §2.3.1) or client_id/client_secret in the body.
Account authenticate_client(const Request& req, const std::map<std::string, std::string>& p,
                            Accounts& accounts) {
  std::string id, secret;
  auto auth = req.headers.get("Authorization");
  bool in_body = p.count("client_secret") > 0;
  if (auth && auth->size() > 6 && http::iequals(auth->substr(0, 6), "Basic ")) {
    if (in_body)
      throw OAuthError{400, "invalid_request", "use one client authentication method, not two"};
    auto decoded = core::base64_decode_lenient(auth->substr(6));
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos)
      throw OAuthError{401, "invalid_client", "malformed Basic credentials"};
    auto u = http::percent_decode(decoded->substr(0, colon), true);
    auto s = http::percent_decode(decoded->substr(colon + 1), true);
    if (!u || !s) throw OAuthError{401, "invalid_client", "malformed Basic credentials"};
    id = *u;
    secret = *s;
  } else if (in_body) {
    id = param(p, "client_id");
    secret = param(p, "client_secret");
  } else {
    throw OAuthError{401, "invalid_client", "client authentication is required"};
  }
  auto client = accounts.authenticate_client(id, secret, address_of(req.remote));
  if (!client) throw OAuthError{401, "invalid_client", "unknown client or wrong secret"};
  return *client;
}

// The scopes to grant: the requested ones when all are allowed, all allowed ones when none asked.
std::vector<std::string> grant_scopes(const std::string& requested,
                                      const std::vector<std::string>& allowed) {
  if (requested.empty()) return allowed;
  std::vector<std::string> out;
  for (auto& s : crypto::split_scopes(requested)) {
    if (std::find(allowed.begin(), allowed.end(), s) == allowed.end())
      throw OAuthError{400, "invalid_scope", "scope " + s + " is not granted to this account"};
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

Json token_body(const TokenService::Issued& t) {
  return {{"access_token", t.access_token},
          {"token_type", "Bearer"},
          {"expires_in", t.expires_in},
          {"scope", t.scope}};
}

// A public client (identity.public_clients) names itself with client_id alone, and only for the
// password grant: the person's password is the credential, and a page cannot keep a secret.
std::optional<Account> public_client(const Request& req,
                                     const std::map<std::string, std::string>& p,
                                     const std::string& grant,
                                     const std::vector<std::string>& public_clients) {
  if (req.headers.get("Authorization") || p.count("client_secret") || !p.count("client_id"))
    return std::nullopt;
  const std::string& id = p.at("client_id");
  if (std::find(public_clients.begin(), public_clients.end(), id) == public_clients.end())
    return std::nullopt;
  if (grant != "password")
    throw OAuthError{400, "unauthorized_client",
                     "client " + id + " may only use the password grant"};
  return Account{id, {}};
}

Response token_endpoint(Request& req, Accounts& accounts, TokenService& tokens,
                        const std::vector<std::string>& public_clients) {
  try {
    auto p = form_params(req);
    std::string grant = param(p, "grant_type");
    if (grant.empty()) throw OAuthError{400, "invalid_request", "grant_type is required"};
    if (grant != "client_credentials" && grant != "password")
      throw OAuthError{400, "unsupported_grant_type", "grant_type " + grant + " is not supported"};
    auto as_public = public_client(req, p, grant, public_clients);
    Account client = as_public ? *as_public : authenticate_client(req, p, accounts);
    Json body;
    if (grant == "client_credentials") {
      auto scopes = grant_scopes(param(p, "scope"), client.scopes);
      body = token_body(tokens.issue(client.id, client.id, scopes));
    } else {
      body = password_grant(accounts, tokens, client, param(p, "username"), param(p, "password"),
                            param(p, "scope"), address_of(req.remote));
    }
    log::info("token_issued", {{"request_id", req.request_id},
                               {"client", client.id},
                               {"grant", grant},
                               {"scope", body["scope"]}});
    Response r = Response::json(200, body);
    r.headers.set("Cache-Control", "no-store");
    r.headers.set("Pragma", "no-cache");
    return r;
  } catch (const OAuthError& e) {
    return oauth_error(e);
  }
}

// GET /v1/identity/whoami: what the bearer token grants. Written by hand: with the token cache
// off it is the JWT-validation benchmark's route, where the JSON tree showed in the profile.
Response whoami(const http::Principal& p) {
  std::string body;
  body.reserve(128);
  auto field = [&body](std::string_view name, std::string_view value) {
    body.append(body.empty() ? "{\"" : ",\"").append(name).append("\":\"");
    log::append_json_escaped(body, value);
    body += '"';
  };
  field("subject", p.subject);
  field("client_id", p.client_id);
  field("issuer", p.issuer);
  body += ",\"scopes\":[";
  for (size_t i = 0; i < p.scopes.size(); ++i) {
    body.append(i ? ",\"" : "\"");
    log::append_json_escaped(body, p.scopes[i]);
    body += '"';
  }
  body.append("],\"expires_at\":").append(std::to_string(p.expires_at)).append("}");
  return Response::text(200, std::move(body), "application/json");
}

Response introspect_endpoint(Request& req, Accounts& accounts, TokenService& tokens) {
  try {
    auto p = form_params(req);
    authenticate_client(req, p, accounts);
    std::string token = param(p, "token");
    if (token.empty()) throw OAuthError{400, "invalid_request", "token is required"};
    TokenCheck check = tokens.validate(token);
    Json body = {{"active", check.ok}};
    if (check.ok) {
      const TokenInfo& t = check.token->info;
      std::string scope;
      for (auto& s : t.scopes) scope += (scope.empty() ? "" : " ") + s;
      body.update({{"scope", scope},
                   {"client_id", t.client_id},
                   {"sub", t.subject},
                   {"iss", t.issuer},
                   {"exp", t.expires_at},
                   {"iat", t.issued_at},
                   {"token_type", "Bearer"}});
      if (!t.token_id.empty()) body["jti"] = t.token_id;
      if (t.username) body["username"] = *t.username;
      if (!t.audience.empty()) body["aud"] = t.audience;
    }
    Response r = Response::json(200, body);
    r.headers.set("Cache-Control", "no-store");
    return r;
  } catch (const OAuthError& e) {
    return oauth_error(e);
  }
}

// Importing a key is not free (an Ed25519 key's subgroup check costs about as much as a
// verification; RSA parsing more), and verifiers usually see the same device or partner keys over
// and over. So parsed keys are kept in a bounded map, by a BLAKE2b digest of their text: keyed
// by the text itself, 4,096 entries of up to 128 KiB each were half a gigabyte within reach of
// any token (security issue 17). The text is capped too: no public key we accept is near it.
constexpr size_t kMaxPublicKeyText = 16 * 1024;

crypto::PublicKey cached_public_key(const Json& pk) {
  static std::mutex mu;
  static std::unordered_map<std::string, crypto::PublicKey> cache;
  constexpr size_t kMax = 4096;
  std::string text = pk.is_string() ? pk.get<std::string>() : pk.dump();
  if (text.size() > kMaxPublicKeyText)
    throw core::invalid_argument(
        "public_key is longer than " + std::to_string(kMaxPublicKeyText) + " bytes", "public_key");
  std::string digest(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(digest.data()), digest.size(),
                     reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(digest); it != cache.end()) return it->second;
  }
  crypto::PublicKey key =
      pk.is_object() ? crypto::PublicKey::from_jwk(pk) : crypto::parse_public_key_any(text);
  std::lock_guard lock(mu);
  if (cache.size() >= kMax) cache.clear();
  cache.emplace(std::move(digest), key);
  return key;
}

// {"header": <the verified signature's protected header>, "payload": ..., "valid": true}. A JSON
// payload is copied as it came (checked, not rebuilt); any other payload becomes a JSON string,
// invalid UTF-8 replaced, so that an odd payload cannot turn a verified signature into a 500.
std::string verified_jws_body(const crypto::ParsedJws& verified, size_t signature) {
  std::string body = "{\"header\":";
  body += verified.signatures.at(signature).protected_header.dump();
  body += ",\"payload\":";
  if (Json::accept(verified.payload))
    body += verified.payload;
  else
    body += Json(verified.payload).dump(-1, ' ', false, Json::error_handler_t::replace);
  body += ",\"valid\":true}";
  return body;
}

Response jws_failure(const crypto::JoseFailure& failure, const std::string& request_id) {
  Response r = Response::problem(422, "", failure.message, "jws", request_id);
  Json p = Json::parse(r.body);
  p["reason"] = crypto::jose_error_name(failure.reason);
  r.body = p.dump();
  return r;
}

// POST /v1/identity/jws/verify {"jws": compact | flattened | general, "public_key": PEM, base64
// DER SPKI or JWK, "algorithms": [...]} -> 200 {"valid": true, ...} or 422 with the reason.
// The request is checked and the JWS parsed at once; the signature verification itself is
// deferred to the end of the I/O thread's burst (http/burst.h), back to back with the other
// verifications of the requests that arrived with it.
void jws_verify_endpoint(Request& req, http::Responder respond) {
  Json body = req.json_body();
  if (!body.is_object()) throw core::invalid_argument("body must be a JSON object", "body");
  if (!body.contains("jws")) throw core::invalid_argument("jws is required", "jws");
  if (!body.contains("public_key"))
    throw core::invalid_argument("public_key is required", "public_key");
  const Json& pk = body["public_key"];
  if (!pk.is_object() && !pk.is_string())
    throw core::invalid_argument("public_key must be a string or a JWK", "public_key");
  crypto::PublicKey key = cached_public_key(pk);
  crypto::JwsVerifyOptions options;
  options.allowed_algs = {crypto::JwsAlg::kEdDSA, crypto::JwsAlg::kES256, crypto::JwsAlg::kRS256,
                          crypto::JwsAlg::kPS256};
  if (body.contains("algorithms")) {
    if (!body["algorithms"].is_array())
      throw core::invalid_argument("algorithms must be an array", "algorithms");
    options.allowed_algs.clear();
    for (auto& a : body["algorithms"]) {
      auto alg = a.is_string() ? crypto::parse_alg(a.get<std::string>()) : std::nullopt;
      if (!alg) throw core::invalid_argument("unsupported algorithm in algorithms", "algorithms");
      options.allowed_algs.push_back(*alg);
    }
  }
  const Json& jws = body["jws"];
  auto parsed = jws.is_string() ? crypto::parse_jws(jws.get_ref<const std::string&>(), options)
                                : crypto::parse_jws_json(jws, options);
  if (!parsed) return respond(jws_failure(parsed.failure(), req.request_id));

  class Verification final : public http::DeferredWork {
   public:
    Verification(crypto::ParsedJws jws, crypto::PublicKey key, std::string request_id,
                 http::Responder respond)
        : jws_(std::move(jws)),
          key_(std::move(key)),
          request_id_(std::move(request_id)),
          respond_(std::move(respond)) {}
    void heavy() override { outcome_ = crypto::verify_parsed(jws_, key_); }
    void then() override {
      if (!outcome_) return;  // the verification threw (logged); the Responder sends 500
      if (!*outcome_) return respond_(jws_failure(outcome_->failure(), request_id_));
      respond_(Response::text(200, verified_jws_body(jws_, outcome_->value()), "application/json"));
    }

   private:
    crypto::ParsedJws jws_;
    crypto::PublicKey key_;
    std::string request_id_;
    http::Responder respond_;
    std::optional<crypto::JoseResult<size_t>> outcome_;
  };
  http::defer_to_burst_end(std::make_unique<Verification>(std::move(parsed).value(), std::move(key),
                                                          req.request_id, std::move(respond)));
}

}  // namespace

std::map<std::string, std::string> oauth_form(const http::Request& req) {
  return form_params(req);
}
Account oauth_client(const http::Request& req, const std::map<std::string, std::string>& params,
                     Accounts& accounts) {
  return authenticate_client(req, params, accounts);
}
http::Response oauth_error_response(const OAuthError& e) {
  return oauth_error(e);
}

Json password_grant(Accounts& accounts, TokenService& tokens, const Account& client,
                    const std::string& username, const std::string& password,
                    const std::string& scope, const std::string& address) {
  if (username.empty() || password.empty())
    throw OAuthError{400, "invalid_request", "username and password are required"};
  auto user = accounts.authenticate_user(username, password, address);
  if (!user) throw OAuthError{400, "invalid_grant", "unknown user or wrong password"};
  auto scopes = grant_scopes(scope, user->scopes);
  return token_body(tokens.issue(user->id, client.id, scopes, user->id));
}

void add_oauth_routes(http::Router& router, Accounts& accounts, TokenService& tokens,
                      const ModuleKeys& module_keys, std::vector<std::string> public_clients) {
  router
      .post("/oauth2/token",
            [&, public_clients = std::move(public_clients)](Request& r) {
              return token_endpoint(r, accounts, tokens, public_clients);
            })
      .max_body(16 * 1024);
  router
      .post("/oauth2/introspect",
            [&](Request& r) { return introspect_endpoint(r, accounts, tokens); })
      .max_body(32 * 1024);
  router.get("/.well-known/jwks.json", [&](Request&) {
    Json jwks = tokens.keys().jwks();
    for (auto& jwk : module_keys.public_jwks()) jwks["keys"].push_back(std::move(jwk));
    Response r = Response::json(200, jwks);
    r.headers.set("Content-Type", "application/jwk-set+json");
    r.headers.set("Cache-Control", "public, max-age=300");
    return r;
  });
  router.get("/v1/identity/whoami", [](Request& r) { return whoami(*r.principal); })
      .run_inline()
      .require_auth();
  router.add_async(http::Method::kPost, "/v1/identity/jws/verify", jws_verify_endpoint)
      .require_auth()
      .max_body(128 * 1024);
}

}  // namespace registrar::identity
