#include "http/router.h"

#include <gtest/gtest.h>

namespace registrar::http {
namespace {

Response ok(Request&) {
  return Response::text(200, "ok");
}

TEST(Router, MatchesLiteralsAndParameters) {
  Router r;
  r.get("/v1/ids/{type}", ok);
  r.get("/v1/ids/{type}/{id}", ok);
  r.get("/v1/ids/uin/capacity", ok);
  auto m = r.match(Method::kGet, "/v1/ids/vid/123");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/ids/{type}/{id}");
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"type", "vid"}));
  EXPECT_EQ(m.params[1].second, "123");
  // Literal segments win over parameters.
  EXPECT_EQ(r.match(Method::kGet, "/v1/ids/uin/capacity").route->pattern, "/v1/ids/uin/capacity");
  EXPECT_EQ(r.match(Method::kGet, "/v1/ids/uin").route->pattern, "/v1/ids/{type}");
}

TEST(Router, BacktracksFromALiteralDeadEnd) {
  Router r;
  r.get("/a/b/c", ok);
  r.get("/a/{x}/d", ok);
  auto m = r.match(Method::kGet, "/a/b/d");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/a/{x}/d");
  EXPECT_EQ(m.params.size(), 1u);
}

TEST(Router, ReportsAllowedMethodsForWrongMethod) {
  Router r;
  r.get("/x", ok);
  r.post("/x", ok);
  auto m = r.match(Method::kDelete, "/x");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed.size(), 3u);  // GET, POST and the implied HEAD
}

TEST(Router, UnknownPathHasNoAllowedMethods) {
  Router r;
  r.get("/x", ok);
  auto m = r.match(Method::kGet, "/y");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed.empty());
  EXPECT_EQ(r.match(Method::kGet, "/x/extra").route, nullptr);
  EXPECT_EQ(r.match(Method::kGet, "/").route, nullptr);
}

TEST(Router, HeadFallsBackToGetAndTrailingSlashIsIgnored) {
  Router r;
  r.get("/healthz", ok);
  EXPECT_NE(r.match(Method::kHead, "/healthz").route, nullptr);
  EXPECT_NE(r.match(Method::kGet, "/healthz/").route, nullptr);
}

// HEAD must never have a side effect: a GET route that writes does not answer it.
TEST(Router, HeadIsRefusedOnGetRoutesWithSideEffects) {
  Router r;
  r.get("/issue", ok).has_side_effects();
  r.put("/issue", ok);
  auto m = r.match(Method::kHead, "/issue");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<Method>{Method::kGet, Method::kPut}));  // no HEAD
  EXPECT_NE(r.match(Method::kGet, "/issue").route, nullptr);
  // Its 405 is written in the format of the routes at that path, once resolved.
  auto mosip_like = problem_format();
  r.set_error_format("/issue", mosip_like);
  r.resolve();
  EXPECT_EQ(r.match(Method::kHead, "/issue").errors, mosip_like.get());
}

TEST(Router, EmptySegmentsDoNotMatchParameters) {
  Router r;
  r.get("/a/{id}/b", ok);
  EXPECT_EQ(r.match(Method::kGet, "/a//b").route, nullptr);
}

TEST(Router, RejectsDuplicatesAndBadPatterns) {
  Router r;
  r.get("/x", ok);
  EXPECT_THROW(r.get("/x", ok), std::logic_error);
  EXPECT_THROW(r.get("x", ok), std::logic_error);
  r.get("/p/{a}", ok);
  EXPECT_THROW(r.get("/p/{b}/c", ok), std::logic_error);
}

TEST(Router, RouteOptionsAreKept) {
  Router r;
  r.post("/x", ok).require_scopes({"a", "b"}).max_body(10).run_inline();
  const Route* route = r.match(Method::kPost, "/x").route;
  ASSERT_NE(route, nullptr);
  EXPECT_TRUE(route->authenticated());
  EXPECT_EQ(route->auth, kBearerAuthenticator);
  EXPECT_EQ(route->scopes.size(), 2u);
  EXPECT_EQ(route->max_body_bytes, 10u);
  EXPECT_EQ(route->exec, Exec::kInline);
}

TEST(Responder, FirstCallWinsAndDroppedResponderAnswers500) {
  std::vector<int> got;
  {
    Responder r([&](Response res) { got.push_back(res.status); });
    r(Response::text(201, ""));
    r(Response::text(202, ""));
  }
  EXPECT_EQ(got, std::vector<int>{201});
  got.clear();
  {
    Responder r([&](Response res) { got.push_back(res.status); });
  }
  EXPECT_EQ(got, std::vector<int>{500});
}

}  // namespace
}  // namespace registrar::http
