// The platform's own routes: Spring's actuator health is served only under the bases the
// modules declare (Module::actuator_bases), and answers as /readyz decides.
#include "app/builtin_routes.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace registrar::app {
namespace {

TEST(BuiltinRoutes, ActuatorHealthOnlyUnderTheDeclaredBases) {
  testing::TempDir dir;
  store::DatabaseOptions o;
  o.url = "sqlite:" + dir.file("app.db");
  o.pool_size = 1;
  store::Database db(o);
  core::Metrics metrics;
  http::Router router;
  add_builtin_routes(router, router, db, {}, metrics, std::make_shared<std::string>(),
                     {"/v1/idgenerator", "/v1/syncdata"});
  for (const char* path : {"/v1/idgenerator/actuator/health", "/v1/syncdata/actuator/health"}) {
    auto m = router.match(http::Method::kGet, path);
    ASSERT_NE(m.route, nullptr) << path;
    EXPECT_FALSE(m.route->authenticated()) << path;  // probes carry no token
    EXPECT_NE(router.match(http::Method::kHead, path).route, nullptr) << path;
  }
  // A base no module declared has none.
  EXPECT_EQ(router.match(http::Method::kGet, "/v1/keymanager/actuator/health").route, nullptr);
  EXPECT_EQ(router.match(http::Method::kGet, "/actuator/health").route, nullptr);

  // With no schema expected, an open database is ready: UP.
  auto m = router.match(http::Method::kGet, "/v1/syncdata/actuator/health");
  http::Request req;
  auto res = m.route->handler(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(nlohmann::json::parse(res.body), nlohmann::json({{"status", "UP"}}));
}

}  // namespace
}  // namespace registrar::app
