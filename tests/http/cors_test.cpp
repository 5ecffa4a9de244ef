// CORS in the platform: the pure policy functions, then a server on loopback with a policy per
// path prefix, a fixed-token authenticator and an error format, answering what a browser sends.
#include "http/cors.h"

#include <gtest/gtest.h>

#include "http/client.h"
#include "http/router.h"
#include "support/loopback_server.h"

namespace registrar::http {
namespace {

Request browser_request(Method method, const std::string& origin) {
  Request r;
  r.method = method;
  r.headers.set("Origin", origin);
  return r;
}

Request preflight(const std::string& origin, const std::string& method,
                  const std::string& headers = "") {
  Request r = browser_request(Method::kOptions, origin);
  r.headers.set("Access-Control-Request-Method", method);
  if (!headers.empty()) r.headers.set("Access-Control-Request-Headers", headers);
  return r;
}

CorsPolicy any_origin() {
  CorsPolicy p;
  p.origins = {"*"};
  return p;
}

std::string header(const Response& r, std::string_view name) {
  return std::string(r.headers.get(name).value_or("<none>"));
}

TEST(Cors, AnyOriginAnswersAStarAsExpressCorsDoesByDefault) {
  Response r = preflight_response(
      any_origin(), preflight("https://wallet.example", "POST", "authorization,content-type"));
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(r, "Access-Control-Allow-Methods"), "GET,HEAD,PUT,PATCH,POST,DELETE");
  EXPECT_EQ(header(r, "Access-Control-Allow-Headers"), "authorization,content-type");
  EXPECT_EQ(header(r, "Vary"), "Access-Control-Request-Headers");
  EXPECT_EQ(header(r, "Access-Control-Allow-Credentials"), "<none>");
  EXPECT_EQ(header(r, "Access-Control-Max-Age"), "<none>");

  Response actual = Response::json(200, {{"ok", true}});
  apply_cors(any_origin(), browser_request(Method::kPost, "https://wallet.example"), actual);
  EXPECT_EQ(header(actual, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(actual, "Vary"), "<none>");  // "*" does not depend on the origin
}

TEST(Cors, ListedOriginsAreEchoedWithVaryAndOthersGetNoGrant) {
  CorsPolicy p;
  p.origins = {"https://wallet.example", "http://127.0.0.1:3000"};
  p.headers = {"Authorization", "Content-Type"};
  p.expose_headers = {"x-correlation-id"};
  p.credentials = true;
  p.max_age_seconds = 600;
  Response ok = preflight_response(p, preflight("http://127.0.0.1:3000", "PUT", "x-other"));
  EXPECT_EQ(header(ok, "Access-Control-Allow-Origin"), "http://127.0.0.1:3000");
  EXPECT_EQ(header(ok, "Vary"), "Origin");
  EXPECT_EQ(header(ok, "Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(header(ok, "Access-Control-Allow-Headers"), "Authorization,Content-Type");
  EXPECT_EQ(header(ok, "Access-Control-Max-Age"), "600");

  Response other = preflight_response(p, preflight("https://evil.example", "POST"));
  EXPECT_EQ(other.status, 204);  // the browser, not the server, refuses the request
  EXPECT_EQ(header(other, "Access-Control-Allow-Origin"), "<none>");
  EXPECT_EQ(header(other, "Access-Control-Allow-Credentials"), "<none>");
  EXPECT_EQ(header(other, "Vary"), "Origin");

  // An actual response keeps the Vary it had (compression's) and adds Origin once.
  Response actual = Response::text(200, "x");
  actual.headers.set("Vary", "Accept-Encoding");
  apply_cors(p, browser_request(Method::kGet, "https://wallet.example"), actual);
  apply_cors(p, browser_request(Method::kGet, "https://wallet.example"), actual);
  EXPECT_EQ(header(actual, "Vary"), "Accept-Encoding, Origin");
  EXPECT_EQ(header(actual, "Access-Control-Allow-Origin"), "https://wallet.example");
  EXPECT_EQ(header(actual, "Access-Control-Expose-Headers"), "x-correlation-id");
  Response no_origin = Response::text(200, "x");
  Request plain;
  apply_cors(p, plain, no_origin);
  EXPECT_EQ(header(no_origin, "Access-Control-Allow-Origin"), "<none>");
}

TEST(Cors, OnlyATokenListOfRequestHeadersIsReflected) {
  Response r = preflight_response(
      any_origin(), preflight("https://a.example", "POST", "authorization, x-y\"<script>"));
  EXPECT_EQ(header(r, "Access-Control-Allow-Headers"), "<none>");
  EXPECT_TRUE(is_preflight(preflight("https://a.example", "POST")));
  EXPECT_FALSE(is_preflight(browser_request(Method::kOptions, "https://a.example")));
}

TEST(Cors, ConfigurationIsCheckedMemberByMember) {
  CorsPolicy p;
  EXPECT_EQ(parse_cors_policy(Json::parse(R"({"origins":["https://a.example"],
      "methods":["GET","POST"],"headers":["Authorization"],"max_age_seconds":60})"),
                              &p),
            std::nullopt);
  EXPECT_EQ(p.methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(p.max_age_seconds, 60);
  for (const char* bad :
       {R"({})", R"({"origins":[]})", R"({"origins":["https://a.example/path"]})",
        R"({"origins":["*","https://a.example"]})", R"({"origins":["null"]})",
        R"({"origins":["*"],"credentials":true})", R"({"origins":["*"],"methods":[]})",
        R"({"origins":["*"],"headers":["a b"]})", R"({"origins":["*"],"max_age_seconds":-1})",
        R"({"origins":["*"],"colour":"blue"})"})
    EXPECT_NE(parse_cors_policy(Json::parse(bad), nullptr), std::nullopt) << bad;
}

// A format that marks its errors, to see that the route's group writes them.
class MarkedErrors final : public ErrorFormat {
 public:
  Response render(const Failure& f, const Request&, const Route*) const override {
    return Response::json(f.status, {{"marked", f.status}});
  }
};

class CorsServerTest : public ::testing::Test {
 protected:
  CorsServerTest() {
    router_.add_authenticator(kBearerAuthenticator,
                              std::make_shared<testing::FixedTokenAuthenticator>(
                                  std::map<std::string, std::vector<std::string>>{{"good", {}}}));
    router_.post("/open/things",
                 [](Request&) {
                   return Response::json(201, {{"made", true}});
                 })
        .require_auth();
    router_.get("/closed/things", [](Request&) { return Response::json(200, {{"x", 1}}); });
    router_.set_error_format("/open", std::make_shared<MarkedErrors>());
    router_.set_cors("/open", std::make_shared<const CorsPolicy>(any_origin()));
    router_.on_response("/open", [](const Request& req, Response& res) {
      res.headers.set("x-seen", std::string(method_name(req.method)));
    });
  }
  Response send(Method method, const std::string& path, Headers headers) {
    ClientRequest r;
    r.method = method;
    r.url = server_->url(path);
    r.headers = std::move(headers);
    return fetch(r);
  }

  Router router_;
  std::unique_ptr<testing::LoopbackServer> server_;
};

TEST_F(CorsServerTest, PreflightIsAnsweredBeforeAuthenticationAndErrorsCarryTheGrant) {
  server_ = std::make_unique<testing::LoopbackServer>(router_);
  Headers ask;
  ask.set("Origin", "https://wallet.example");
  ask.set("Access-Control-Request-Method", "POST");
  ask.set("Access-Control-Request-Headers", "authorization,content-type");
  Response pre = send(Method::kOptions, "/open/things", ask);
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(header(pre, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(pre, "Access-Control-Allow-Headers"), "authorization,content-type");
  EXPECT_EQ(header(pre, "x-seen"), "OPTIONS");  // the group's hook sees every response
  EXPECT_TRUE(pre.body.empty());

  Headers browser;
  browser.set("Origin", "https://wallet.example");
  Response denied = send(Method::kPost, "/open/things", browser);  // no token: 401
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(Json::parse(denied.body)["marked"], 401);
  EXPECT_EQ(header(denied, "Access-Control-Allow-Origin"), "*");
  browser.set("Authorization", "Bearer good");
  Response made = send(Method::kPost, "/open/things", browser);
  EXPECT_EQ(made.status, 201);
  EXPECT_EQ(header(made, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(made, "x-seen"), "POST");
  Response unknown = send(Method::kGet, "/open/nothing", browser);  // unmatched, same group
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(header(unknown, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(unknown, "x-seen"), "GET");

  // Outside the prefix: no CORS, and a preflight is just an OPTIONS the route does not serve.
  Response closed = send(Method::kOptions, "/closed/things", ask);
  EXPECT_EQ(closed.status, 405);
  EXPECT_EQ(header(closed, "Access-Control-Allow-Origin"), "<none>");
  Response get = send(Method::kGet, "/closed/things", browser);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(header(get, "Access-Control-Allow-Origin"), "<none>");
  EXPECT_EQ(header(get, "x-seen"), "<none>");
}

TEST(RouterGroups, AReservedPrefixRefusesOtherRoutesAtResolve) {
  Router r;
  r.set_tag("identity");
  const Route* mine = &r.post("/dhp/generate", [](Request&) { return Response::no_content(); });
  r.reserve_prefix("/dhp", {mine}, "the DHP routes");
  EXPECT_NO_THROW(r.resolve());
  r.set_tag("ids");
  r.get("/dhp/other", [](Request&) { return Response::no_content(); });
  try {
    r.resolve();
    FAIL() << "an intruder under a reserved prefix must be refused";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(),
                 "route GET /dhp/other (ids) lies under /dhp, reserved for the DHP routes");
  }
  // A duplicate names both modules.
  try {
    r.post("/dhp/generate", [](Request&) { return Response::no_content(); });
    FAIL();
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(),
                 "duplicate route POST /dhp/generate: ids adds it, identity serves /dhp/generate "
                 "already");
  }
}

}  // namespace
}  // namespace registrar::http
