// MOSIP-compatible routes (spec §3.3, §3.5, §4.1, §4.3; the licence routes of §4.4 are in
// mosip_licence_api.cpp). MOSIP's envelope: success has
// "errors": null; errors come with HTTP 200 (as the Vert.x services answer) and
// "response": null, "errors": [{"errorCode", "message"}].
#include <optional>
#include <regex>

#include "core/error.h"
#include "core/json_reader.h"
#include "ids/api.h"
#include "mosip/envelope.h"

namespace registrar::ids {

namespace {

using http::Json;
using http::Request;
using http::Responder;
using http::Response;

using mosip::envelope;
using mosip::envelope_error;
using mosip::parse_body;

// MOSIP's codes for a failed issue per type.
struct Codes {
  const char* prefix;  // "KER-UIG", "KER-VID", "KER-PRID"
  const char* none;    // message when nothing can be allocated
};
Codes codes(IdType t) {
  switch (t) {
    case IdType::kUin:
      return {"KER-UIG", "UIN could not be found"};
    case IdType::kVid:
      return {"KER-VID", "VID not available for allocation"};
    case IdType::kPrid:
      return {"KER-PRID", "PRID not available for allocation"};
  }
  return {"", ""};
}

void mosip_issue(IdsService& svc, IdType type, std::optional<int64_t> expires_ms,
                 const std::string& actor, Responder respond) {
  const core::Clock& clock = svc.clock();
  svc.issue_async(
      IssueRequest{type, 1, expires_ms, actor}, [&clock, type, respond](IssueOutcome o) {
        Codes c = codes(type);
        if (!o.ok()) {
          if (o.exhausted)
            return respond(envelope_error(clock, std::string(c.prefix) + "-001", c.none));
          return respond(envelope_error(clock, std::string(c.prefix) + "-005", o.error->what()));
        }
        respond(envelope(clock, {{id_type_name(type), o.ids.front()}}));
      });
}

// yyyy-MM-dd'T'HH:mm:ss.SSS'Z' exactly (MOSIP's videxpiry pattern).
std::optional<int64_t> parse_mosip_time(const std::string& text) {
  static const std::regex pattern(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  if (!std::regex_match(text, pattern)) return std::nullopt;
  return api_detail::parse_time_ms(text);
}

void vid(IdsService& svc, Request& req, Responder respond) {
  std::optional<int64_t> expiry;
  if (auto p = req.query_param("videxpiry")) {
    const core::Clock& clock = svc.clock();
    std::string v = *p;
    if (v.find_first_not_of(" \t") == std::string::npos)
      return respond(envelope_error(clock, "KER-VID-002", "Vid expiry date is empty"));
    expiry = parse_mosip_time(v);
    if (!expiry)
      return respond(envelope_error(
          clock, "KER-VID-004",
          "Vid expiry date pattern is invalid, should be in yyyy-MM-dd'T'HH:mm:ss.SSS'Z' pattern"));
    if (*expiry < clock.now_seconds() * 1000)
      return respond(
          envelope_error(clock, "KER-VID-003", "Vid expiry date is before current utc time"));
  }
  mosip_issue(svc, IdType::kVid, expiry, req.actor(), std::move(respond));
}

// PUT /v1/idgenerator/uin: MOSIP's order of checks: not found (001), not ISSUED (004), unknown
// requested status (003); an unparsable body is 005 with the parser's message.
Response put_uin(IdsService& svc, Request& req) {
  const core::Clock& clock = svc.clock();
  Json body;
  if (auto error = parse_body(req.body, body)) return envelope_error(clock, "KER-UIG-005", *error);
  if (!body.is_object()) return envelope_error(clock, "KER-UIG-005", "the body must be an object");
  Json id = body.value("id", Json(nullptr)), version = body.value("version", Json(nullptr));
  Json request = body.value("request", Json(nullptr));
  if (request.is_null() || (request.is_object() && request.empty()))
    return Response::text(200, "", "application/json");  // MOSIP: empty body, HTTP 200
  if (!request.is_object())
    return envelope_error(clock, "KER-UIG-005", "request must be an object", id, version);
  std::string uin = request.value("uin", Json("")).is_string() ? request.value("uin", "") : "";
  std::string status =
      request.value("status", Json("")).is_string() ? request.value("status", "") : "";
  auto r = svc.change_status(IdType::kUin, uin, status, req.actor(), req.request_id);
  switch (r.outcome) {
    case StatusOutcome::kNotFound:
      return envelope_error(clock, "KER-UIG-001", "UIN could not be found", id, version);
    case StatusOutcome::kNotIssued:
      return envelope_error(clock, "KER-UIG-004", "Given UIN is not in ISSUED status", id, version);
    case StatusOutcome::kBadStatus:
      return envelope_error(clock, "KER-UIG-003", "Given UIN status not found", id, version);
    case StatusOutcome::kOk:
      break;
  }
  // MOSIP answers UNUSED for a returned UIN (it goes back to the pool under that name).
  std::string shown = r.status == kUnassigned ? "UNUSED" : r.status;
  return envelope(clock, {{"uin", uin}, {"status", shown}}, id, version);
}

Response rid(IdsService& svc, Request& req) {
  auto r = svc.next_rid(req.param("centerid"), req.param("machineid"));
  if (!r.ok()) return envelope_error(svc.clock(), r.code, r.message);
  return envelope(svc.clock(), {{"rid", r.rid}});
}

Response token(IdsService& svc, Request& req) {
  std::string_view uin = req.param("uin"), partner = req.param("partnercode");
  if (uin.empty() || partner.empty())
    return envelope_error(svc.clock(), kTokenIdEmptyCode, kTokenIdEmptyMessage);
  try {
    return envelope(svc.clock(), {{"tokenID", svc.token_id(uin, partner)}});
  } catch (const core::Error& e) {
    return envelope_error(svc.clock(), "KER-UIG-005", e.what());
  }
}

}  // namespace

void add_mosip_routes(http::Router& router, IdsService& svc) {
  const ScopeConfig& sc = svc.config().scopes;
  auto mosip_errors = std::make_shared<mosip::ErrorFormat>(svc.clock());
  for (const char* prefix :
       {"/v1/idgenerator", "/v1/pridgenerator", "/v1/ridgenerator", "/v1/keymanager"})
    router.set_error_format(prefix, mosip_errors);
  // MOSIP issues with GET: these routes write, so HEAD on them is refused (405), never run.
  router
      .add_async(http::Method::kGet, "/v1/idgenerator/uin",
                 [&svc](Request& req, Responder r) {
                   mosip_issue(svc, IdType::kUin, std::nullopt, req.actor(), std::move(r));
                 })
      .require_scopes({sc.issue})
      .has_side_effects();
  router.put("/v1/idgenerator/uin", [&svc](Request& req) { return put_uin(svc, req); })
      .require_scopes({sc.issue})
      .max_body(16 * 1024);
  router
      .add_async(http::Method::kGet, "/v1/idgenerator/vid",
                 [&svc](Request& req, Responder r) { vid(svc, req, std::move(r)); })
      .require_scopes({sc.issue})
      .has_side_effects();
  router
      .add_async(http::Method::kGet, "/v1/pridgenerator/prid",
                 [&svc](Request& req, Responder r) {
                   mosip_issue(svc, IdType::kPrid, std::nullopt, req.actor(), std::move(r));
                 })
      .require_scopes({sc.issue})
      .has_side_effects();
  router
      .get("/v1/ridgenerator/generate/rid/{centerid}/{machineid}",
           [&svc](Request& req) { return rid(svc, req); })
      .require_scopes({sc.issue})
      .has_side_effects();
  router
      .get("/v1/keymanager/tokenid/{uin}/{partnercode}",
           [&svc](Request& req) { return token(svc, req); })
      .require_scopes({sc.admin})
      .run_inline();
  add_mosip_licence_routes(router, svc);
}

}  // namespace registrar::ids
