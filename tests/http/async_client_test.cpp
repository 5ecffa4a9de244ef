// The asynchronous client over real loopback connections: registrar's own server as the
// well-behaved peer, and RawPeer (plain POSIX sockets) for peers that stall, overflow, close
// pooled connections or count how many connections they were given.
#include "http/async_client.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "core/metrics.h"
#include "http/server.h"
#include "support/temp_dir.h"

namespace registrar::http {
namespace {

using namespace std::chrono_literals;

// A loopback peer that runs `behaviour(fd, index)` for each accepted connection on a thread of
// its own, and closes the connection when the behaviour returns. The destructor stops waiting
// behaviours (hold() returns) and joins everything.
class RawPeer {
 public:
  using Behaviour = std::function<void(RawPeer& peer, int fd, int index)>;

  explicit RawPeer(Behaviour behaviour) : behaviour_(std::move(behaviour)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listener_, 256) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("RawPeer cannot listen");
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~RawPeer() {
    stop_ = true;
    acceptor_.join();
    std::lock_guard lock(mu_);
    for (auto& t : connections_) t.join();
    ::close(listener_);
  }

  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int accepted() const { return accepted_; }
  bool stopping() const { return stop_; }

  // Reads one request (header, and a Content-Length body) into `*request` when given. False when
  // the client closed first.
  bool read_request(int fd, std::string* request = nullptr) {
    std::string data;
    char buf[4096];
    for (;;) {
      auto end = data.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        auto cl = data.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) length = std::stoul(data.substr(cl + 16));
        if (data.size() >= end + 4 + length) {
          if (request) *request = data;
          return true;
        }
      }
      if (!wait_readable(fd)) return false;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      data.append(buf, size_t(n));
    }
  }
  void send_all(int fd, const std::string& bytes) {
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  // Waits until the client closes the connection or the peer is destroyed.
  void hold(int fd) {
    char buf[4096];
    while (wait_readable(fd) && ::recv(fd, buf, sizeof buf, 0) > 0) {
    }
  }

 private:
  bool wait_readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    while (!stop_) {
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }

  void accept_loop() {
    while (wait_readable(listener_)) {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      int index = accepted_++;
      std::lock_guard lock(mu_);
      connections_.emplace_back([this, fd, index] {
        behaviour_(*this, fd, index);
        ::close(fd);
      });
    }
  }

  Behaviour behaviour_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::mutex mu_;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// Answers every request on the connection with kOk (its header alone to HEAD), keeping it open.
void keep_answering(RawPeer& peer, int fd, int) {
  std::string request;
  while (peer.read_request(fd, &request))
    peer.send_all(fd, request.starts_with("HEAD") ? kOk.substr(0, kOk.size() - 2) : kOk);
}

Outcome wait_for(HttpClient& client, ClientRequest req) {
  std::promise<Outcome> p;
  auto f = p.get_future();
  client.send(std::move(req), [&p](Outcome o) { p.set_value(std::move(o)); });
  return f.get();
}

ClientRequest get(const std::string& url) {
  ClientRequest req;
  req.url = url;
  return req;
}

void expect_unavailable(const Outcome& o, const std::string& message_part) {
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().kind(), core::ErrorKind::kUnavailable) << o.error().what();
  EXPECT_NE(std::string(o.error().what()).find(message_part), std::string::npos)
      << o.error().what();
}

class AsyncClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.get("/hello", [](Request& r) {
      return Response::text(200, "hello " + std::string(r.headers.get("X-Name").value_or("")));
    });
    router_.post("/echo", [](Request& r) { return Response::text(201, r.body); });
    router_.get("/redirect/relative", [](Request&) { return moved(302, "/hello"); });
    router_.get("/redirect/absolute", [this](Request&) { return moved(301, url("/hello")); });
    router_.get("/redirect/loop", [](Request&) { return moved(307, "/redirect/loop"); });
    router_.post("/redirect/post", [](Request&) { return moved(307, "/echo"); });
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.io_threads = 2;
    o.access_log = false;
    server_ = std::make_unique<Server>(o, router_, metrics_);
    port_ = server_->listen();
    thread_ = std::thread([this] { server_->run(false); });
  }

  void TearDown() override {
    server_->shutdown();
    thread_.join();
  }

  static Response moved(int status, std::string location) {
    Response r = Response::text(status, "moved");
    r.headers.set("Location", std::move(location));
    return r;
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  Router router_;
  core::Metrics metrics_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(AsyncClientTest, GetAndPostOverLoopback) {
  HttpClient client;
  ClientRequest req = get(url("/hello"));
  req.headers.set("X-Name", "registrar");
  Outcome o = wait_for(client, req);
  ASSERT_TRUE(o.ok()) << o.error().what();
  EXPECT_EQ(o.response().status, 200);
  EXPECT_EQ(o.response().body, "hello registrar");

  ClientRequest post;
  post.method = Method::kPost;
  post.url = url("/echo");
  post.body = "payload";
  Response r = client.send_and_wait(post);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "payload");
  EXPECT_EQ(client.send_and_wait(get(url("/missing"))).status, 404);  // a response, not an error
}

TEST_F(AsyncClientTest, CallbacksRunOnTheClientThread) {
  HttpClient client;
  std::mutex mu;
  std::set<std::thread::id> threads;
  std::atomic<int> left{5};
  std::promise<void> all_done;
  for (int i = 0; i < 5; ++i) {
    client.send(get(url("/hello")), [&](Outcome o) {
      EXPECT_TRUE(o.ok());
      {
        std::lock_guard lock(mu);
        threads.insert(std::this_thread::get_id());
      }
      if (--left == 0) all_done.set_value();
    });
  }
  all_done.get_future().wait();
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_NE(*threads.begin(), std::this_thread::get_id());
}

TEST_F(AsyncClientTest, SendAndWaitOnTheClientThreadThrowsInsteadOfHanging) {
  HttpClient client;
  std::promise<core::ErrorKind> kind;
  client.send(get(url("/hello")), [&](Outcome) {
    try {
      client.send_and_wait(get(url("/hello")));
      kind.set_value(core::ErrorKind::kConflict);  // not expected
    } catch (const core::Error& e) {
      kind.set_value(e.kind());
    }
  });
  EXPECT_EQ(kind.get_future().get(), core::ErrorKind::kInternal);
}

TEST_F(AsyncClientTest, BadUrlIsInvalidArgument) {
  HttpClient client;
  for (std::string bad : {"ftp://127.0.0.1/", "127.0.0.1/x", "http://127.0.0.1:99999/"}) {
    Outcome o = wait_for(client, get(bad));
    ASSERT_FALSE(o.ok()) << bad;
    EXPECT_EQ(o.error().kind(), core::ErrorKind::kInvalidArgument) << bad;
    EXPECT_EQ(o.error().field(), "url");
  }
  EXPECT_THROW(fetch(get("nope")), core::Error);
}

TEST(AsyncClient, RefusedConnectionIsUnavailable) {
  uint16_t port;
  {
    RawPeer closed(keep_answering);
    port = closed.port();
  }  // nothing listens there any more
  HttpClient client;
  expect_unavailable(wait_for(client, get("http://127.0.0.1:" + std::to_string(port) + "/")),
                     "connect failed");
}

TEST_F(AsyncClientTest, RedirectsAreNotFollowedByDefault) {
  HttpClient client;
  Response r = client.send_and_wait(get(url("/redirect/relative")));
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.headers.get("Location"), "/hello");
}

TEST_F(AsyncClientTest, RedirectsAreFollowedWhenAskedForGetOnly) {
  HttpClient client;
  for (std::string path : {"/redirect/relative", "/redirect/absolute"}) {
    ClientRequest req = get(url(path));
    req.max_redirects = 2;
    Response r = client.send_and_wait(req);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "hello ") << path;
  }
  ClientRequest loop = get(url("/redirect/loop"));
  loop.max_redirects = 3;
  expect_unavailable(wait_for(client, loop), "more than 3 redirects");

  ClientRequest post;
  post.method = Method::kPost;
  post.url = url("/redirect/post");
  post.body = "x";
  post.max_redirects = 3;
  EXPECT_EQ(client.send_and_wait(post).status, 307);
}

TEST_F(AsyncClientTest, ManyConcurrentRequestsAllComplete) {
  HttpClient client;
  constexpr int kRequests = 200;
  std::atomic<int> ok{0}, calls{0};
  std::promise<void> all_done;
  for (int i = 0; i < kRequests; ++i) {
    ClientRequest req = get(url("/hello"));
    req.headers.set("X-Name", std::to_string(i));
    client.send(req, [&, i](Outcome o) {
      if (o.ok() && o.response().body == "hello " + std::to_string(i)) ok++;
      if (++calls == kRequests) all_done.set_value();
    });
  }
  ASSERT_EQ(all_done.get_future().wait_for(30s), std::future_status::ready);
  EXPECT_EQ(ok, kRequests);
}

TEST_F(AsyncClientTest, CountsRequestsAndFailures) {
  core::Metrics metrics;
  HttpClient::Options options;
  options.metrics = &metrics;
  HttpClient client(options);
  client.send_and_wait(get(url("/hello")));
  wait_for(client, get("http://[::1"));
  std::string text = metrics.render();
  EXPECT_NE(text.find("registrar_http_client_requests_total 2"), std::string::npos) << text;
  EXPECT_NE(text.find("registrar_http_client_failures_total 1"), std::string::npos) << text;
}

TEST(AsyncClientPeer, HostNamesAreResolved) {
  RawPeer peer(keep_answering);  // on 127.0.0.1; "localhost" may give ::1 first, refused there
  HttpClient client;
  Outcome o = wait_for(client, get("http://localhost:" + std::to_string(peer.port()) + "/"));
  ASSERT_TRUE(o.ok()) << o.error().what();
  EXPECT_EQ(o.response().body, "ok");
}

TEST(AsyncClientPeer, ConnectTimeoutWhenTheListenerIsFull) {
  // A listener that never accepts, with its queue filled: Linux drops further SYNs, so the
  // client's connect neither succeeds nor fails.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), len);
    fillers.push_back(fd);
  }
  HttpClient client;
  ClientRequest req = get("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/");
  req.connect_timeout = 200ms;
  expect_unavailable(wait_for(client, req), "connect timeout");
  for (int fd : fillers) ::close(fd);
  ::close(listener);
}

TEST(AsyncClientPeer, ReadTimeoutWhenThePeerNeverAnswers) {
  RawPeer peer([](RawPeer& p, int fd, int) { p.hold(fd); });
  HttpClient client;
  ClientRequest req = get(peer.url());
  req.read_timeout = 200ms;
  expect_unavailable(wait_for(client, req), "read timeout");
}

TEST(AsyncClientPeer, TotalTimeoutWhenThePeerNeverAnswers) {
  RawPeer peer([](RawPeer& p, int fd, int) { p.hold(fd); });
  HttpClient client;
  ClientRequest req = get(peer.url());
  req.timeout = 200ms;
  expect_unavailable(wait_for(client, req), "total timeout");
}

TEST(AsyncClientPeer, StalledHeaderTimesOut) {
  RawPeer peer([](RawPeer& p, int fd, int) {
    p.read_request(fd);
    p.send_all(fd, "HTTP/1.1 200 OK\r\nContent-");
    p.hold(fd);
  });
  HttpClient client;
  ClientRequest req = get(peer.url());
  req.read_timeout = 200ms;
  expect_unavailable(wait_for(client, req), "read timeout");
}

TEST(AsyncClientPeer, ResponseOverTheLimitIsRefused) {
  RawPeer peer([](RawPeer& p, int fd, int index) {
    p.read_request(fd);
    if (index == 0) {  // declared length over the limit
      p.send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'a'));
    } else if (index == 1) {  // chunked, found out while reading
      p.send_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 10; ++i) p.send_all(fd, "c8\r\n" + std::string(200, 'b') + "\r\n");
      p.send_all(fd, "0\r\n\r\n");
    } else {  // a header alone over the limit
      p.send_all(fd, "HTTP/1.1 200 OK\r\nX-Big: " + std::string(2000, 'c') +
                         "\r\nContent-Length: 0\r\n\r\n");
    }
    p.hold(fd);
  });
  HttpClient client;
  ClientRequest req = get(peer.url());
  req.max_response_bytes = 1000;
  for (int i = 0; i < 3; ++i) expect_unavailable(wait_for(client, req), "exceeds 1000 bytes");
  req.max_response_bytes = 5000;  // the same answers fit a larger limit
  RawPeer small([](RawPeer& p, int fd, int) {
    p.read_request(fd);
    p.send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'a'));
    p.hold(fd);
  });
  req.url = small.url();
  Outcome o = wait_for(client, req);
  ASSERT_TRUE(o.ok()) << o.error().what();
  EXPECT_EQ(o.response().body.size(), 2000u);
}

TEST(AsyncClientPeer, SequentialRequestsReuseOneConnection) {
  RawPeer peer(keep_answering);
  HttpClient client;
  for (int i = 0; i < 5; ++i) {
    ClientRequest req = get(peer.url());
    if (i == 2) req.method = Method::kHead;  // no body follows a HEAD answer's Content-Length
    Response r = client.send_and_wait(req);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, i == 2 ? "" : "ok");
  }
  EXPECT_EQ(peer.accepted(), 1);
}

TEST(AsyncClientPeer, ReuseCanBeTurnedOffAndIdleConnectionsExpire) {
  RawPeer peer(keep_answering);
  HttpClient::Options no_pool;
  no_pool.max_idle_per_host = 0;
  {
    HttpClient client(no_pool);
    for (int i = 0; i < 3; ++i) client.send_and_wait(get(peer.url()));
    EXPECT_EQ(peer.accepted(), 3);
  }
  HttpClient::Options short_idle;
  short_idle.idle_timeout = 50ms;
  HttpClient client(short_idle);
  client.send_and_wait(get(peer.url()));
  std::this_thread::sleep_for(150ms);
  client.send_and_wait(get(peer.url()));
  EXPECT_EQ(peer.accepted(), 5);
}

TEST(AsyncClientPeer, StalePooledConnectionIsRetriedForGetButNotForPost) {
  // Each connection answers one request as keep-alive, then the peer closes it.
  RawPeer peer([](RawPeer& p, int fd, int) {
    if (p.read_request(fd)) p.send_all(fd, kOk);
  });
  HttpClient client;
  EXPECT_EQ(client.send_and_wait(get(peer.url())).body, "ok");
  std::this_thread::sleep_for(50ms);  // the peer's close has arrived
  EXPECT_EQ(client.send_and_wait(get(peer.url())).body, "ok");
  EXPECT_EQ(peer.accepted(), 2);  // the pooled one, then the retry's new one

  std::this_thread::sleep_for(50ms);
  ClientRequest post;
  post.method = Method::kPost;
  post.url = peer.url();
  post.body = "once";
  // It was written to the closed connection: the peer might have acted on it, so no retry.
  expect_unavailable(wait_for(client, post), "read failed");
  EXPECT_EQ(peer.accepted(), 2);
}

// How often each request's callback ran, and with what.
struct Calls {
  explicit Calls(int n) : count(n) {}
  std::vector<std::atomic<int>> count;
  std::mutex mu;
  std::vector<std::string> errors;
};

// Sends `calls.count.size()` requests to a silent peer and waits until all of them are connected.
void send_silent(HttpClient& client, RawPeer& peer, Calls& calls) {
  int n = int(calls.count.size());
  for (int i = 0; i < n; ++i) {
    client.send(get(peer.url()), [&calls, i](Outcome o) {
      calls.count[i]++;
      std::lock_guard lock(calls.mu);
      calls.errors.push_back(o.ok() ? "ok" : o.error().what());
    });
  }
  for (int i = 0; i < 500 && peer.accepted() < n; ++i) std::this_thread::sleep_for(10ms);
}

TEST(AsyncClientPeer, StopCompletesEveryRequestInFlightExactlyOnce) {
  RawPeer peer([](RawPeer& p, int fd, int) { p.hold(fd); });
  HttpClient client;
  Calls calls(10);
  send_silent(client, peer, calls);
  ASSERT_EQ(peer.accepted(), 10);
  client.stop();  // returns once every callback has returned
  for (auto& c : calls.count) EXPECT_EQ(c, 1);
  EXPECT_EQ(calls.errors, std::vector<std::string>(10, "client stopped"));
  client.stop();  // idempotent
  expect_unavailable(wait_for(client, get(peer.url())), "client stopped");
  for (auto& c : calls.count) EXPECT_EQ(c, 1);
}

TEST(AsyncClientPeer, DestructorCompletesRequestsInFlight) {
  RawPeer peer([](RawPeer& p, int fd, int) { p.hold(fd); });
  Calls calls(5);
  {
    HttpClient client;
    send_silent(client, peer, calls);
  }
  for (auto& c : calls.count) EXPECT_EQ(c, 1);
  EXPECT_EQ(calls.errors, std::vector<std::string>(5, "client stopped"));
}

TEST(AsyncClientPeer, ClientDestroyedFromItsOwnCallback) {
  RawPeer peer(keep_answering);
  auto client = std::make_unique<HttpClient>();
  std::promise<void> destroyed;
  client->send(get(peer.url()), [&](Outcome o) {
    EXPECT_TRUE(o.ok());
    client.reset();  // the thread finishes on its own
    destroyed.set_value();
  });
  EXPECT_EQ(destroyed.get_future().wait_for(10s), std::future_status::ready);
}

class AsyncClientTls : public ::testing::Test {
 protected:
  // A self-signed certificate for `subject_alt_name`, served by a Server on 127.0.0.1.
  std::string make_cert(const std::string& name, const std::string& subject_alt_name) {
    std::string cert = dir_.file(name + ".pem"), key = dir_.file(name + ".key");
    std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + key +
        " -out " + cert + " -days 1 -subj /CN=" + name +
        " -addext subjectAltName=" + subject_alt_name + " 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl failed");
    return cert;
  }

  uint16_t serve(const std::string& cert) {
    router_.get("/x", [](Request&) { return Response::text(200, "secure"); });
    router_.get("/down", [this](Request&) {
      Response r = Response::text(302, "");
      r.headers.set("Location", "http://127.0.0.1:" + std::to_string(port_) + "/x");
      return r;
    });
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.tls_cert_file = cert;
    o.tls_key_file = cert.substr(0, cert.size() - 4) + ".key";
    o.access_log = false;
    server_ = std::make_unique<Server>(o, router_, metrics_);
    port_ = server_->listen();
    thread_ = std::thread([this] { server_->run(false); });
    return port_;
  }

  void TearDown() override {
    if (!server_) return;
    server_->shutdown();
    thread_.join();
  }

  testing::TempDir dir_;
  Router router_;
  core::Metrics metrics_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(AsyncClientTls, TrustsTheGivenCaAndRefusesWithoutIt) {
  std::string cert = make_cert("ip", "IP:127.0.0.1");
  uint16_t port = serve(cert);
  HttpClient client;
  ClientRequest req = get("https://127.0.0.1:" + std::to_string(port) + "/x");
  req.ca_file = cert;
  for (int i = 0; i < 2; ++i) {  // the second one on the pooled TLS connection
    Outcome o = wait_for(client, req);
    ASSERT_TRUE(o.ok()) << o.error().what();
    EXPECT_EQ(o.response().body, "secure");
  }
  ClientRequest system_cas = req;
  system_cas.ca_file.clear();
  expect_unavailable(wait_for(client, system_cas), "TLS handshake failed");
  ClientRequest missing = req;
  missing.ca_file = dir_.file("missing.pem");
  expect_unavailable(wait_for(client, missing), "cannot load the CA certificates");
  ClientRequest unverified = system_cas;
  unverified.verify_tls = false;
  EXPECT_EQ(client.send_and_wait(unverified).body, "secure");
  // https to http is not followed, even when redirects are.
  ClientRequest down = req;
  down.url = "https://127.0.0.1:" + std::to_string(port) + "/down";
  down.max_redirects = 3;
  EXPECT_EQ(client.send_and_wait(down).status, 302);
}

TEST_F(AsyncClientTls, RefusesACertificateForAnotherHost) {
  std::string cert = make_cert("peer.example", "DNS:peer.example");
  uint16_t port = serve(cert);
  HttpClient client;
  ClientRequest req = get("https://127.0.0.1:" + std::to_string(port) + "/x");
  req.ca_file = cert;  // trusted, but not issued for 127.0.0.1
  expect_unavailable(wait_for(client, req), "TLS handshake failed");
}

}  // namespace
}  // namespace registrar::http
