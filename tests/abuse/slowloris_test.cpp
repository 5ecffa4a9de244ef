// Slow clients and request rates against the real binary, over real loopback sockets: many
// connections that send their header a byte at a time are cut at server.header_timeout_ms while a
// normal client is answered throughout; server.rate_limit.* refuses with 429 and Retry-After in
// the route's own error format.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "support/raw_client.h"
#include "support/registrar_process.h"

namespace registrar {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
using testing::RawClient;
using testing::RegistrarProcess;

constexpr int kSlowClients = 500;  // below server.max_connections_per_address (1000)

TEST(Slowloris, SlowHeadersAreCutAtTheHeaderTimeoutWhileOthersAreServed) {
  testing::ProcessOptions o;
  o.env["REGISTRAR_SERVER_HEADER_TIMEOUT_MS"] = "2000";
  o.env["REGISTRAR_LOG_LEVEL"] = "warn";
  RegistrarProcess p(o);

  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < kSlowClients; ++i) {
    slow.push_back(std::make_unique<RawClient>(p.port()));
    slow.back()->send("G");
  }
  // Each slow connection gets one more byte of the same never-ending header every 100 ms.
  std::atomic<bool> stop{false};
  std::atomic<int> rounds{0};
  std::thread trickle([&] {
    const std::string header = "ET /healthz HTTP/1.1\r\nHost: slow\r\nX-Pad: ";
    for (size_t i = 0; !stop; ++i) {
      const char c = i < header.size() ? header[i] : 'a';
      for (auto& s : slow) s->send(std::string(1, c));
      ++rounds;
      std::this_thread::sleep_for(100ms);
    }
  });

  // While they trickle (1.5 s of the 2 s header timeout), a normal client is answered every time.
  int answered = 0, asked = 0;
  while (rounds < 15) {
    ++asked;
    auto r = p.get("/healthz");
    if (r.status == 200) ++answered;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GT(asked, 10);
  EXPECT_EQ(answered, asked);

  // Every slow connection is closed by the server without an answer (the header never ended).
  int closed = 0, answered_slow = 0;
  for (auto& s : slow) {
    std::string rest = s->read_until_close(10s);
    if (s->closed_within(100ms)) ++closed;  // the end of stream read_until_close stopped at
    if (!rest.empty()) ++answered_slow;
  }
  stop = true;
  trickle.join();
  EXPECT_EQ(closed, kSlowClients);
  EXPECT_EQ(answered_slow, 0);
  // And the server still serves afterwards.
  EXPECT_EQ(p.get("/healthz").status, 200);
}

// server.rate_limit.per_address: 429 with Retry-After, written in the format of the route's
// prefix (MOSIP's envelope under /v1/idgenerator, problem+json elsewhere), counted in /metrics.
TEST(RateLimits, PerAddressRefusalsAreInTheRoutesFormat) {
  testing::ProcessOptions o;
  o.extra_config = "[server.rate_limit]\nper_address = 1\nper_address_burst = 3\n";
  RegistrarProcess p(o);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(p.get("/healthz").status, 200) << i;
  auto mosip = p.get("/v1/idgenerator/actuator/health");
  EXPECT_EQ(mosip.status, 429);
  EXPECT_EQ(mosip.headers.get("Retry-After"), "1");
  EXPECT_EQ(Json::parse(mosip.body)["errors"][0]["errorCode"], "KER-HTTP-429") << mosip.body;
  auto problem = p.get("/healthz");
  EXPECT_EQ(problem.status, 429);
  EXPECT_EQ(problem.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(Json::parse(problem.body)["status"], 429);
  // After the wait Retry-After names, the bucket has a token again.
  std::string metrics;
  for (int i = 0; i < 50; ++i) {
    auto m = p.get("/metrics");
    if (m.status == 200) {
      metrics = m.body;
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_NE(metrics.find("http_rate_limited_total{limit=\"address\"}"), std::string::npos)
      << metrics.substr(0, 400);
}

// server.rate_limit.per_client: each authenticated client has its own bucket.
TEST(RateLimits, PerClientRefusalsLeaveOtherClientsAlone) {
  testing::ProcessOptions o;
  o.extra_config = "[server.rate_limit]\nper_client = 1\nper_client_burst = 2\n";
  RegistrarProcess p(o);
  const std::string busy = testing::issue_token(p.env(), "busy-client", "");
  const std::string calm = testing::issue_token(p.env(), "calm-client", "");
  EXPECT_EQ(p.get("/v1/identity/whoami", testing::bearer(busy)).status, 200);
  EXPECT_EQ(p.get("/v1/identity/whoami", testing::bearer(busy)).status, 200);
  auto refused = p.get("/v1/identity/whoami", testing::bearer(busy));
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.headers.get("Retry-After"), "1");
  EXPECT_EQ(Json::parse(refused.body)["status"], 429);
  EXPECT_EQ(p.get("/v1/identity/whoami", testing::bearer(calm)).status, 200);
  EXPECT_EQ(p.get("/healthz").status, 200);  // anonymous: no client bucket
}

}  // namespace
}  // namespace registrar
