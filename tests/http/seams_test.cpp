// The server's seams for modules, over real loopback connections: authenticators chosen per route
// by name, error formats per route and per path prefix for every kind of failure (before the
// route, authentication, handler, async completion), and the shared-secret authenticator.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error.h"
#include "http/client.h"
#include "http/server.h"
#include "support/raw_client.h"

namespace registrar::http {
namespace {

using namespace std::chrono_literals;

// Accepts "Key <name>" for its own name only, so that a route authenticated by one refuses the
// other's credentials.
class KeyAuthenticator : public Authenticator {
 public:
  explicit KeyAuthenticator(std::string name) : name_(std::move(name)) {}
  std::optional<Failure> authenticate(Request& req, const Route&) override {
    auto h = req.headers.get("Authorization");
    if (!h || *h != "Key " + name_) {
      Failure f = unauthenticated("bad_key", "key " + name_ + " required", "Authorization");
      f.headers.set("WWW-Authenticate", "Key realm=\"" + name_ + "\"");
      return f;
    }
    Principal p;
    p.subject = name_;
    req.principal = std::make_shared<const Principal>(p);
    return std::nullopt;
  }

 private:
  std::string name_;
};

// A protocol's own error shape: plain text "<status> <code>: <message> [<field>]".
class TextFormat : public ErrorFormat {
 public:
  explicit TextFormat(std::string tag) : tag_(std::move(tag)) {}
  Response render(const Failure& f, const Request&, const Route* route) const override {
    Response r = Response::text(f.status, tag_ + " " + std::to_string(f.status) + " " + f.code +
                                              ": " + f.message + " [" + f.field + "]" +
                                              (route ? " route" : " unmatched"));
    for (auto& e : f.fields) r.body += " " + e.field + "=" + e.message;
    return r;
  }

 private:
  std::string tag_;
};

class SeamsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add_authenticator("alpha", std::make_shared<KeyAuthenticator>("alpha"));
    router_.add_authenticator("beta", std::make_shared<KeyAuthenticator>("beta"));
    router_.add_authenticator(
        "secret", std::make_shared<QuerySecretAuthenticator>("auth", "s3cret", "events"));
    auto counted = [this](Request& r) {
      ++handled_;
      return Response::text(200, r.principal ? r.principal->subject : "anonymous");
    };
    router_.get("/a", counted).authenticate_with("alpha");
    router_.get("/b", counted).authenticate_with("beta").run_inline();
    router_
        .add_async(Method::kGet, "/b/async",
                   [this](Request& r, Responder done) {
                     ++handled_;
                     done(Response::text(200, r.principal->subject));
                   })
        .authenticate_with("beta");
    router_.post("/events", counted).authenticate_with("secret");

    router_.set_error_format("/proto", std::make_shared<TextFormat>("proto"));
    router_.get("/proto/ok", counted);
    router_.get("/proto/auth", counted).authenticate_with("alpha");
    router_.post("/proto/small", counted).max_body(4);
    router_.get("/proto/conflict",
                [](Request&) -> Response { throw core::conflict("taken", "name"); });
    router_.get("/proto/bug", [](Request&) -> Response { throw std::runtime_error("hidden"); });
    router_.add_async(Method::kGet, "/proto/async", [](Request&, Responder done) {
      std::thread([done] {
        done.fail(core::Error(core::ErrorKind::kInvalidArgument, "two",
                              std::vector<core::FieldError>{{"x", "bad"}, {"y", "worse"}}));
      }).detach();
    });
    // A route's own format beats its prefix's.
    router_.get("/proto/own", [](Request&) -> Response { throw core::not_found("gone away"); })
        .errors_as(std::make_shared<TextFormat>("own"));

    // The default format, from async completions: errors[] and Retry-After are kept.
    router_.add_async(Method::kGet, "/async/fields", [](Request&, Responder done) {
      done.fail(core::Error(core::ErrorKind::kInvalidArgument, "two",
                            std::vector<core::FieldError>{{"x", "bad"}, {"y", "worse"}}));
    });
    router_.add_async(Method::kGet, "/async/unavailable", [](Request&, Responder done) {
      std::thread([done] {
        done.fail(core::Error(core::ErrorKind::kUnavailable, "database away"));
      }).detach();
    });
    router_.add_async(Method::kGet, "/async/throws", [](Request&, Responder) {
      throw core::Error(core::ErrorKind::kGone, "old");
    });

    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.access_log = false;
    o.worker_threads = 2;
    o.max_body_bytes = 1024;
    server_ = std::make_unique<Server>(o, router_, metrics_);
    port_ = server_->listen();
    thread_ = std::thread([this] { server_->run(false); });
  }

  void TearDown() override {
    server_->shutdown();
    thread_.join();
  }

  Response call(Method m, const std::string& path, std::string key = "", std::string body = "") {
    ClientRequest req;
    req.method = m;
    req.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    req.body = std::move(body);
    if (!key.empty()) req.headers.set("Authorization", "Key " + key);
    return fetch(req);
  }

  Router router_;
  core::Metrics metrics_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  std::atomic<int> handled_{0};
};

TEST_F(SeamsTest, EachRouteUsesTheAuthenticatorItNames) {
  EXPECT_EQ(call(Method::kGet, "/a", "alpha").body, "alpha");
  EXPECT_EQ(call(Method::kGet, "/b", "beta").body, "beta");
  EXPECT_EQ(call(Method::kGet, "/b/async", "beta").body, "beta");
  EXPECT_EQ(handled_, 3);
  // The other authenticator's credentials do not open a route, and the handler never runs.
  auto r = call(Method::kGet, "/a", "beta");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), "Key realm=\"alpha\"");
  EXPECT_EQ(Json::parse(r.body)["field"], "Authorization");
  EXPECT_EQ(call(Method::kGet, "/b", "alpha").status, 401);
  EXPECT_EQ(call(Method::kGet, "/b/async", "").status, 401);
  EXPECT_EQ(handled_, 3);
}

TEST_F(SeamsTest, QuerySecretAuthenticatorComparesTheParameter) {
  EXPECT_EQ(call(Method::kPost, "/events?auth=s3cret").body, "events");
  EXPECT_EQ(call(Method::kPost, "/events?auth=s3cre").status, 401);
  EXPECT_EQ(call(Method::kPost, "/events?auth=s3cretx").status, 401);
  EXPECT_EQ(call(Method::kPost, "/events?other=s3cret").status, 401);
  auto r = call(Method::kPost, "/events");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Json::parse(r.body)["field"], "auth");
  EXPECT_EQ(handled_, 1);
}

TEST(QuerySecretAuthenticator, AnEmptyConfiguredSecretOpensNothing) {
  QuerySecretAuthenticator auth("auth", "", "events");
  Request req;
  req.query = "auth=";
  Route route;
  EXPECT_TRUE(auth.authenticate(req, route).has_value());
  EXPECT_EQ(req.principal, nullptr);
}

TEST_F(SeamsTest, APrefixFormatWritesEveryFailureUnderIt) {
  auto unmatched = call(Method::kGet, "/proto/nothing");
  EXPECT_EQ(unmatched.status, 404);
  EXPECT_EQ(unmatched.body, "proto 404 not-found: no route for /proto/nothing [] unmatched");
  auto wrong_method = call(Method::kDelete, "/proto/ok");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.headers.get("Allow"), "GET, HEAD");  // the failure's headers are kept
  EXPECT_EQ(wrong_method.body.rfind("proto 405 method-not-allowed", 0), 0u);
  auto auth = call(Method::kGet, "/proto/auth");
  EXPECT_EQ(auth.status, 401);
  EXPECT_EQ(auth.body, "proto 401 bad_key: key alpha required [Authorization] route");
  EXPECT_EQ(auth.headers.get("WWW-Authenticate"), "Key realm=\"alpha\"");
  auto big = call(Method::kPost, "/proto/small", "", "12345");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.body.rfind("proto 413 payload-too-large", 0), 0u);
  auto conflict = call(Method::kGet, "/proto/conflict");
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body, "proto 409 conflict: taken [name] route");
  auto bug = call(Method::kGet, "/proto/bug");
  EXPECT_EQ(bug.status, 500);
  EXPECT_EQ(bug.body.find("hidden"), std::string::npos);
  EXPECT_EQ(bug.body.rfind("proto 500 internal", 0), 0u);
  auto async = call(Method::kGet, "/proto/async");
  EXPECT_EQ(async.status, 400);
  EXPECT_EQ(async.body, "proto 400 invalid-argument: two [] route x=bad y=worse");
  EXPECT_EQ(call(Method::kGet, "/proto/own").body, "own 404 not-found: gone away [] route");
  // Outside the prefix (and for a look-alike path) the default problem+json applies.
  auto outside = call(Method::kGet, "/protocol");
  EXPECT_EQ(outside.status, 404);
  EXPECT_EQ(outside.headers.get("Content-Type"), "application/problem+json");
}

TEST_F(SeamsTest, AsyncFailuresKeepFieldsAndRetryAfter) {
  auto fields = call(Method::kGet, "/async/fields");
  EXPECT_EQ(fields.status, 400);
  Json body = Json::parse(fields.body);
  ASSERT_EQ(body["errors"].size(), 2u);
  EXPECT_EQ(body["errors"][1]["field"], "y");
  auto unavailable = call(Method::kGet, "/async/unavailable");
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(unavailable.headers.get("Retry-After"), "1");
  EXPECT_EQ(Json::parse(unavailable.body)["detail"], "database away");
  EXPECT_EQ(call(Method::kGet, "/async/throws").status, 410);
}

TEST_F(SeamsTest, AMalformedRequestIsWrittenInTheDefaultFormat) {
  testing::RawClient c(port_);
  c.send("GET /proto/ok HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n");
  std::string res = c.read_response();
  EXPECT_EQ(testing::status_of(res), 400);
}

TEST(RouterResolve, AnUnknownAuthenticatorIsAStartupErrorNamingTheRoute) {
  Router router;
  router.get("/x", [](Request&) { return Response::text(200, "x"); }).authenticate_with("dci");
  core::Metrics metrics;
  try {
    Server server(ServerOptions{}, router, metrics);
    FAIL() << "the server started";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("GET /x"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("\"dci\""), std::string::npos) << e.what();
  }
  // require_scopes means the bearer authenticator, which must then be registered too.
  Router scoped;
  scoped.get("/y", [](Request&) { return Response::text(200, "y"); }).require_scopes({"s"});
  EXPECT_THROW(Server(ServerOptions{}, scoped, metrics), std::logic_error);
  EXPECT_THROW(router.add_authenticator("", nullptr), std::logic_error);
  router.add_authenticator("dci", std::make_shared<KeyAuthenticator>("dci"));
  EXPECT_THROW(router.add_authenticator("dci", std::make_shared<KeyAuthenticator>("x")),
               std::logic_error);
  EXPECT_NO_THROW(router.resolve());
  EXPECT_NE(router.routes()[0]->authenticator, nullptr);
}

TEST(RouterFormats, TheLongestPrefixWinsInWholeSegments) {
  Router router;
  auto outer = std::make_shared<TextFormat>("outer");
  auto inner = std::make_shared<TextFormat>("inner");
  router.set_error_format("/v1", outer);
  router.set_error_format("/v1/inner", inner);
  EXPECT_EQ(&router.error_format_for("/v1"), outer.get());
  EXPECT_EQ(&router.error_format_for("/v1/x"), outer.get());
  EXPECT_EQ(&router.error_format_for("/v1/inner/y"), inner.get());
  EXPECT_EQ(&router.error_format_for("/v1/innerx"), outer.get());
  EXPECT_EQ(&router.error_format_for("/v2"), problem_format().get());
}

}  // namespace
}  // namespace registrar::http
