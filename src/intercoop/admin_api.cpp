#include "intercoop/admin_api.h"

#include "core/error.h"
#include "intercoop/errors.h"
#include "intercoop/yaml_emit.h"
#include "intercoop/yaml_parse.h"

namespace registrar::intercoop {
namespace {

using http::Request;
using http::Response;
using Json = nlohmann::json;

constexpr size_t kMaxBody = 64 * 1024;
// Peers and services page by id / name (?after, ?limit). The default page is large enough for
// every federation today, so a caller that never pages (the CLI's scripts, the Python peers'
// tests) still sees every row; `next` tells one that has to page.
constexpr int kDefaultPage = 200;
constexpr int kMaxPage = 1000;

// `after`: the `next` of an earlier page (an id or a name, at most 255 characters).
std::optional<std::string> after_param(const Request& r) {
  auto v = r.query_param("after");
  if (!v || v->empty()) return std::nullopt;
  if (v->size() > 255)
    throw core::invalid_argument("after must be the next of an earlier page", "after");
  return std::string(*v);
}

// A page's `next`: its last key when it is full (there may be more), else null.
template <typename Row, typename KeyOf>
Json next_of(const std::vector<Row>& rows, int limit, KeyOf key_of) {
  return int(rows.size()) == limit ? Json(key_of(rows.back())) : Json(nullptr);
}

Json peer_json(const Peer& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"description", Json::parse(p.description.dump())},
          {"url", Json::parse(p.url.dump())},
          {"target_url", p.target_url},
          {"logo", p.logo},
          {"public_key", p.public_key_pem},
          {"ed25519_key", p.ed25519_key_pem},
          {"versions", p.versions},
          {"active", p.active},
          {"created", core::format_rfc3339(p.created)},
          {"updated", core::format_rfc3339(p.updated)}};
}

Json service_json(const Service& s) {
  return {{"name", s.name},
          {"description", Json::parse(s.description.dump())},
          {"fields", s.fields},
          {"peers", s.peers},
          {"rules", Json::parse(rules_to_json(s.rules).dump())},
          {"active", s.active}};
}

std::string string_member(const Json& body, const char* key, bool required) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) throw core::invalid_argument(std::string(key) + " is required", key);
    return "";
  }
  if (!it->is_string()) throw core::invalid_argument(std::string(key) + " must be text", key);
  return it->get<std::string>();
}

std::vector<std::string> string_list(const Json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return {};
  std::vector<std::string> out;
  if (!it->is_array()) throw core::invalid_argument(std::string(key) + " must be a list", key);
  for (const auto& item : *it) {
    if (!item.is_string())
      throw core::invalid_argument(std::string(key) + " must be a list of text", key);
    out.push_back(item.get<std::string>());
  }
  return out;
}

Json object_body(const Request& r) {
  Json body = r.json_body();
  if (!body.is_object()) throw core::invalid_argument("the body must be a JSON object");
  return body;
}

}  // namespace

void add_admin_routes(http::Router& router, TargetAdmin& admin, const std::string& scope) {
  router
      .get("/v1/intercoop/peers",
           [&admin](Request& r) {
             int limit = int(r.integer_query_param("limit", 1, kMaxPage, kDefaultPage));
             auto rows = admin.peers(after_param(r), limit);
             Json list = Json::array();
             for (const auto& p : rows) list.push_back(peer_json(p));
             return Response::json(
                 200, {{"peers", std::move(list)},
                       {"next", next_of(rows, limit, [](const Peer& p) { return p.id; })}});
           })
      .require_scopes({scope})
      .describe(
          "List the intercoop peers (organisations whose members' data we accept) by id, paged "
          "(?after, ?limit; 200 by default)");
  router
      .post("/v1/intercoop/peers",
            [&admin](Request& r) {
              Json body = object_body(r);
              Peer p;
              p.id = string_member(body, "id", true);
              p.name = string_member(body, "name", true);
              p.public_key_pem = string_member(body, "public_key", false);
              p.ed25519_key_pem = string_member(body, "ed25519_key", false);
              p.versions = string_list(body, "versions");
              p.target_url = string_member(body, "target_url", false);
              p.logo = string_member(body, "logo", false);
              return Response::json(201, peer_json(admin.add_peer(p, r.actor(), r.request_id)));
            })
      .require_scopes({scope})
      .max_body(kMaxBody)
      .describe(
          "Add an intercoop peer by hand (id, name, public_key RSA PEM for 1.0, "
          "ed25519_key PEM for 2.0, versions)");
  router
      .get("/v1/intercoop/peers/{id}",
           [&admin](Request& r) {
             auto p = admin.peer(std::string(r.param("id")));
             if (!p) throw core::not_found("no peer " + std::string(r.param("id")));
             return Response::json(200, peer_json(*p));
           })
      .require_scopes({scope})
      .describe("One intercoop peer");
  for (bool active : {true, false}) {
    router
        .post(std::string("/v1/intercoop/peers/{id}/") + (active ? "enable" : "disable"),
              [&admin, active](Request& r) {
                return Response::json(
                    200, peer_json(admin.set_peer_active(std::string(r.param("id")), active,
                                                         r.actor(), r.request_id)));
              })
        .require_scopes({scope})
        .describe(active ? "Accept an intercoop peer's packages again"
                         : "Refuse an intercoop peer's packages (BadPeer)");
  }
  router
      .get("/v1/intercoop/peers/{id}/descriptor",
           [&admin](Request& r) {
             auto p = admin.peer(std::string(r.param("id")));
             if (!p) throw core::not_found("no peer " + std::string(r.param("id")));
             return Response::text(200, yaml::dump(descriptor_of(*p)),
                                   std::string(kErrorContentType));
           })
      .require_scopes({scope})
      .describe("An intercoop peer's §4.1 descriptor (YAML)");
  router
      .put("/v1/intercoop/peers/{id}/descriptor",
           [&admin](Request& r) {
             yaml::Value d;
             try {
               d = yaml::load(r.body);
             } catch (const yaml::YamlError& e) {
               throw core::invalid_argument(std::string("the descriptor is not YAML: ") + e.what());
             }
             Peer p = peer_from_descriptor(d);
             if (p.id != r.param("id"))
               throw core::invalid_argument("the descriptor's peerid is not the path's", "peerid");
             bool added = admin.import_peer(p, r.actor(), r.request_id);
             return Response::json(added ? 201 : 200, peer_json(*admin.peer(p.id)));
           })
      .require_scopes({scope})
      .max_body(kMaxBody)
      .describe("Add or update an intercoop peer from its §4.1 descriptor (YAML body)");

  router
      .get("/v1/intercoop/services",
           [&admin](Request& r) {
             int limit = int(r.integer_query_param("limit", 1, kMaxPage, kDefaultPage));
             auto rows = admin.services(after_param(r), limit);
             Json list = Json::array();
             for (const auto& s : rows) list.push_back(service_json(s));
             return Response::json(
                 200, {{"services", std::move(list)},
                       {"next", next_of(rows, limit, [](const Service& s) { return s.name; })}});
           })
      .require_scopes({scope})
      .describe("List the intercoop services by name, paged (?after, ?limit; 200 by default)");
  router
      .post("/v1/intercoop/services",
            [&admin](Request& r) {
              Json body = object_body(r);
              Service s;
              s.name = string_member(body, "name", true);
              s.fields = string_list(body, "fields");
              s.peers = string_list(body, "peers");
              if (auto rules = body.find("rules"); rules != body.end())
                s.rules = rules_from_json(yaml::Value::parse(rules->dump()));
              auto d = body.find("description");
              if (d != body.end() && !d->is_null()) s.description = yaml::Value::parse(d->dump());
              return Response::json(201,
                                    service_json(admin.add_service(s, r.actor(), r.request_id)));
            })
      .require_scopes({scope})
      .max_body(kMaxBody)
      .describe(
          "Add an intercoop service (name, required fields, allowed peers, rules: roles, "
          "availability, limits)");
  for (bool active : {true, false}) {
    router
        .post(std::string("/v1/intercoop/services/{name}/") + (active ? "enable" : "disable"),
              [&admin, active](Request& r) {
                return Response::json(
                    200, service_json(admin.set_service_active(std::string(r.param("name")), active,
                                                               r.actor(), r.request_id)));
              })
        .require_scopes({scope})
        .describe(active ? "Accept packages for an intercoop service again"
                         : "Refuse packages for an intercoop service (404)");
  }
  router
      .get("/v1/intercoop/services/{name}",
           [&admin](Request& r) {
             auto s = admin.service(std::string(r.param("name")));
             if (!s) throw core::not_found("no service " + std::string(r.param("name")));
             return Response::json(200, service_json(*s));
           })
      .require_scopes({scope})
      .describe("One intercoop service");
}

}  // namespace registrar::intercoop
