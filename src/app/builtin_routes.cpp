#include "app/builtin_routes.h"

namespace registrar::app {

namespace {

// Liveness: the process answers. Nothing else is checked, so that an orchestrator does not
// restart a healthy process because its database is briefly away.
void add_healthz(http::Router& router) {
  static const std::string kHealthy = R"({"status":"ok"})";
  router
      .get("/healthz",
           [](http::Request&) {
             http::Response r;
             r.headers.set("Content-Type", "application/json");
             r.headers.set("Cache-Control", "no-store");
             r.body = kHealthy;
             return r;
           })
      .run_inline();
}

// Readiness: the database answers and its schema is what this binary expects. `checks` says
// which part is not.
struct Readiness {
  store::Database& db;
  std::vector<store::ModuleSchema> schemas;
  bool operator()(http::Json& checks) const {
    bool db_ok = db.ping();
    checks["database"] = db_ok ? "ok" : "unreachable";
    if (!db_ok) return false;
    auto st = store::schema_status(db, schemas);
    checks["migrations"] = st.current ? http::Json("ok") : http::Json(st.problems);
    return st.current;
  }
};

}  // namespace

void add_builtin_routes(http::Router& router, http::Router& internal, store::Database& db,
                        std::vector<store::ModuleSchema> schemas, core::Metrics& metrics,
                        std::shared_ptr<const std::string> openapi,
                        const std::vector<std::string>& actuator_bases) {
  add_healthz(router);
  if (&internal != &router) add_healthz(internal);

  auto ready = std::make_shared<const Readiness>(Readiness{db, std::move(schemas)});
  internal.get("/readyz", [ready](http::Request&) {
    http::Json checks = http::Json::object();
    bool ok = (*ready)(checks);
    auto r = http::Response::json(ok ? 200 : 503,
                                  {{"status", ok ? "ready" : "not ready"}, {"checks", checks}});
    r.headers.set("Cache-Control", "no-store");
    return r;
  });
  // Spring Boot's health endpoint, where MOSIP's orchestrators probe each service. It stays on
  // the main listener (server.admin_listen or not): that is where those probes look, and it says
  // no more than UP or DOWN.
  for (const std::string& base : actuator_bases)
    router
        .get(base + "/actuator/health",
             [ready](http::Request&) {
               http::Json checks = http::Json::object();
               bool ok = (*ready)(checks);
               auto r = http::Response::json(ok ? 200 : 503, {{"status", ok ? "UP" : "DOWN"}});
               r.headers.set("Cache-Control", "no-store");
               return r;
             })
        .document_as("/v1/idgenerator/actuator/health");  // once for every base

  internal
      .get("/metrics",
           [&metrics](http::Request&) {
             return http::Response::text(200, metrics.render(),
                                         "text/plain; version=0.0.4; charset=utf-8");
           })
      .run_inline();

  router
      .get("/openapi.yaml",
           [openapi = std::move(openapi)](http::Request&) {
             return http::Response::text(200, *openapi, "application/yaml; charset=utf-8");
           })
      .run_inline();
}

}  // namespace registrar::app
