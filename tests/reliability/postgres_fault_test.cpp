// PostgreSQL stopped and started again under load, without restarting registrar: while it is
// down, requests that need the database complete (the client's timeout would fail them) with
// 503 and Retry-After, never a 500, and /readyz answers 503; once it is back the same process
// serves again (polled, bounded by a loop count) and every write acknowledged before the
// outage is there. The test runs its own PostgreSQL; the shared test server is not touched.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "crash_fixture.h"
#include "own_postgres.h"

namespace registrar::reliability {
namespace {

// Client threads creating OAuth2 clients (a write) and listing them (a read) until stopped,
// counting every answer by status; a request that fails (timeout, reset) counts as status 0.
class Traffic {
 public:
  Traffic(const testing::RegistrarProcess& p, const std::string& admin) {
    for (int t = 0; t < 3; ++t)
      threads_.emplace_back([this, &p, admin, t] {
        for (int i = 0; !stop_; ++i) {
          std::string id = "c-" + std::to_string(t) + "-" + std::to_string(i);
          http::Response r;
          try {
            if (t == 2)
              r = p.get("/v1/identity/clients?limit=5", testing::bearer(admin));
            else
              r = p.post("/v1/identity/clients", Json{{"client_id", id}}.dump(), "application/json",
                         testing::bearer(admin));
          } catch (const std::exception& e) {
            r.status = 0;
            r.body = e.what();
          }
          std::lock_guard lk(mu_);
          ++by_status_[r.status];
          if (r.status == 503 && !r.headers.has("Retry-After")) ++without_retry_after_;
          if (r.status == 201) acknowledged_.push_back(id);
          if (r.status != 201 && r.status != 200 && r.status != 503)
            unexpected_.push_back(std::to_string(r.status) + ": " + r.body);
        }
      });
  }
  ~Traffic() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  int count(int status) {
    std::lock_guard lk(mu_);
    return by_status_[status];
  }
  // Waits (bounded by a loop count) until `status` was answered `n` more times than `from`.
  bool wait_for(int status, int from, int n) {
    for (int loop = 0; loop < 6000; ++loop) {
      if (count(status) >= from + n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  std::mutex mu_;
  std::map<int, int> by_status_;
  int without_retry_after_ = 0;
  std::vector<std::string> acknowledged_, unexpected_;

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

class PostgresFaultTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PostgresFaultTest, RequestsFailFastWith503AndServiceResumesWhenPostgresIsBack) {
  OwnPostgres pg;
  testing::TempDir keys;
  testing::ProcessOptions o;
  o.database_url = pg.url();
  o.env["REGISTRAR_IDENTITY_MASTER_KEY_FILE"] = keys.file("master.key");
  testing::RegistrarProcess p(o);
  const std::string admin = testing::issue_token(p.env(), "ops", "--scope identity:admin");
  ASSERT_EQ(p.get("/readyz").status, 200);

  Traffic traffic(p, admin);
  ASSERT_TRUE(traffic.wait_for(201, 0, 50)) << p.log();
  pg.stop();
  // Both kinds of request meet the outage: writes and reads.
  ASSERT_TRUE(traffic.wait_for(503, 0, 60)) << ::testing::PrintToString(traffic.by_status_);
  auto ready = p.get("/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_EQ(Json::parse(ready.body)["checks"]["database"], "unreachable") << ready.body;
  auto refused = p.post("/v1/identity/clients", Json{{"client_id", "during"}}.dump(),
                        "application/json", testing::bearer(admin));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.headers.get("Retry-After").value_or(""), "1");
  EXPECT_EQ(refused.headers.get("Content-Type").value_or(""), "application/problem+json");

  pg.start();
  int created_before = traffic.count(201);
  ASSERT_TRUE(traffic.wait_for(201, created_before, 30))
      << "no write succeeded after PostgreSQL came back\n"
      << p.log();
  traffic.stop();
  EXPECT_EQ(p.get("/readyz").status, 200);
  EXPECT_TRUE(p.running());

  EXPECT_EQ(traffic.unexpected_, std::vector<std::string>{});
  EXPECT_EQ(traffic.without_retry_after_, 0);
  EXPECT_EQ(traffic.count(0), 0) << "a request failed or timed out instead of an answer";
  // Every client acknowledged, before and after the outage, is there.
  for (const std::string& id : traffic.acknowledged_) {
    auto r = p.get("/v1/identity/clients?limit=1&prefix=" + id, testing::bearer(admin));
    ASSERT_EQ(r.status, 200) << r.body;
    const Json body = Json::parse(r.body);
    ASSERT_EQ(body["clients"].size(), 1u) << id;
    EXPECT_EQ(body["clients"][0]["client_id"], id);
  }
}

INSTANTIATE_TEST_SUITE_P(reliability, PostgresFaultTest, ::testing::Values("own_postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::reliability
