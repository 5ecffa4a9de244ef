#include "authz/api.h"

#include "authz/identifiers.h"
#include "authz/report.h"
#include "core/error.h"
#include "core/log.h"

namespace registrar::authz {
namespace {

using http::Request;
using http::Response;

// Request bodies of the lookups and proxy changes are a few hundred bytes; events carry a case
// with its heirs.
constexpr size_t kLookupMaxBody = 16 * 1024;
constexpr size_t kEventMaxBody = 1024 * 1024;

Actor actor_of(const Request& req) {
  return {req.actor(), req.request_id};
}

// `?unfiltered=true|false` as ASP.NET binds a bool: case-insensitive, absent means false.
bool unfiltered_param(const Request& req) {
  auto v = req.query_param("unfiltered");
  if (!v || v->empty()) return false;
  if (http::iequals(*v, "true")) return true;
  if (http::iequals(*v, "false")) return false;
  throw core::invalid_argument("The value '" + *v + "' is not valid for unfiltered.", "unfiltered");
}

const char* outcome_name(EventResult::Outcome o) {
  switch (o) {
    case EventResult::Outcome::kApplied:
      return "applied";
    case EventResult::Outcome::kDiscarded:
      return "discarded";
    case EventResult::Outcome::kIgnored:
      break;
  }
  return "ignored";
}

Response pip_ok(std::string body) {
  Response r;
  r.headers.set("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Response empty(int status) {
  Response r;
  r.status = status;
  return r;
}

}  // namespace

// The authenticator of the event endpoint: authz.event_secret in the query parameter
// authz.event_auth_parameter.
constexpr const char* kEventsAuthenticator = "authz.events";

void add_authz_routes(http::Router& router, AuthzService& service, LookupBatcher& batcher,
                      EstateCache* cache) {
  const AuthzSettings& settings = service.settings();

  // Authenticated by the shared secret in the query (no bearer token), compared in constant
  // time. Discarded and ignored events are a 200 as in the original.
  router.add_authenticator(kEventsAuthenticator,
                           std::make_shared<http::QuerySecretAuthenticator>(
                               settings.event_auth_parameter, settings.event_secret, "events"));
  router
      .post("/api/v1/eventhandler",
            [&service](Request& req) {
              EventResult r = service.ingest_event(req.body, {"events", req.request_id});
              log::info("authz_event", {{"request_id", req.request_id},
                                        {"outcome", outcome_name(r.outcome)},
                                        {"granted", r.granted},
                                        {"revoked", r.revoked}});
              return empty(200);
            })
      .authenticate_with(kEventsAuthenticator)
      .max_body(kEventMaxBody);

  router
      .post("/api/v1/authorization/proxies/add",
            [&service](Request& req) {
              ProxyChange change = parse_proxy_change(req.json_body(), "add");
              auto proxies = service.add_proxy(change, actor_of(req));
              return Response::json(201, proxies_search_response(proxies));
            })
      .require_scopes({settings.internal_scope})
      .max_body(kLookupMaxBody);

  router
      .post("/api/v1/authorization/proxies/remove",
            [&service](Request& req) {
              ProxyChange change = parse_proxy_change(req.json_body(), "remove");
              service.remove_proxy(change, actor_of(req));
              return Response::no_content();
            })
      .require_scopes({settings.internal_scope})
      .max_body(kLookupMaxBody);

  router
      .post("/api/v1/authorization/roles/search",
            [&service](Request& req) {
              bool unfiltered = unfiltered_param(req);
              Lookup lookup = parse_search_request(req.json_body());
              return Response::json(
                  200, roles_search_response(service.search_roles(lookup, unfiltered)));
            })
      .require_scopes({settings.lookup_scope})
      .max_body(kLookupMaxBody);

  router
      .post("/api/v1/authorization/proxies/search",
            [&service](Request& req) {
              Lookup lookup = parse_search_request(req.json_body());
              return Response::json(200, proxies_search_response(service.search_proxies(lookup)));
            })
      .require_scopes({settings.lookup_scope})
      .max_body(kLookupMaxBody);

  // The estate's roles and proxies with why each holds (the console's "roles and proxies"
  // page; `registrar authz show` as JSON, report.h).
  router
      .get("/v1/authz/estates/{ssn}",
           [&service](Request& req) {
             std::string ssn(req.param("ssn"));
             if (!is_valid_ssn(ssn)) throw core::invalid_argument("Invalid EstateSsn", "ssn");
             return Response::json(
                 200, estate_report_json(service.show_estate(ssn), service.settings().roles));
           })
      .require_scopes({settings.internal_scope})
      .describe(
          "An estate's roles and proxies, each with its reason (court event, individual proxy "
          "and its heir, the collective rule and the heirs whose grants make it hold)");

  // The benchmarked lookup: parsed and validated on the I/O thread and answered there from the
  // estate cache when it has the estate (estate_cache.h); otherwise read in a batch with the
  // other lookups that arrive meanwhile (batcher.h) and answered from the drain thread.
  router
      .add_async(http::Method::kPost, "/api/v1/pip",
                 [&batcher, cache](Request& req, http::Responder respond) {
                   Lookup lookup = parse_pip_request(req.json_body());
                   validate_lookup(lookup);
                   if (cache)
                     if (auto body = cache->pip_response(lookup, std::chrono::steady_clock::now()))
                       return respond(pip_ok(std::move(*body)));
                   batcher.submit(std::move(lookup), [respond](std::vector<Assignment> rows,
                                                               std::exception_ptr error) {
                     if (error) return respond.fail(error);
                     respond(pip_ok(pip_response_text(rows)));
                   });
                 })
      .require_scopes({settings.internal_scope})
      .max_body(kLookupMaxBody);
}

}  // namespace registrar::authz
