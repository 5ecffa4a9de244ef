// MOSIP's licence-key manager (keymanager /v1/keymanager/license/*, spec §4.4): generate a key,
// map permissions to it, fetch them. Its texts, its order of checks (the body bound first, some
// validation errors collected into one answer) and the request's id and version in every answer
// to a body, as keymanager's exception handler copies them.
#include <optional>
#include <string>
#include <vector>

#include "ids/api.h"
#include "mosip/envelope.h"

namespace registrar::ids {

namespace {

using http::Json;
using http::Request;
using http::Response;

using mosip::envelope;
using mosip::envelope_error;
using mosip::parse_body;

constexpr const char* kTspEmpty = "TSP entered is null or empty.";                  // KER-LKM-001
constexpr const char* kNotAccepted = "Permission value entered is not accepted.";   // 003
constexpr const char* kPermissionEmpty = "Permission entered is an empty string.";  // 007
constexpr const char* kExpiryPast = "Expiry DateTime should be ahead of current DateTime.";  // 008
constexpr const char* kNoPermissions =
    "No Permissions has been mapped to the entered TSP-LicenseKey Pair.";  // 009
constexpr const char* kMapped = "Mapped License with the permissions";

// Java's String.trim().isEmpty(): nothing but characters <= ' '.
bool blank(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) > ' ') return false;
  return true;
}

// A licence request as MOSIP's Jackson binding reads it: the body, its id and version (copied
// into every answer) and the `request` object. `error` is KER-LKM-999's message when unreadable.
struct LicenceRequest {
  Json id, version, request = Json::object();
  std::optional<std::string> error;
};

LicenceRequest read_licence_request(const Request& req) {
  LicenceRequest out;
  Json body;
  if ((out.error = parse_body(req.body, body))) return out;
  if (!body.is_object()) {
    out.error = "the body must be a JSON object";
    return out;
  }
  out.id = body.value("id", Json(nullptr));
  out.version = body.value("version", Json(nullptr));
  Json request = body.value("request", Json(nullptr));
  if (request.is_object()) out.request = std::move(request);
  return out;
}

// A String field: absent or null is empty; a number or boolean is its text (Jackson coerces
// scalars); an object or array cannot be read (nullopt).
std::optional<std::string> text_field(const Json& request, const char* name) {
  auto it = request.find(name);
  if (it == request.end() || it->is_null()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  if (it->is_primitive()) return it->dump();
  return std::nullopt;
}

std::string unreadable(const char* field) {
  return std::string("JSON parse error: cannot read ") + field + " from the request";
}

Response licence_generate(IdsService& svc, Request& req) {
  const core::Clock& clock = svc.clock();
  LicenceRequest in = read_licence_request(req);
  if (in.error) return envelope_error(clock, "KER-LKM-999", *in.error);
  auto fail = [&](const char* code, const std::string& message) {
    return envelope_error(clock, code, message, in.id, in.version);
  };
  // The body is bound (and its date read) before the TSP is checked, as in MOSIP.
  auto tsp = text_field(in.request, "tspId");
  if (!tsp) return fail("KER-LKM-999", unreadable("tspId"));
  std::optional<int64_t> expiry;
  Json t = in.request.value("licenseExpiryTime", Json(nullptr));
  if (!t.is_null()) {
    expiry = t.is_string() ? parse_licence_expiry_ms(t.get<std::string>()) : std::nullopt;
    if (!expiry)
      return fail("KER-LKM-999", "JSON parse error: cannot read licenseExpiryTime " + t.dump() +
                                     " as a date-time (yyyy-MM-dd'T'HH:mm:ss.SSS'Z' or ISO 8601)");
  }
  if (blank(*tsp)) return fail("KER-LKM-001", kTspEmpty);
  if (expiry && *expiry < core::to_unix_ms(clock.now())) return fail("KER-LKM-008", kExpiryPast);
  auto l = svc.create_licence(*tsp, expiry, req.actor(), req.request_id);
  return envelope(clock, {{"licenseKey", l.row.key}}, in.id, in.version);
}

// POST /v1/keymanager/license/permission {tspId, licenseKey, permissions[]}: 001 / 006 / 007
// collected together, then 004 (no such key for this TSP), then 003, then the mapping.
Response licence_map(IdsService& svc, Request& req) {
  const core::Clock& clock = svc.clock();
  LicenceRequest in = read_licence_request(req);
  if (in.error) return envelope_error(clock, "KER-LKM-999", *in.error);
  auto fail = [&](const char* code, const std::string& message) {
    return envelope_error(clock, code, message, in.id, in.version);
  };
  auto tsp = text_field(in.request, "tspId");
  auto key = text_field(in.request, "licenseKey");
  if (!tsp) return fail("KER-LKM-999", unreadable("tspId"));
  if (!key) return fail("KER-LKM-999", unreadable("licenseKey"));
  std::vector<std::string> permissions;
  bool empty_permission = false;
  Json list = in.request.value("permissions", Json(nullptr));
  if (!list.is_null() && !list.is_array()) return fail("KER-LKM-999", unreadable("permissions"));
  if (list.is_array())
    for (const Json& p : list) {
      if (p.is_array() || p.is_object()) return fail("KER-LKM-999", unreadable("permissions"));
      permissions.push_back(p.is_string() ? p.get<std::string>() : p.is_null() ? "" : p.dump());
      if (p.is_null() || blank(permissions.back())) empty_permission = true;
    }
  // MOSIP fails on a missing list (500) and stores an empty one as one empty permission; both
  // are the empty permission here.
  if (permissions.empty()) empty_permission = true;
  std::vector<mosip::ServiceError> errors;
  if (blank(*tsp)) errors.push_back({"KER-LKM-001", kTspEmpty});
  if (blank(*key)) errors.push_back({"KER-LKM-006", error_message(IdError::kLicenceEmpty)});
  if (empty_permission) errors.push_back({"KER-LKM-007", kPermissionEmpty});
  if (!errors.empty()) return mosip::envelope_errors(clock, errors, in.id, in.version);
  auto r = svc.map_licence_permissions(*key, *tsp, permissions, false, req.actor(), req.request_id);
  if (r.outcome == PermissionOutcome::kNotFound)
    return fail("KER-LKM-004", error_message(IdError::kLicenceNotFound));
  if (r.outcome == PermissionOutcome::kNotAccepted) return fail("KER-LKM-003", kNotAccepted);
  return envelope(clock, {{"status", kMapped}}, in.id, in.version);
}

// GET /v1/keymanager/license/permission?tspId=&licenseKey=: 001 / 006 collected, then 004,
// then the licence's status (BLOCKED and SUSPENDED are ours, REG-IDV-603 / 602; EXPIRED is
// MOSIP's 005), then 009 when nothing is mapped.
Response licence_permissions(IdsService& svc, Request& req) {
  const core::Clock& clock = svc.clock();
  std::string tsp = req.query_param("tspId").value_or("");
  std::string key = req.query_param("licenseKey").value_or("");
  std::vector<mosip::ServiceError> errors;
  if (blank(tsp)) errors.push_back({"KER-LKM-001", kTspEmpty});
  if (blank(key)) errors.push_back({"KER-LKM-006", error_message(IdError::kLicenceEmpty)});
  if (!errors.empty()) return mosip::envelope_errors(clock, errors);
  auto r = svc.licence_permissions(key, tsp);
  auto fail = [&](IdError e) { return envelope_error(clock, error_code(e), error_message(e)); };
  if (r.outcome == PermissionOutcome::kNotFound) return fail(IdError::kLicenceNotFound);
  switch (r.licence->effective) {
    case LicenceStatus::kBlocked:
      return fail(IdError::kLicenceBlocked);
    case LicenceStatus::kExpired:
      return fail(IdError::kLicenceExpired);
    case LicenceStatus::kSuspended:
      return fail(IdError::kLicenceSuspended);
    case LicenceStatus::kActive:
      break;
  }
  if (r.permissions.empty()) return envelope_error(clock, "KER-LKM-009", kNoPermissions);
  return envelope(clock, {{"permissions", r.permissions}});
}

}  // namespace

void add_mosip_licence_routes(http::Router& router, IdsService& svc) {
  const ScopeConfig& sc = svc.config().scopes;
  router
      .post("/v1/keymanager/license/generate",
            [&svc](Request& req) { return licence_generate(svc, req); })
      .require_scopes({sc.admin})
      .max_body(16 * 1024);
  router
      .post("/v1/keymanager/license/permission",
            [&svc](Request& req) { return licence_map(svc, req); })
      .require_scopes({sc.admin})
      .max_body(64 * 1024);
  router
      .get("/v1/keymanager/license/permission",
           [&svc](Request& req) { return licence_permissions(svc, req); })
      .require_scopes({sc.admin});
}

}  // namespace registrar::ids
