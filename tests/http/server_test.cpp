// The HTTP server in-process, over real loopback connections, with routes made for testing:
// routing, errors, async completion, authentication hooks, keep-alive, metrics, TLS and
// graceful shutdown. Limits (sizes, connections, rates, requests in flight):
// server_limits_test.cpp.
#include "server_fixture.h"

namespace registrar::http {
namespace {

using namespace std::chrono_literals;
using namespace server_testing;
using testing::RawClient;
using testing::status_of;

TEST_F(ServerTest, RoutesWithParametersAndQuery) {
  auto r = call(Method::kGet, "/items/a%20b?q=x%2By");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body), (Json{{"id", "a b"}, {"q", "x+y"}}));
}

TEST_F(ServerTest, UnknownRouteIs404Problem) {
  auto r = call(Method::kGet, "/nowhere");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(problem(r)["detail"], "no route for /nowhere");
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  auto r = call(Method::kDelete, "/echo");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.get("Allow"), "POST");
  EXPECT_EQ(problem(r)["status"], 405);
}

TEST_F(ServerTest, BadJsonIs400NamingTheBody) {
  auto r = call(Method::kPost, "/json", "{\"a\": tru", {});
  EXPECT_EQ(r.status, 400);
  Json p = problem(r);
  EXPECT_EQ(p["field"], "body");
  EXPECT_NE(p["detail"].get<std::string>().find("not valid JSON"), std::string::npos);
  EXPECT_EQ(call(Method::kPost, "/json", "{\"a\":true}").body, "{\"a\":true}");
}

TEST_F(ServerTest, ServiceErrorsBecomeProblemsWithFields) {
  auto r = call(Method::kGet, "/conflict");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(problem(r)["field"], "name");
  auto f = call(Method::kGet, "/fields");
  EXPECT_EQ(f.status, 400);
  EXPECT_EQ(problem(f)["errors"].size(), 2u);
}

TEST_F(ServerTest, UnexpectedExceptionsAre500WithoutDetails) {
  auto r = call(Method::kGet, "/bug");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret detail"), std::string::npos);
  EXPECT_EQ(problem(r)["request_id"], std::string(*r.headers.get("X-Request-Id")));
}

TEST_F(ServerTest, WorkerRoutesRunOffTheIoThread) {
  std::string io = call(Method::kGet, "/thread/inline").body;
  std::string worker = call(Method::kGet, "/thread/worker").body;
  EXPECT_FALSE(io.empty());
  EXPECT_NE(io, worker);
}

TEST_F(ServerTest, AsyncHandlersCompleteFromOtherThreads) {
  auto r = call(Method::kGet, "/async");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "later");
  EXPECT_EQ(call(Method::kGet, "/dropped").status, 500);
}

TEST_F(ServerTest, DeferredWorkRunsAtTheEndOfTheBurstHeavyPartsFirst) {
  auto r = call(Method::kGet, "/burst");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "queued h1 h2 t1 t2");
  // Concurrent clients each get their own answer.
  std::vector<std::future<Response>> answers;
  for (int i = 0; i < 16; ++i)
    answers.push_back(
        std::async(std::launch::async, [this] { return call(Method::kGet, "/burst"); }));
  for (auto& a : answers) EXPECT_EQ(a.get().body, "queued h1 h2 t1 t2");
  // A throwing heavy part is logged and dropped; its `then` still runs.
  EXPECT_EQ(call(Method::kGet, "/burst/throws").body, "then still ran");
}

// Inline and async routes are authenticated on the I/O thread, the authenticator's heavy part
// deferred to the burst's end and run there; blocking routes call authenticate() on a worker.
TEST_F(ServerTest, AuthenticationHeavyPartIsDeferredOnTheIoThread) {
  Headers deferred;
  deferred.set("Authorization", "Bearer deferred");
  for (const char* path : {"/private/inline", "/private/async"}) {
    auto r = call(Method::kGet, path, "", deferred);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "heavy finish same-thread") << path;
  }
  EXPECT_EQ(call(Method::kGet, "/private", "", deferred).body, "one step");
  // The decision made at once, by start(), still applies on the same routes.
  Headers good;
  good.set("Authorization", "Bearer good");
  EXPECT_EQ(call(Method::kGet, "/private/inline", "", good).body, "tester");
  EXPECT_EQ(call(Method::kGet, "/private/async").status, 401);
}

TEST_F(ServerTest, FailingAuthenticationStepsAnswerAndTheServerKeepsServing) {
  auto with = [this](const char* token) {
    Headers h;
    h.set("Authorization", token);
    return call(Method::kGet, "/private/inline", "", h);
  };
  EXPECT_EQ(with("Bearer deferred-bad").status, 401);
  for (const char* token :
       {"Bearer start-throws", "Bearer deferred-heavy-throws", "Bearer deferred-finish-throws"}) {
    auto r = with(token);
    EXPECT_EQ(r.status, 500) << token;
    EXPECT_EQ(r.body.find("failed"), std::string::npos) << "internal detail leaked: " << r.body;
  }
  EXPECT_EQ(with("Bearer deferred").body, "heavy finish same-thread");
}

TEST(DeferToBurstEnd, OffAnIoThreadRunsAtOnceInOrder) {
  std::string trace;
  defer_to_burst_end([&] { trace += "heavy "; }, [&] { trace += "then"; });
  EXPECT_EQ(trace, "heavy then");
}

TEST_F(ServerTest, HeaderOverTheLimitIs431) {
  RawClient c(port_);
  c.send("GET /items/1 HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  std::string res = c.read_response();
  EXPECT_EQ(status_of(res), 431);
  EXPECT_NE(res.find("application/problem+json"), std::string::npos);
}

TEST_F(ServerTest, MalformedRequestIs400AndServerKeepsServing) {
  {
    RawClient c(port_);
    c.send("THIS IS NOT HTTP\r\n\r\n");
    std::string res = c.read_response();
    EXPECT_EQ(status_of(res), 400);
    EXPECT_TRUE(c.closed_within(1s));
  }
  {
    RawClient c(port_);
    c.send("GET /items/1 HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
    EXPECT_EQ(status_of(c.read_response()), 400);
  }
  {
    RawClient c(port_);
    c.send("GET relative HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(status_of(c.read_response()), 400);
  }
  EXPECT_EQ(call(Method::kGet, "/items/1").status, 200);
}

TEST_F(ServerTest, UnknownMethodOnKnownPathIs405) {
  RawClient c(port_);
  c.send("BREW /echo HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(c.read_response()), 405);
}

TEST_F(ServerTest, SlowHeaderIsCutOff) {
  RawClient c(port_);
  c.send("GET /items/1 HTTP/1.1\r\nHost: x\r\n");  // never finishes the header
  EXPECT_TRUE(c.closed_within(2s));
}

TEST_F(ServerTest, SlowBodyIsCutOff) {
  RawClient c(port_);
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a little");
  EXPECT_TRUE(c.closed_within(2s));
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  RawClient c(port_);
  c.send("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(c.read_response()), 200);
  EXPECT_TRUE(c.closed_within(2s));
}

TEST_F(ServerTest, KeepAliveAndPipelining) {
  RawClient c(port_);
  c.send("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /items/2 HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string first = c.read_response();
  std::string second = c.read_response();
  EXPECT_NE(first.find("\"id\":\"1\""), std::string::npos);
  EXPECT_NE(second.find("\"id\":\"2\""), std::string::npos);
  c.send("GET /items/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(c.read_response().find("\"id\":\"3\""), std::string::npos);
  EXPECT_TRUE(c.closed_within(1s));
}

TEST_F(ServerTest, RequestIdIsEchoedOrGenerated) {
  Headers h;
  h.set("X-Request-Id", "abc-123");
  EXPECT_EQ(call(Method::kGet, "/items/1", "", h).headers.get("X-Request-Id"), "abc-123");
  h.set("X-Request-Id", "bad id with spaces");
  // Keep each response alive: headers.get() returns a view into it.
  Response with_bad_id = call(Method::kGet, "/items/1", "", h);
  auto generated = with_bad_id.headers.get("X-Request-Id");
  ASSERT_TRUE(generated);
  EXPECT_NE(*generated, "bad id with spaces");
  EXPECT_FALSE(generated->empty());
  Response ra = call(Method::kGet, "/items/1");
  Response rb = call(Method::kGet, "/items/1");
  auto a = ra.headers.get("X-Request-Id");
  auto b = rb.headers.get("X-Request-Id");
  EXPECT_NE(std::string(*a), std::string(*b));
}

TEST_F(ServerTest, HeadHasLengthButNoBody) {
  RawClient c(port_);
  c.send("HEAD /items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string res = c.read_until_close();
  EXPECT_EQ(status_of(res), 200);
  std::string get_body = call(Method::kGet, "/items/1").body;
  EXPECT_NE(res.find("Content-Length: " + std::to_string(get_body.size())), std::string::npos);
  EXPECT_EQ(res.substr(res.find("\r\n\r\n") + 4), "");
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  RawClient c(port_);
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  std::string interim = c.read_some();
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue", 0), 0u);
  c.send("hello");
  std::string res = c.read_response();
  EXPECT_EQ(status_of(res), 200);
  EXPECT_NE(res.find("hello"), std::string::npos);
}

TEST_F(ServerTest, AuthenticationAndScopes) {
  EXPECT_EQ(call(Method::kGet, "/private").status, 401);
  EXPECT_EQ(call(Method::kGet, "/private").headers.get("WWW-Authenticate"), "Bearer");
  Headers h;
  h.set("Authorization", "Bearer good");
  auto ok = call(Method::kGet, "/private", "", h);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "tester");
  EXPECT_EQ(call(Method::kGet, "/admin", "", h).status, 403);
}

TEST_F(ServerTest, MetricsCountRequestsPerRouteAndStatus) {
  call(Method::kGet, "/items/1");
  call(Method::kGet, "/items/2");
  call(Method::kGet, "/nowhere");
  // The server records a request after its response is written, so the client can be faster.
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text = metrics_.render();
    if (text.find("status=\"404\"} 1") != std::string::npos &&
        text.find("status=\"200\"} 2") != std::string::npos)
      break;
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_NE(
      text.find(
          "registrar_http_requests_total{route=\"/items/{id}\",method=\"GET\",status=\"200\"} 2"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("route=\"unmatched\",method=\"GET\",status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(text.find("registrar_http_request_duration_seconds_bucket{route=\"/items/{id}\""),
            std::string::npos);
}

TEST_F(ServerTest, GracefulShutdownFinishesInFlightAndRefusesNew) {
  auto slow = std::async(std::launch::async, [&] { return call(Method::kGet, "/slow"); });
  std::this_thread::sleep_for(100ms);  // the slow request is now in its handler
  RawClient idle(port_);               // an idle keep-alive connection
  std::this_thread::sleep_for(20ms);
  server_->shutdown();
  Response r = slow.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow done");
  EXPECT_EQ(r.headers.get("Connection"), "close");
  EXPECT_TRUE(idle.closed_within(2s));
  thread_.join();
  EXPECT_THROW(call(Method::kGet, "/items/1"), core::Error);  // connection refused
}

TEST(ServerThreads, SeveralIoThreadsServeConcurrentClientsAndDrain) {
  Router router;
  std::mutex mu;
  std::set<std::thread::id> io_threads;
  router
      .get("/who",
           [&](Request&) {
             std::lock_guard lock(mu);
             io_threads.insert(std::this_thread::get_id());
             return Response::text(200, "ok");
           })
      .run_inline();
  core::Metrics metrics;
  ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.io_threads = 3;
  o.access_log = false;
  Server server(o, router, metrics);
  uint16_t port = server.listen();
  std::thread t([&] { server.run(false); });
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 6; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        ClientRequest req;
        req.url = "http://127.0.0.1:" + std::to_string(port) + "/who";
        if (fetch(req).status == 200) ok++;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok, 120);
  EXPECT_GE(io_threads.size(), 2u);  // connections are spread over the I/O threads
  server.shutdown();
  t.join();
}

TEST(ServerTls, ServesHttpsWithConfiguredCertificate) {
  testing::TempDir dir;
  std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
      "-keyout " +
      key + " -out " + cert +
      " -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Router router;
  router.get("/x", [](Request&) { return Response::text(200, "secure"); });
  core::Metrics metrics;
  ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.tls_cert_file = cert;
  o.tls_key_file = key;
  o.access_log = false;
  Server server(o, router, metrics);
  uint16_t port = server.listen();
  std::thread t([&] { server.run(false); });
  ClientRequest req;
  req.url = "https://127.0.0.1:" + std::to_string(port) + "/x";
  req.ca_file = cert;
  Response r = fetch(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "secure");
  // Without trusting the certificate the client refuses.
  ClientRequest untrusted = req;
  untrusted.ca_file = dir.file("missing.pem");
  EXPECT_ANY_THROW(fetch(untrusted));
  server.shutdown();
  t.join();
}

TEST(ServerOptionsTest, ParsesListenAddresses) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:8080"),
            (std::pair<std::string, uint16_t>{"127.0.0.1", 8080}));
  EXPECT_EQ(parse_listen_address("[::1]:0").first, "::1");
  EXPECT_THROW(parse_listen_address("localhost:80"), std::invalid_argument);
  EXPECT_THROW(parse_listen_address("127.0.0.1"), std::invalid_argument);
  EXPECT_THROW(parse_listen_address("127.0.0.1:99999"), std::invalid_argument);
  EXPECT_THROW(parse_listen_address("::1:80"), std::invalid_argument);
}

}  // namespace
}  // namespace registrar::http
