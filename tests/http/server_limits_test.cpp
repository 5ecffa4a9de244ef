// The HTTP server's limits, in-process over real loopback connections: body sizes (413), the
// connection caps, accept back-off when descriptors run out, rate limits per address and per
// client (429) and the cap on requests in flight (503).
#include "server_fixture.h"

namespace registrar::http {
namespace {

using namespace std::chrono_literals;
using namespace server_testing;
using testing::RawClient;
using testing::status_of;

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
