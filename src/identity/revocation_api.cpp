#include "identity/revocation_api.h"

#include "core/error.h"
#include "core/log.h"
#include "identity/oauth_api.h"

namespace registrar::identity {

namespace {

using http::Json;
using http::Request;
using http::Response;

Json key_json(const KeyInfo& k) {
  return {{"kid", k.kid}, {"alg", crypto::alg_name(k.alg)}, {"state", key_state_name(k.state)}};
}

Response revoke_endpoint(Request& req, Accounts& accounts, TokenService& tokens,
                         Revocations& revocations) {
  try {
    auto p = oauth_form(req);
    Account client = oauth_client(req, p, accounts);
    auto it = p.find("token");
    if (it == p.end() || it->second.empty())
      throw OAuthError{400, "invalid_request", "token is required"};
    Response ok = Response::text(200, "", "text/plain");
    ok.headers.set("Cache-Control", "no-store");
    // RFC 7009 §2.2: an invalid, expired or already revoked token is answered 200 all the same.
    TokenCheck check = tokens.validate(it->second);
    if (!check.ok) return ok;
    const TokenInfo& t = check.token->info;
    if (t.issuer != tokens.settings().issuer)
      throw OAuthError{400, "unsupported_token_type", "only tokens issued here can be revoked"};
    // §2.1: the token must have been issued to the client asking.
    if (t.client_id != client.id)
      throw OAuthError{400, "unauthorized_client", "the token was issued to another client"};
    if (t.token_id.empty())
      throw OAuthError{400, "unsupported_token_type", "the token has no jti to revoke"};
    // Kept until the token would have expired anyway (plus the tolerated skew).
    auto until = core::from_unix_seconds(t.expires_at + tokens.settings().skew_seconds);
    revocations.revoke_jti(t.token_id, until, client.id, req.request_id);
    log::info("token_revoked", {{"request_id", req.request_id}, {"client", client.id}});
    return ok;
  } catch (const OAuthError& e) {
    return oauth_error_response(e);
  }
}

std::string string_member(const Json& body, const char* name, bool required) {
  if (!body.contains(name)) {
    if (required) throw core::invalid_argument(std::string(name) + " is required", name);
    return "";
  }
  if (!body[name].is_string())
    throw core::invalid_argument(std::string(name) + " must be a string", name);
  return body[name].get<std::string>();
}

}  // namespace

void add_revocation_routes(http::Router& router, Accounts& accounts, TokenService& tokens,
                           Revocations& revocations, const std::string& admin_scope) {
  router
      .post("/oauth2/revoke",
            [&](Request& r) { return revoke_endpoint(r, accounts, tokens, revocations); })
      .max_body(32 * 1024)
      .describe("RFC 7009: a client revokes one of its own access tokens");

  struct Kind {
    const char* path;
    AccountKind kind;
    const char* field;
  };
  for (const Kind& k : {Kind{"/v1/identity/clients/{id}/", AccountKind::kClient, "client_id"},
                        Kind{"/v1/identity/users/{id}/", AccountKind::kUser, "username"}}) {
    for (bool disable : {true, false}) {
      router
          .post(std::string(k.path) + (disable ? "disable" : "enable"),
                [&revocations, k, disable](Request& r) {
                  std::string id(r.param("id"));
                  revocations.set_disabled(k.kind, id, disable, r.actor(), r.request_id);
                  return Response::json(200, {{k.field, id}, {"disabled", disable}});
                })
          .require_scopes({admin_scope})
          .describe(disable ? "Disable an account: no new tokens, and its tokens are refused on "
                              "every instance within identity.revocation.refresh_ms"
                            : "Enable an account again (tokens issued before it was disabled "
                              "stay refused)");
    }
  }
  router
      .post("/v1/identity/tokens/revoke",
            [&revocations](Request& r) {
              Json body = r.json_body();
              if (!body.is_object())
                throw core::invalid_argument("body must be a JSON object", "body");
              std::string jti = string_member(body, "jti", true);
              std::optional<core::SystemTime> until;
              if (auto text = string_member(body, "until", false); !text.empty()) {
                until = core::parse_rfc3339(text);
                if (!until) throw core::invalid_argument("until must be an RFC 3339 time", "until");
              }
              auto end = revocations.revoke_jti(jti, until, r.actor(), r.request_id);
              return Response::json(200, {{"jti", jti}, {"until", core::format_rfc3339(end)}});
            })
      .require_scopes({admin_scope})
      .max_body(4 * 1024)
      .describe("Revoke one of our tokens by jti (until: RFC 3339; default: the longest lifetime)");
  router
      .post("/v1/identity/keys/{kid}/retire",
            [&tokens, &revocations](Request& r) {
              auto out = tokens.keys().retire_now(std::string(r.param("kid")), r.actor());
              // Its tokens in this instance's verified-token cache are refused from now on.
              revocations.reload();
              Json body = {{"retired", key_json(out.retired)}};
              if (out.replacement) body["replacement"] = key_json(*out.replacement);
              return Response::json(200, body);
            })
      .require_scopes({admin_scope})
      .describe("Retire a (compromised) signing key at once; a new key signs if none would");
}

}  // namespace registrar::identity
