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

}  // namespace

void add_builtin_routes(http::Router& router, http::Router& internal, store::Database& db,
                        std::vector<store::ModuleSchema> schemas, core::Metrics& metrics,
                        std::shared_ptr<const std::string> openapi) {
  add_healthz(router);
  if (&internal != &router) add_healthz(internal);

  // Readiness: the database answers and its schema is what this binary expects.
  internal.get("/readyz", [&db, schemas = std::move(schemas)](http::Request&) {
    http::Json checks = http::Json::object();
    bool db_ok = db.ping();
    checks["database"] = db_ok ? "ok" : "unreachable";
    bool ready = db_ok;
    if (db_ok) {
      auto st = store::schema_status(db, schemas);
      checks["migrations"] = st.current ? http::Json("ok") : http::Json(st.problems);
      ready = st.current;
    }
    auto r = http::Response::json(ready ? 200 : 503,
                                  {{"status", ready ? "ready" : "not ready"}, {"checks", checks}});
    r.headers.set("Cache-Control", "no-store");
    return r;
  });

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
