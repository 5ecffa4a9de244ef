#include "dci_client/checks_api.h"

#include <algorithm>

#include "core/error.h"
#include "core/request_context.h"

namespace registrar::dci_client {
namespace {

using http::Request;
using http::Response;
using Json = nlohmann::json;

constexpr size_t kCreateMaxBody = 4 * 1024 * 1024;  // a few thousand registrants

// Viewers read checks without identifier values or raw responses (§8.1); who may run or delete
// them sees everything.
bool full_view(const Request& r, const CheckSettings& s) {
  return r.principal &&
         (r.principal->has_scope(s.scope_run) || r.principal->has_scope(s.scope_delete));
}

Actor actor_of(const Request& r) {
  return {r.actor(), r.request_id, core::current_server_request_id()};
}

RunMode mode_of(const Json& body, RunMode fallback) {
  auto it = body.find("mode");
  if (it == body.end() || it->is_null()) return fallback;
  if (*it == "sync") return RunMode::kSync;
  if (*it == "async") return RunMode::kAsync;
  throw core::invalid_argument("mode must be sync or async", "mode");
}

Json object_body(const Request& r) {
  if (r.body.empty()) return Json::object();
  Json body = r.json_body();
  if (!body.is_object()) throw core::invalid_argument("the body must be a JSON object");
  return body;
}

Json entry_json(const RunEntry& e) {
  Json j = {{"id", e.id}, {"sent", e.sent}};
  if (!e.note.empty()) j["note"] = e.note;
  return j;
}

std::vector<std::string> id_list(const Json& body) {
  auto it = body.find("ids");
  if (it == body.end() || !it->is_array() || it->empty())
    throw core::invalid_argument("ids must be a non-empty list of check ids", "ids");
  std::vector<std::string> ids;
  for (const auto& id : *it) {
    if (!id.is_string()) throw core::invalid_argument("ids must be strings", "ids");
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

void add_read_routes(http::Router& router, CheckService& checks) {
  const CheckSettings& s = checks.settings();
  router
      .get("/v1/dci/checks",
           [&checks, &s](Request& r) {
             CheckFilter f;
             if (auto st = r.query_param("state")) {
               f.state = parse_state(*st);
               if (!f.state)
                 throw core::invalid_argument("state must be ready, checking, completed or failed",
                                              "state");
             }
             f.source = r.query_param("source").value_or("");
             f.after = r.query_param("after").value_or("");
             if (auto l = r.query_param("limit")) {
               try {
                 f.limit = std::stoi(*l);
               } catch (const std::exception&) {
                 throw core::invalid_argument("limit must be a number", "limit");
               }
             }
             bool full = full_view(r, s);
             Json items = Json::array();
             std::vector<Check> page = checks.list(f);
             for (const auto& c : page) items.push_back(check_to_json(c, full));
             Json out = {{"items", std::move(items)}};
             if (int(page.size()) == std::clamp(f.limit, 1, 1000)) out["next"] = page.back().id;
             return Response::json(200, out);
           })
      .require_scopes({s.scope_read})
      .describe("List duplication checks, newest first (?state, ?source, ?after, ?limit)");
  router
      .get("/v1/dci/checks/{id}",
           [&checks, &s](Request& r) {
             auto c = checks.find(std::string(r.param("id")));
             if (!c) throw core::not_found("no check " + std::string(r.param("id")));
             return Response::json(200, check_to_json(*c, full_view(r, s)));
           })
      .require_scopes({s.scope_read})
      .describe("One duplication check");
}

// A registrant of the body; a refusal names its field from the body's top (registrant.given_name,
// registrants[2].identifiers[0].value).
Registrant registrant_at(const Json& j, const std::string& where) {
  try {
    return registrant_from_json(j);
  } catch (const core::Error& e) {
    if (e.kind() != core::ErrorKind::kInvalidArgument) throw;
    std::string field = e.field().empty() ? where.substr(0, where.size() - 1) : where + e.field();
    throw core::invalid_argument(e.what(), std::move(field));
  }
}

void add_write_routes(http::Router& router, CheckService& checks) {
  const CheckSettings& s = checks.settings();
  router
      .post("/v1/dci/checks",
            [&checks, &s](Request& r) {
              Json body = object_body(r);
              auto src = body.find("source");
              if (src == body.end() || !src->is_string())
                throw core::invalid_argument("source (a data source code) is required", "source");
              std::string source = src->get<std::string>();
              // Read before anything is stored: a refused request creates no check.
              auto run = body.find("run");
              if (run != body.end() && !run->is_boolean())
                throw core::invalid_argument("run must be true or false", "run");
              const RunMode mode = mode_of(body, s.default_mode);
              std::vector<NewCheck> wanted;
              if (auto many = body.find("registrants"); many != body.end()) {
                if (!many->is_array() || many->empty())
                  throw core::invalid_argument("registrants must be a non-empty list",
                                               "registrants");
                for (size_t i = 0; i < many->size(); ++i)
                  wanted.push_back(
                      {registrant_at((*many)[i], "registrants[" + std::to_string(i) + "]."), ""});
              } else {
                wanted.push_back(
                    {registrant_at(body.value("registrant", Json()), "registrant."), ""});
              }
              std::vector<Check> made = checks.create_many(wanted, source, actor_of(r));
              Json out = {{"items", Json::array()}};
              for (const auto& c : made) out["items"].push_back(check_to_json(c, true));
              if (run != body.end() && run->get<bool>()) {
                std::vector<std::string> ids;
                for (const auto& c : made) ids.push_back(c.id);
                Json runs = Json::array();
                for (const auto& e : checks.run(ids, mode, actor_of(r)))
                  runs.push_back(entry_json(e));
                out["run"] = std::move(runs);
              }
              return Response::json(201, out);
            })
      .require_scopes({s.scope_run})
      .max_body(kCreateMaxBody)
      .describe(
          "Create duplication checks ({source, registrant} or {source, registrants}; "
          "run: true sends them at once)");
  router
      .post("/v1/dci/checks/run",
            [&checks, &s](Request& r) {
              Json body = object_body(r);
              Json runs = Json::array();
              for (const auto& e :
                   checks.run(id_list(body), mode_of(body, s.default_mode), actor_of(r)))
                runs.push_back(entry_json(e));
              return Response::json(202, {{"items", std::move(runs)}});
            })
      .require_scopes({s.scope_run})
      .max_body(kCreateMaxBody)
      .describe("Run ready checks ({ids, mode}); others are left as they are, each saying why");
  router
      .post("/v1/dci/checks/{id}/run",
            [&checks, &s](Request& r) {
              Json body = object_body(r);
              std::string id(r.param("id"));
              RunEntry e = checks.run({id}, mode_of(body, s.default_mode), actor_of(r)).at(0);
              auto c = checks.find(id);
              if (!c) throw core::not_found("no check " + id);
              Json out = entry_json(e);
              out["check"] = check_to_json(*c, true);
              return Response::json(e.sent ? 202 : 200, out);
            })
      .require_scopes({s.scope_run})
      .describe(
          "Run one check (a completed or failed one is left as it is, and the answer "
          "says so)");
  router
      .post("/v1/dci/checks/{id}/retry",
            [&checks](Request& r) {
              return Response::json(
                  200, check_to_json(checks.retry(std::string(r.param("id")), actor_of(r)), true));
            })
      .require_scopes({s.scope_run})
      .describe("Reset a check to ready");
  router
      .del("/v1/dci/checks/{id}",
           [&checks](Request& r) {
             checks.remove(std::string(r.param("id")), actor_of(r));
             return Response::no_content();
           })
      .require_scopes({s.scope_delete})
      .describe("Delete a check");
}

}  // namespace

void add_checks_routes(http::Router& router, CheckService& checks) {
  add_read_routes(router, checks);
  add_write_routes(router, checks);
}

}  // namespace registrar::dci_client
