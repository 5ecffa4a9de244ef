// The HTTP server in-process, over real loopback connections, with routes made for testing:
// limits, timeouts, errors, async completion, authentication hooks and graceful shutdown.
#include "http/server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "http/burst.h"
#include "http/client.h"
#include "support/raw_client.h"
#include "support/temp_dir.h"

namespace registrar::http {
namespace {

using namespace std::chrono_literals;
using testing::RawClient;
using testing::status_of;

std::string thread_id() {  // as ServerTest::thread_name, for the classes before it
  std::ostringstream os;
  os << std::this_thread::get_id();
  return os.str();
}

// "Bearer deferred…" tokens take the two-step path on the I/O thread: start() hands back the
// heavy part, which records where and in what order it ran in the principal's subject.
class DeferredCheck : public PendingAuthentication {
 public:
  explicit DeferredCheck(std::string token) : token_(std::move(token)) {}
  void run_heavy() override {
    trace_ += "heavy ";
    heavy_thread_ = thread_id();
    if (token_ == "Bearer deferred-heavy-throws") throw std::runtime_error("heavy failed");
  }
  std::optional<Failure> finish(Request& req, const Route&) override {
    if (token_ == "Bearer deferred-finish-throws") throw std::runtime_error("finish failed");
    if (token_ == "Bearer deferred-bad") return unauthenticated("", "bad signature", "");
    trace_ += "finish";
    Principal p;
    p.subject = trace_ + (heavy_thread_ == thread_id() ? " same-thread" : " other-thread");
    req.principal = std::make_shared<const Principal>(p);
    return std::nullopt;
  }

 private:
  std::string token_, trace_, heavy_thread_;
};

class FakeAuthenticator : public Authenticator {
 public:
  std::unique_ptr<PendingAuthentication> start(Request& req, const Route& route,
                                               std::optional<Failure>& decision) override {
    auto h = req.headers.get("Authorization");
    if (h && *h == "Bearer start-throws") throw std::runtime_error("start failed");
    if (h && h->starts_with("Bearer deferred"))
      return std::make_unique<DeferredCheck>(std::string(*h));
    decision = authenticate(req, route);
    return nullptr;
  }

  std::optional<Failure> authenticate(Request& req, const Route& route) override {
    auto h = req.headers.get("Authorization");
    if (h && *h == "Bearer deferred") {  // the one-step path of the blocking routes
      Principal p;
      p.subject = "one step";
      req.principal = std::make_shared<const Principal>(p);
      return std::nullopt;
    }
    if (!h || *h != "Bearer good") {
      Failure f = unauthenticated("", "missing or bad token", "Authorization");
      f.headers.set("WWW-Authenticate", "Bearer");
      return f;
    }
    Principal p;
    p.subject = "tester";
    p.scopes = {"read"};
    for (auto& s : route.scopes)
      if (!p.has_scope(s)) return forbidden("insufficient_scope", "missing scope " + s, "");
    req.principal = std::make_shared<const Principal>(p);
    return std::nullopt;
  }
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.post("/echo", [](Request& r) { return Response::text(200, r.body); });
    router_.post("/json", [](Request& r) { return Response::json(200, r.json_body()); });
    router_.post("/small", [](Request& r) { return Response::text(200, r.body); }).max_body(8);
    router_.get("/items/{id}", [](Request& r) {
      return Response::json(200, {{"id", r.param("id")}, {"q", r.query_param("q").value_or("")}});
    });
    router_.get("/conflict", [](Request&) -> Response {
      throw core::conflict("widget already exists", "name");
    });
    router_.get("/fields", [](Request&) -> Response {
      throw core::Error(core::ErrorKind::kInvalidArgument, "two problems",
                        std::vector<core::FieldError>{{"a", "too long"}, {"b", "missing"}});
    });
    router_.get("/bug", [](Request&) -> Response { throw std::runtime_error("secret detail"); });
    router_.get("/thread/worker", [](Request&) { return Response::text(200, thread_name()); });
    router_.get("/thread/inline", [](Request&) { return Response::text(200, thread_name()); })
        .run_inline();
    router_.get("/slow", [](Request&) {
      std::this_thread::sleep_for(400ms);
      return Response::text(200, "slow done");
    });
    router_.add_async(Method::kGet, "/async", [](Request& r, Responder done) {
      std::string id(r.param("x"));
      std::thread([done] {
        std::this_thread::sleep_for(20ms);
        done(Response::text(202, "later"));
      }).detach();
    });
    router_.add_async(Method::kGet, "/dropped", [](Request&, Responder) {});
    // Two deferred jobs from one request: both heavy parts run on the I/O thread before either
    // `then`, and the answer is given from the last `then`.
    router_.add_async(Method::kGet, "/burst", [](Request&, Responder done) {
      auto trace = std::make_shared<std::string>();
      const std::string io_thread = thread_name();
      auto step = [trace, io_thread](const char* name) {
        *trace += name;
        if (thread_name() != io_thread) *trace += "(elsewhere)";
      };
      defer_to_burst_end([step] { step("h1 "); }, [step] { step("t1 "); });
      defer_to_burst_end([step] { step("h2 "); },
                         [step, trace, done] {
                           step("t2");
                           done(Response::text(200, *trace));
                         });
      *trace += "queued ";
    });
    router_.add_async(Method::kGet, "/burst/throws", [](Request&, Responder done) {
      defer_to_burst_end([] { throw std::runtime_error("boom"); },
                         [done] { done(Response::text(200, "then still ran")); });
    });
    router_.get("/private", [](Request& r) { return Response::text(200, r.principal->subject); })
        .require_auth();
    router_
        .get("/private/inline",
             [](Request& r) { return Response::text(200, r.principal->subject); })
        .run_inline()
        .require_auth();
    router_
        .add_async(
            Method::kGet, "/private/async",
            [](Request& r, Responder done) { done(Response::text(200, r.principal->subject)); })
        .require_auth();
    router_.get("/admin", [](Request&) { return Response::text(200, "admin"); })
        .require_scopes({"admin"});
    router_.add_authenticator(kBearerAuthenticator, std::make_shared<FakeAuthenticator>());
    start();
  }

  void start() {
    ServerOptions o = options_;
    o.listen = "127.0.0.1:0";
    server_ = std::make_unique<Server>(o, router_, metrics_);
    port_ = server_->listen();
    thread_ = std::thread([this] { server_->run(false); });
  }

  void TearDown() override {
    if (thread_.joinable()) {
      server_->shutdown();
      thread_.join();
    }
  }

  static std::string thread_name() {
    std::ostringstream os;
    os << std::this_thread::get_id();
    return os.str();
  }

  Response call(Method m, const std::string& path, const std::string& body = "",
                Headers headers = {}) {
    ClientRequest req;
    req.method = m;
    req.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    req.body = body;
    req.headers = std::move(headers);
    return fetch(req);
  }

  ServerOptions options_ = [] {
    ServerOptions o;
    o.max_body_bytes = 1024;
    o.max_header_bytes = 2048;
    o.header_timeout = 300ms;
    o.body_timeout = 300ms;
    o.idle_timeout = 300ms;
    o.drain_timeout = 5s;
    o.worker_threads = 2;
    o.access_log = false;
    return o;
  }();
  Router router_;
  core::Metrics metrics_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

Json problem(const Response& r) {
  EXPECT_EQ(r.headers.get("Content-Type"), "application/problem+json");
  return Json::parse(r.body);
}

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

TEST_F(ServerTest, BodyOverTheLimitIs413) {
  EXPECT_EQ(call(Method::kPost, "/echo", std::string(1024, 'x')).status, 200);
  auto r = call(Method::kPost, "/echo", std::string(1025, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(problem(r)["detail"].get<std::string>().find("1025"), std::string::npos);
  EXPECT_EQ(call(Method::kPost, "/small", "123456789").status, 413);
  EXPECT_EQ(call(Method::kPost, "/small", "12345678").status, 200);
}

// A declared length far beyond any limit (and beyond memory) is answered 413 from the header
// alone: nothing is reserved for it, and the server keeps serving.
TEST_F(ServerTest, HugeDeclaredContentLengthIs413BeforeAnyBody) {
  RawClient c(port_);
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999\r\n\r\n");
  std::string res = c.read_response();
  EXPECT_EQ(status_of(res), 413);
  EXPECT_NE(res.find("99999999999999"), std::string::npos);
  EXPECT_EQ(call(Method::kPost, "/echo", "still here").body, "still here");
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  RawClient c(port_);
  std::string chunk(600, 'y');
  c.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "258\r\n" +
      chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(status_of(c.read_response()), 413);
}

// Requests that cannot use a body read none (security issue: each could cost a megabyte before
// any credential was checked). A 404 / 405 is answered at once and the connection closed rather
// than drained; a body on GET is a 413.
TEST_F(ServerTest, NoBodyIsReadForUnmatchedPathsOrGet) {
  {
    RawClient c(port_);
    c.send("POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
    EXPECT_EQ(status_of(c.read_response()), 404);  // the 100,000 bytes were never sent
    EXPECT_TRUE(c.closed_within(1s));
  }
  {
    RawClient c(port_);
    c.send("PUT /items/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    EXPECT_EQ(status_of(c.read_response()), 405);
    EXPECT_TRUE(c.closed_within(1s));
  }
  {
    RawClient c(port_);
    c.send("GET /items/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");
    std::string res = c.read_response();
    EXPECT_EQ(status_of(res), 413);
    EXPECT_NE(res.find("limit of 0 bytes"), std::string::npos) << res;
    EXPECT_TRUE(c.closed_within(1s));
  }
  // An empty body is no body; the connection stays open for the next request.
  RawClient c(port_);
  c.send("GET /items/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(status_of(c.read_response()), 200);
  c.send("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(c.read_response()), 200);
}

TEST(ConnectionCapacity, KeepsDescriptorsBackAndAFewConnections) {
  EXPECT_EQ(connection_capacity(10'000, 1'048'576), 10'000u);
  EXPECT_EQ(connection_capacity(10'000, 1'024), 1'024u - kReservedDescriptors);
  EXPECT_EQ(connection_capacity(10'000, 100), 16u);
  EXPECT_EQ(connection_capacity(4, 100), 4u);
}

// One client address cannot take every connection (security issue 17): beyond the cap a new
// connection is closed at once, and a closed one frees its place.
class PerAddressCapTest : public ServerTest {
 protected:
  PerAddressCapTest() { options_.max_connections_per_address = 2; }
};

TEST_F(PerAddressCapTest, ConnectionsBeyondTheCapAreClosed) {
  auto first = std::make_unique<RawClient>(port_);
  RawClient second(port_);
  // Both are served (and so accepted) before the third arrives.
  first->send("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n");
  second.send("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(first->read_response()), 200);
  EXPECT_EQ(status_of(second.read_response()), 200);
  RawClient third(port_);
  EXPECT_TRUE(third.closed_within(2s));
  EXPECT_NE(metrics_.render().find("\nhttp_connections_refused_per_address_total 1"),
            std::string::npos);
  first.reset();
  // The closed connection's place is free again once the server has seen it go.
  int status = 0;
  for (int attempt = 0; attempt < 200 && status != 200; ++attempt) {
    RawClient again(port_);
    again.send("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n");
    status = status_of(again.read_response());
    if (status != 200) std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(status, 200);
}

// Out of descriptors, accept fails while the connection waits in the backlog. The loop backs off
// instead of spinning, and serves the waiting connection once descriptors are free again.
TEST_F(ServerTest, AcceptBacksOffWhenDescriptorsRunOut) {
  struct rlimit old_limit;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old_limit), 0);
  // The limit bounds descriptor numbers, not their count, and a process may have inherited
  // descriptors with gaps below them (a shell's 255): room for exactly one more is the lowest
  // free number plus one, for the client's socket.
  int lowest_free = 0;
  while (::fcntl(lowest_free, F_GETFD) != -1) ++lowest_free;
  struct rlimit low = old_limit;
  low.rlim_cur = static_cast<rlim_t>(lowest_free) + 1;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  auto waiting = std::make_unique<RawClient>(port_);  // takes the last descriptor
  waiting->send("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(300ms);  // accept fails (EMFILE) meanwhile
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &old_limit), 0);
  const std::string metrics = metrics_.render();
  const std::string name = "\nhttp_accept_failures_total ";
  const auto at = metrics.find(name);
  ASSERT_NE(at, std::string::npos) << metrics;
  const long failures = std::stol(metrics.substr(at + name.size()));
  EXPECT_GE(failures, 1);
  // Backing off from 10 ms doubling, 300 ms hold a handful of attempts; a spinning loop makes
  // tens of thousands.
  EXPECT_LT(failures, 50);
  EXPECT_EQ(status_of(waiting->read_response(5s)), 200);
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

namespace registrar::http {
namespace {

// server.rate_limit.per_address: a token bucket per client IP; 429 with Retry-After beyond it,
// in the route's error format, counted in the metrics, the connection kept when there is no body.
class AddressRateLimitTest : public ServerTest {
 protected:
  AddressRateLimitTest() { options_.rate_limit_per_address = {1, 3}; }
};

TEST_F(AddressRateLimitTest, BeyondTheBurstIs429WithRetryAfter) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(call(Method::kGet, "/items/1").status, 200) << i;
  auto refused = call(Method::kGet, "/items/1");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.headers.get("Retry-After"), "1");
  EXPECT_EQ(problem(refused)["status"], 429);
  // Unmatched paths and bodies count too; the body of a refused request is not read.
  EXPECT_EQ(call(Method::kPost, "/echo", std::string(512, 'x')).status, 429);
  EXPECT_NE(metrics_.render().find("http_rate_limited_total{limit=\"address\"} 2"),
            std::string::npos);
  // A keep-alive connection stays usable after a refusal without a body.
  RawClient c(port_);
  c.send("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(c.read_response()), 429);
  EXPECT_EQ(status_of(c.read_response()), 429);
}

class ClientRateLimitTest : public ServerTest {
 protected:
  ClientRateLimitTest() { options_.rate_limit_per_client = {1, 2}; }
};

TEST_F(ClientRateLimitTest, EachAuthenticatedClientHasItsOwnBucket) {
  Headers tester;
  tester.set("Authorization", "Bearer good");
  // Worker and inline routes take from the same client's bucket.
  EXPECT_EQ(call(Method::kGet, "/private", "", tester).status, 200);
  EXPECT_EQ(call(Method::kGet, "/private/inline", "", tester).status, 200);
  auto refused = call(Method::kGet, "/private/async", "", tester);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.headers.get("Retry-After"), "1");
  EXPECT_EQ(problem(refused)["status"], 429);
  Headers other;
  other.set("Authorization", "Bearer deferred");
  EXPECT_EQ(call(Method::kGet, "/private", "", other).status, 200);
  // Anonymous requests are not counted per client, and failed authentication stays 401.
  EXPECT_EQ(call(Method::kGet, "/items/1").status, 200);
  EXPECT_EQ(call(Method::kGet, "/private").status, 401);
  EXPECT_NE(metrics_.render().find("http_rate_limited_total{limit=\"client\"} 1"),
            std::string::npos);
}

// server.max_in_flight: beyond it 503 with Retry-After; the place is given back afterwards.
class InFlightCapTest : public ServerTest {
 protected:
  InFlightCapTest() { options_.max_in_flight = 1; }
  void SetUp() override {
    router_.get("/hold", [this](Request&) {
      entered_.set_value();
      release_.get_future().wait();
      return Response::text(200, "released");
    });
    ServerTest::SetUp();
  }
  std::promise<void> entered_, release_;
};

TEST_F(InFlightCapTest, BeyondTheCapIs503AndThePlaceComesBack) {
  auto held = std::async(std::launch::async, [this] { return call(Method::kGet, "/hold"); });
  entered_.get_future().wait();
  auto busy = call(Method::kGet, "/items/1");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.headers.get("Retry-After"), "1");
  EXPECT_EQ(problem(busy)["status"], 503);
  EXPECT_NE(metrics_.render().find("http_refused_in_flight_total 1"), std::string::npos);
  release_.set_value();
  EXPECT_EQ(held.get().status, 200);
  // The held request's place is given back once its response is written and recorded.
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) {
    status = call(Method::kGet, "/items/1").status;
    if (status != 200) std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace registrar::http

namespace registrar::http {
namespace {

// A client slow to send its body holds no place among the requests in flight.
TEST_F(InFlightCapTest, ASlowBodyHoldsNoPlace) {
  RawClient slow(port_);
  slow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
  EXPECT_EQ(call(Method::kGet, "/items/1").status, 200);
  slow.send("cdefghij");
  EXPECT_EQ(status_of(slow.read_response()), 200);
}

}  // namespace
}  // namespace registrar::http
