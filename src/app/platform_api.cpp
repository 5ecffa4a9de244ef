#include "app/platform_api.h"

#include <algorithm>
#include <cstdint>
#include <memory>

#include "core/clock.h"
#include "core/error.h"
#include "store/audit.h"

namespace registrar::app {

namespace {

using http::Json;

constexpr int kMaxAuditPage = 500;

// A filter value: at most 256 characters, so that a request cannot make the database compare
// against megabytes.
std::string filter_param(const http::Request& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v) return {};
  if (v->size() > 256)
    throw core::invalid_argument(std::string(name) + " must be at most 256 characters",
                                 std::string(name));
  return *v;
}

Json event_json(const store::AuditRecord& a) {
  Json j = {{"id", a.id},           {"at", core::format_rfc3339(a.at, true)},
            {"actor", a.actor},     {"action", a.action},
            {"subject", a.subject}, {"request_id", a.request_id},
            {"detail", a.detail}};
  j["server_request_id"] = a.server_request_id ? Json(*a.server_request_id) : Json(nullptr);
  return j;
}

// "METHOD pattern" of every bearer route whose scopes `who` holds: what a client (the console)
// may offer this person, whatever scope names this installation configured.
Json allowed_routes(const http::Router& router, const http::Principal& who) {
  Json out = Json::array();
  for (const http::Route* r : router.routes()) {
    if (r->auth != http::kBearerAuthenticator || r->doc.hidden) continue;
    bool all = std::all_of(r->scopes.begin(), r->scopes.end(),
                           [&](const std::string& s) { return who.has_scope(s); });
    if (all) out.push_back(std::string(http::method_name(r->method)) + " " + r->pattern);
  }
  return out;
}

}  // namespace

void add_platform_api(http::Router& router, store::Database& db, PlatformApiSettings settings) {
  auto info = std::make_shared<const Json>(
      Json{{"version", settings.version}, {"modules", settings.modules}});
  router
      .get("/v1/platform/info",
           [info, &router](http::Request& req) {
             Json out = *info;
             out["subject"] = req.principal->subject;
             out["scopes"] = req.principal->scopes;
             out["allowed"] = allowed_routes(router, *req.principal);
             return http::Response::json(200, out);
           })
      .run_inline()
      .require_auth()
      .describe(
          "This server's version and modules; the caller's subject, scopes and the routes "
          "those scopes allow",
          "platform");
  router
      .get("/v1/audit/events",
           [&db](http::Request& req) {
             store::AuditQuery q;
             q.subject = filter_param(req, "subject");
             q.actor = filter_param(req, "actor");
             q.action = filter_param(req, "action");
             q.before_id = req.integer_query_param("before", 1, INT64_MAX, 0);
             q.limit = int(req.integer_query_param("limit", 1, kMaxAuditPage, 50));
             auto rows = db.read([&](soci::session& s) { return store::read_audit(s, q); });
             Json events = Json::array();
             for (const auto& a : rows) events.push_back(event_json(a));
             Json out = {{"events", std::move(events)}};
             // The next page's `before`: there may be more when this page is full.
             out["next_before"] =
                 int(rows.size()) == q.limit ? Json(rows.back().id) : Json(nullptr);
             return http::Response::json(200, out);
           })
      .require_scopes({settings.audit_scope})
      .describe("The audit log, newest first, paged (?subject, ?actor, ?action, ?before, ?limit)",
                "platform");
}

}  // namespace registrar::app
