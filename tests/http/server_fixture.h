// The in-process HTTP server fixture shared by server_test.cpp and server_limits_test.cpp: a
// Server on a loopback port with routes made for testing, a fake authenticator (with a deferred
// two-step path) and helpers to call it.
#pragma once

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

namespace registrar::http::server_testing {

using namespace std::chrono_literals;
using testing::RawClient;
using testing::status_of;

inline std::string thread_id() {  // as ServerTest::thread_name, for the classes before it
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

inline Json problem(const Response& r) {
  EXPECT_EQ(r.headers.get("Content-Type"), "application/problem+json");
  return Json::parse(r.body);
}

}  // namespace registrar::http::server_testing
