// The clean API under /v1/ids: issue (single and batch), validate, status, records, capacity,
// RIDs, sequence IDs, token IDs and licence keys. Errors are problem+json.
#include "ids/api.h"

#include "core/error.h"

namespace registrar::ids {

namespace api_detail {

http::Route& scoped(http::Route& route, const std::string& scope) {
  if (!scope.empty()) route.require_scopes({scope});
  return route;
}

std::optional<int64_t> parse_time_ms(std::string_view text) {
  auto t = core::parse_rfc3339(text);
  if (!t) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

std::string format_time_ms(int64_t ms) {
  return core::format_rfc3339(core::SystemTime(std::chrono::milliseconds(ms)), true);
}

}  // namespace api_detail

namespace {

using api_detail::format_time_ms;
using api_detail::parse_time_ms;
using api_detail::scoped;
using http::Json;
using http::Request;
using http::Responder;
using http::Response;

IdType issuable_type(const Request& req) {
  auto t = parse_id_type(req.param("type"));
  if (!t)
    throw core::not_found("unknown ID type '" + std::string(req.param("type")) +
                          "' (uin, vid or prid)");
  return *t;
}

Json validation_json(std::string_view type, std::string_view id, const ValidationResult& r) {
  Json out{{"type", type}, {"id", id}, {"valid", r.ok()}};
  if (!r.ok()) {
    out["code"] = r.code();
    out["message"] = r.message();
    Json all = Json::array();
    for (IdError e : r.all())
      all.push_back({{"code", error_code(e)}, {"message", error_message(e, r.param)}});
    out["errors"] = all;
  }
  return out;
}

bool plain_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// GET /v1/ids/{type}/validate/{id}: pure, inline, no database. The valid case is written by hand
// (it is the hot path); everything else goes through the JSON library.
Response validate(const IdsService& svc, Request& req) {
  std::string_view type = req.param("type"), id = req.param("id");
  ValidationResult r;
  if (auto t = parse_id_type(type)) {
    r = svc.validator(*t).validate(id);  // the fast path; every failing check only when invalid
    if (!r.ok()) r = svc.validator(*t).validate(id, Detail::kAll);
  } else if (type == "rid") {
    auto centre = req.query_param("centre"), machine = req.query_param("machine");
    std::optional<std::string_view> c, m;
    if (centre) c = *centre;
    if (machine) m = *machine;
    r = validate_rid(id, svc.config().rid, c, m, Detail::kAll);
  } else if (type == "misp") {
    r = validate_misp_id(id, svc.config().sequences.misp_length);
  } else {
    throw core::not_found("unknown ID type '" + std::string(type) + "'");
  }
  if (r.ok() && plain_digits(id)) {
    std::string body;
    body.reserve(48 + id.size());
    body.append("{\"type\":\"")
        .append(type)
        .append("\",\"id\":\"")
        .append(id)
        .append("\",\"valid\":true}");
    return Response::text(200, std::move(body), "application/json");
  }
  return Response::json(200, validation_json(type, id, r));
}

struct IssueParams {
  int count = 1;
  std::optional<int64_t> expires_ms;
};

IssueParams issue_params(const Request& req, IdType type, const IdsService& svc) {
  IssueParams p;
  if (req.body.empty()) return p;
  Json body = req.json_body();
  if (!body.is_object()) throw core::invalid_argument("the body must be a JSON object");
  if (body.contains("count")) {
    if (!body["count"].is_number_integer())
      throw core::invalid_argument("count must be an integer", "count");
    auto c = body["count"].get<int64_t>();
    if (c < 1 || c > svc.config().issuance.max_count)
      throw core::invalid_argument(
          "count must be between 1 and " + std::to_string(svc.config().issuance.max_count),
          "count");
    p.count = int(c);
  }
  if (body.contains("expires_at")) {
    if (type != IdType::kVid)
      throw core::invalid_argument("only VIDs have an expiry", "expires_at");
    auto ms = body["expires_at"].is_string() ? parse_time_ms(body["expires_at"].get<std::string>())
                                             : std::nullopt;
    if (!ms) throw core::invalid_argument("expires_at must be an RFC 3339 time", "expires_at");
    if (*ms <= svc.clock().now_seconds() * 1000)
      throw core::invalid_argument("expires_at must be in the future", "expires_at");
    p.expires_ms = ms;
  }
  return p;
}

void issue(IdsService& svc, Request& req, Responder respond) {
  IdType type = issuable_type(req);
  IssueParams p = issue_params(req, type, svc);
  svc.issue_async(
      IssueRequest{type, p.count, p.expires_ms, req.actor()}, [respond, type](IssueOutcome o) {
        if (!o.ok()) return respond.fail(*o.error);
        // Written by hand: this is the hot path of issuance.
        std::string body = "{\"type\":\"";
        body.append(id_type_name(type)).append("\",\"ids\":[");
        for (size_t i = 0; i < o.ids.size(); ++i)
          body.append(i ? ",\"" : "\"").append(o.ids[i]).append("\"");
        body.append("]");
        if (o.expires_ms)
          body.append(",\"expires_at\":\"").append(format_time_ms(*o.expires_ms)).append("\"");
        body.append("}");
        respond(Response::text(201, std::move(body), "application/json"));
      });
}

Json record_json(const IdRecord& r) {
  Json out{{"type", r.row.type},
           {"id", r.row.id},
           {"status", r.effective_status},
           {"created_at", format_time_ms(r.row.created_ms)},
           {"updated_at", format_time_ms(r.row.updated_ms)}};
  if (r.row.expires_ms) out["expires_at"] = format_time_ms(*r.row.expires_ms);
  return out;
}

Response change_status(IdsService& svc, Request& req) {
  IdType type = issuable_type(req);
  std::string id(req.param("id"));
  Json body = req.json_body();
  if (!body.is_object() || !body.contains("status") || !body["status"].is_string())
    throw core::invalid_argument("status (ASSIGNED or UNASSIGNED) is required", "status");
  auto r =
      svc.change_status(type, id, body["status"].get<std::string>(), req.actor(), req.request_id);
  switch (r.outcome) {
    case StatusOutcome::kNotFound:
      throw core::not_found("no such " + std::string(id_type_name(type)));
    case StatusOutcome::kNotIssued:
      throw core::conflict("the ID is " + r.status + ", not ISSUED", "status");
    case StatusOutcome::kBadStatus:
      throw core::invalid_argument("status must be ASSIGNED or UNASSIGNED", "status");
    case StatusOutcome::kOk:
      break;
  }
  return Response::json(200, {{"type", id_type_name(type)}, {"id", id}, {"status", r.status}});
}

Response capacity(IdsService& svc, Request& req) {
  IdType type = issuable_type(req);
  auto r = svc.capacity(type);
  const Capacity& c = r.capacity;
  Json out{{"type", id_type_name(type)},
           {"exact", c.exact},
           {"count", c.count},
           {"issued", r.issued},
           {"remaining", std::max(0.0, c.count - double(r.issued))}};
  if (!c.exact) {
    out["low"] = c.low;
    out["high"] = c.high;
    out["confidence"] = c.confidence;
    out["samples"] = c.samples;
  }
  return Response::json(200, out);
}

Json licence_json(const LicenceInfo& l, bool with_key) {
  Json out{{"partner", l.row.partner},
           {"status", licence_status_name(l.effective)},
           {"expires_at", format_time_ms(l.row.expires_ms)}};
  if (with_key) out["licence_key"] = l.row.key;
  return out;
}

std::optional<int64_t> optional_time(const Json& body, const char* field) {
  if (!body.contains(field)) return std::nullopt;
  auto ms = body[field].is_string() ? parse_time_ms(body[field].get<std::string>()) : std::nullopt;
  if (!ms) throw core::invalid_argument(std::string(field) + " must be an RFC 3339 time", field);
  return ms;
}

// The permission names of a clean-API body; `at_least_one` for an addition.
std::vector<std::string> permissions_field(const Json& body, bool at_least_one) {
  if (!body.is_object() || !body.contains("permissions") || !body["permissions"].is_array())
    throw core::invalid_argument("permissions (a list of permission names) is required",
                                 "permissions");
  std::vector<std::string> out;
  for (const Json& p : body["permissions"]) {
    if (!p.is_string() || p.get<std::string>().empty())
      throw core::invalid_argument("every permission must be a non-empty string", "permissions");
    out.push_back(p.get<std::string>());
  }
  if (at_least_one && out.empty())
    throw core::invalid_argument("name at least one permission to add", "permissions");
  return out;
}

Response permissions_answer(const LicencePermissions& r) {
  if (r.outcome == PermissionOutcome::kNotFound) throw core::not_found("no such licence key");
  if (r.outcome == PermissionOutcome::kNotAccepted)
    throw core::invalid_argument(
        "'" + r.refused +
            "' is not a permission a licence may be granted (ids.licence.permissions)",
        "permissions");
  Json out = licence_json(*r.licence, false);
  out["permissions"] = r.permissions;
  return Response::json(200, out);
}

}  // namespace

void add_ids_routes(http::Router& router, IdsService& svc) {
  const ScopeConfig& sc = svc.config().scopes;
  router
      .add_async(http::Method::kPost, "/v1/ids/{type}/issue",
                 [&svc](Request& req, Responder r) { issue(svc, req, std::move(r)); })
      .require_scopes({sc.issue})
      .max_body(4096);
  scoped(router.get("/v1/ids/{type}/validate/{id}",
                    [&svc](Request& req) { return validate(svc, req); }),
         sc.validate)
      .run_inline();
  router.get("/v1/ids/{type}/capacity", [&svc](Request& req) { return capacity(svc, req); })
      .require_scopes({sc.admin});
  router
      .get("/v1/ids/{type}/{id}",
           [&svc](Request& req) {
             auto r = svc.find(issuable_type(req), std::string(req.param("id")));
             if (!r) throw core::not_found("no such ID");
             return Response::json(200, record_json(*r));
           })
      .require_scopes({sc.issue});
  router.put("/v1/ids/{type}/{id}/status", [&svc](Request& req) { return change_status(svc, req); })
      .require_scopes({sc.issue})
      .max_body(4096);
  router
      .post("/v1/ids/rids",
            [&svc](Request& req) {
              Json b = req.json_body();
              auto field = [&](const char* k) {
                return b.is_object() && b.contains(k) && b[k].is_string() ? b[k].get<std::string>()
                                                                          : std::string();
              };
              auto r = svc.next_rid(field("centre"), field("machine"));
              if (!r.ok()) throw core::invalid_argument(std::string(r.code) + ": " + r.message);
              return Response::json(201, {{"rid", r.rid}});
            })
      .require_scopes({sc.issue})
      .max_body(4096);
  router
      .post("/v1/ids/sequences/{kind}",
            [&svc](Request& req) {
              auto kind = parse_sequence_kind(req.param("kind"));
              if (!kind) throw core::not_found("unknown sequence (machine, centre, misp, partner)");
              return Response::json(
                  201, {{"kind", sequence_kind_name(*kind)},
                        {"id", svc.next_sequence_id(*kind, req.actor(), req.request_id)}});
            })
      .require_scopes({sc.admin});
  router
      .get("/v1/ids/tokens/{uin}/{partner}",
           [&svc](Request& req) {
             return Response::json(
                 200, {{"token_id", svc.token_id(req.param("uin"), req.param("partner"))}});
           })
      .require_scopes({sc.admin})
      .run_inline();
  router
      .post("/v1/ids/licences",
            [&svc](Request& req) {
              Json b = req.json_body();
              if (!b.is_object() || !b.contains("partner") || !b["partner"].is_string())
                throw core::invalid_argument("partner is required", "partner");
              auto l = svc.create_licence(b["partner"], optional_time(b, "expires_at"), req.actor(),
                                          req.request_id);
              return Response::json(201, licence_json(l, true));
            })
      .require_scopes({sc.admin})
      .max_body(4096);
  router
      .get("/v1/ids/licences/{key}",
           [&svc](Request& req) {
             auto [r, info] = svc.check_licence(std::string(req.param("key")));
             Json out = info ? licence_json(*info, false) : Json::object();
             out["valid"] = r.ok();
             if (!r.ok()) {
               out["code"] = r.code();
               out["message"] = r.message();
             }
             return Response::json(200, out);
           })
      .require_scopes({sc.admin});
  // Permissions: GET lists them; POST adds (as MOSIP's mapping does); PUT sets the whole list.
  router
      .get("/v1/ids/licences/{key}/permissions",
           [&svc](Request& req) {
             return permissions_answer(
                 svc.licence_permissions(std::string(req.param("key")), std::nullopt));
           })
      .require_scopes({sc.admin});
  for (http::Method m : {http::Method::kPost, http::Method::kPut})
    router
        .add(m, "/v1/ids/licences/{key}/permissions",
             [&svc, m](Request& req) {
               const bool replace = m == http::Method::kPut;
               auto permissions = permissions_field(req.json_body(), !replace);
               return permissions_answer(
                   svc.map_licence_permissions(std::string(req.param("key")), std::nullopt,
                                               permissions, replace, req.actor(), req.request_id));
             })
        .require_scopes({sc.admin})
        .max_body(64 * 1024);
  router
      .post("/v1/ids/licences/{key}/{action}",
            [&svc](Request& req) {
              std::string_view a = req.param("action");
              LicenceAction action;
              if (a == "suspend")
                action = LicenceAction::kSuspend;
              else if (a == "reactivate")
                action = LicenceAction::kReactivate;
              else if (a == "block")
                action = LicenceAction::kBlock;
              else if (a == "renew")
                action = LicenceAction::kRenew;
              else
                throw core::not_found("unknown action (suspend, reactivate, block, renew)");
              Json b = req.body.empty() ? Json::object() : req.json_body();
              auto l =
                  svc.licence_action(std::string(req.param("key")), action,
                                     optional_time(b, "expires_at"), req.actor(), req.request_id);
              return Response::json(200, licence_json(l, false));
            })
      .require_scopes({sc.admin})
      .max_body(4096);
}

}  // namespace registrar::ids
