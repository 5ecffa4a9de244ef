#include "identity/admin_api.h"

#include "core/error.h"

namespace registrar::identity {

namespace {

using http::Json;
using http::Request;
using http::Response;

constexpr int kMaxPage = 500;
constexpr size_t kMaxBody = 16 * 1024;

std::string time_text(int64_t seconds) {
  return core::format_rfc3339(core::from_unix_seconds(seconds));
}

Json key_json(const KeyInfo& k) {
  auto optional_time = [](const std::optional<int64_t>& t) {
    return t ? Json(time_text(*t)) : Json(nullptr);
  };
  return {{"kid", k.kid},
          {"alg", crypto::alg_name(k.alg)},
          {"state", key_state_name(k.state)},
          {"created_at", time_text(k.created_at)},
          {"activate_at", time_text(k.activate_at)},
          {"retire_at", optional_time(k.retire_at)},
          {"verify_until", optional_time(k.verify_until)}};
}

Json account_json(const ClientInfo& a, const char* id_field) {
  return {{id_field, a.id},
          {"scopes", a.scopes},
          {"description", a.description},
          {"created_at", core::format_rfc3339(a.created)},
          {"disabled", a.disabled}};
}

Json object_body(const Request& req) {
  Json body = req.json_body();
  if (!body.is_object()) throw core::invalid_argument("body must be a JSON object", "body");
  return body;
}

std::string string_member(const Json& body, const char* name, bool required) {
  if (!body.contains(name) || body[name].is_null()) {
    if (required) throw core::invalid_argument(std::string(name) + " is required", name);
    return "";
  }
  if (!body[name].is_string())
    throw core::invalid_argument(std::string(name) + " must be a string", name);
  return body[name].get<std::string>();
}

// `scopes`: an array of strings (absent: none). Each scope's form is checked by Accounts.
std::vector<std::string> scopes_member(const Json& body) {
  std::vector<std::string> out;
  if (!body.contains("scopes") || body["scopes"].is_null()) return out;
  const Json& list = body["scopes"];
  if (!list.is_array())
    throw core::invalid_argument("scopes must be an array of strings", "scopes");
  for (const auto& s : list) {
    if (!s.is_string())
      throw core::invalid_argument("scopes must be an array of strings", "scopes");
    out.push_back(s.get<std::string>());
  }
  return out;
}

// A description is free text shown in lists; bounded so a list stays small.
std::string description_member(const Json& body) {
  std::string d = string_member(body, "description", false);
  if (d.size() > 500)
    throw core::invalid_argument("description must be at most 500 characters", "description");
  return d;
}

void add_account_list(http::Router& router, Accounts& accounts, AccountKind kind,
                      const std::string& admin_scope) {
  bool client = kind == AccountKind::kClient;
  const char* list_name = client ? "clients" : "users";
  const char* id_field = client ? "client_id" : "username";
  router
      .get(std::string("/v1/identity/") + list_name,
           [&accounts, kind, list_name, id_field](Request& req) {
             std::string prefix = req.query_param("prefix").value_or("");
             std::string after = req.query_param("after").value_or("");
             if (prefix.size() > 128)
               throw core::invalid_argument("prefix must be at most 128 characters", "prefix");
             if (after.size() > 128)
               throw core::invalid_argument("after must be at most 128 characters", "after");
             int limit = int(req.integer_query_param("limit", 1, kMaxPage, 50));
             auto page = accounts.list_accounts(kind, prefix, after, limit);
             Json items = Json::array();
             for (const auto& a : page) items.push_back(account_json(a, id_field));
             Json out = {{list_name, std::move(items)}};
             // The next page's `after`: there may be more when this page is full.
             out["next_after"] = int(page.size()) == limit ? Json(page.back().id) : Json(nullptr);
             return Response::json(200, out);
           })
      .require_scopes({admin_scope})
      .describe(client ? "OAuth2 clients with their scopes and whether they are disabled, by "
                         "client_id (?prefix, ?after, ?limit)"
                       : "Users of the password grant with their scopes and whether they are "
                         "disabled, by username (?prefix, ?after, ?limit)");
}

}  // namespace

void add_admin_routes(http::Router& router, Accounts& accounts, KeyStore& keys,
                      const std::string& admin_scope) {
  router
      .get("/v1/identity/keys",
           [&keys](Request&) {
             Json list = Json::array();
             for (const auto& k : keys.list()) list.push_back(key_json(k));
             return Response::json(200, {{"keys", std::move(list)}});
           })
      .require_scopes({admin_scope})
      .describe("Every signing key with its state (pending, active, retiring, retired) and times");
  router
      .post("/v1/identity/keys/rotate",
            [&keys](Request& req) {
              std::optional<crypto::JwsAlg> alg;
              if (!req.body.empty()) {
                Json body = object_body(req);
                if (auto text = string_member(body, "alg", false); !text.empty()) {
                  alg = crypto::parse_alg(text);
                  if (!alg)
                    throw core::invalid_argument("alg must be EdDSA, ES256, RS256 or PS256", "alg");
                }
              }
              return Response::json(201, {{"key", key_json(keys.rotate(alg, req.actor()))}});
            })
      .require_scopes({admin_scope})
      .max_body(kMaxBody)
      .describe(
          "Publish a new signing key now; it takes over after identity.key_publish_delay_seconds "
          "and the current key retires then");

  add_account_list(router, accounts, AccountKind::kClient, admin_scope);
  add_account_list(router, accounts, AccountKind::kUser, admin_scope);

  router
      .post("/v1/identity/clients",
            [&accounts](Request& req) {
              Json body = object_body(req);
              std::string id = string_member(body, "client_id", true);
              auto scopes = scopes_member(body);
              std::string description = description_member(body);
              std::string secret =
                  accounts.add_client(id, scopes, description, "", req.actor(), req.request_id);
              Response r = Response::json(
                  201, {{"client_id", id}, {"client_secret", secret}, {"scopes", scopes}});
              // The secret is shown this once: no cache may keep it.
              r.headers.set("Cache-Control", "no-store");
              return r;
            })
      .require_scopes({admin_scope})
      .max_body(kMaxBody)
      .describe("Create an OAuth2 client; the answer holds its generated secret, shown once");
  router
      .post("/v1/identity/users",
            [&accounts](Request& req) {
              Json body = object_body(req);
              std::string id = string_member(body, "username", true);
              std::string password = string_member(body, "password", true);
              auto scopes = scopes_member(body);
              std::string description = description_member(body);
              accounts.add_user(id, password, scopes, description, req.actor(), req.request_id);
              return Response::json(201, {{"username", id}, {"scopes", scopes}});
            })
      .require_scopes({admin_scope})
      .max_body(kMaxBody)
      .describe("Create a user of the password grant with its scopes");
}

}  // namespace registrar::identity
