// The real `registrar` binary, started as operators start it, on each database backend.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "store/database.h"
#include "store/migrations.h"
#include "support/databases.h"
#include "support/raw_client.h"
#include "support/registrar_process.h"

namespace registrar {
namespace {

using testing::RegistrarProcess;
using testing::run_registrar;
using testing::TestDatabase;
using Json = nlohmann::json;

class PlatformTest : public ::testing::TestWithParam<std::string> {
 protected:
  PlatformTest() : db_(GetParam()) {}
  testing::ProcessOptions options() {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    return o;
  }
  TestDatabase db_;
};

TEST_P(PlatformTest, StartsMigratesAndReportsReady) {
  RegistrarProcess p(options());
  auto health = p.get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(Json::parse(health.body)["status"], "ok");
  auto ready = p.get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(Json::parse(ready.body)["checks"]["migrations"], "ok");
  auto doc = p.get("/openapi.yaml");
  EXPECT_EQ(doc.status, 200);
  EXPECT_NE(doc.body.find("openapi: 3"), std::string::npos);
  auto metrics = p.get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("registrar_http_requests_total{route=\"/healthz\""),
            std::string::npos);
  EXPECT_NE(metrics.body.find("registrar_db_pool_size 4"), std::string::npos);
  EXPECT_EQ(p.terminate(), 0);
  std::string log = p.log();
  EXPECT_NE(log.find("\"event\":\"listening\""), std::string::npos);
  EXPECT_NE(log.find("\"event\":\"access\""), std::string::npos);
  EXPECT_NE(log.find("\"event\":\"server_stopped\""), std::string::npos);
}

// A port nothing listens on now (bound, read, released).
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

int raw_get_status(uint16_t port, const std::string& path, std::string* body = nullptr) {
  testing::RawClient c(port);
  c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  std::string res = c.read_response();
  if (body) *body = res;
  return testing::status_of(res);
}

// server.admin_listen (security issue 17): /readyz and /metrics leave the public listener for an
// internal one, which has its own /healthz.
TEST_P(PlatformTest, AdminListenerServesReadinessAndMetricsAlone) {
  const uint16_t admin = free_port();
  testing::ProcessOptions o = options();
  o.env["REGISTRAR_SERVER_ADMIN_LISTEN"] = "127.0.0.1:" + std::to_string(admin);
  RegistrarProcess p(o);
  EXPECT_EQ(p.get("/healthz").status, 200);
  EXPECT_EQ(p.get("/readyz").status, 404);
  EXPECT_EQ(p.get("/metrics").status, 404);
  EXPECT_EQ(p.get("/openapi.yaml").status, 200);
  std::string metrics;
  EXPECT_EQ(raw_get_status(admin, "/metrics", &metrics), 200);
  EXPECT_NE(metrics.find("registrar_http_requests_total{route=\"/healthz\""), std::string::npos);
  EXPECT_EQ(raw_get_status(admin, "/readyz"), 200);
  EXPECT_EQ(raw_get_status(admin, "/healthz"), 200);
  EXPECT_EQ(raw_get_status(admin, "/v1/identity/whoami"), 404);  // nothing else there
  EXPECT_EQ(p.terminate(), 0);
  EXPECT_NE(p.log().find("\"event\":\"admin_listening\""), std::string::npos);
}

// MOSIP deployments probe each service's Spring actuator: <base>/actuator/health answers as
// /readyz does, in Spring's shape, without a token; DOWN (503) once the schema is not the one
// this binary expects (here: a migration from a newer binary appears).
TEST_P(PlatformTest, MosipActuatorHealthFollowsReadiness) {
  RegistrarProcess p(options());
  const std::vector<std::string> bases = {"/v1/idgenerator", "/v1/pridgenerator",
                                          "/v1/ridgenerator", "/v1/keymanager", "/v1/syncdata"};
  for (const auto& base : bases) {
    auto up = p.get(base + "/actuator/health");
    EXPECT_EQ(up.status, 200) << base;
    EXPECT_EQ(Json::parse(up.body), Json({{"status", "UP"}})) << base;
    EXPECT_EQ(up.headers.get("Content-Type"), "application/json") << base;
    auto head = p.request(http::Method::kHead, base + "/actuator/health");
    EXPECT_EQ(head.status, 200) << base;
    EXPECT_TRUE(head.body.empty()) << base;
  }
  // Not under a base no module serves as a Spring service.
  EXPECT_EQ(p.get("/v1/identity/actuator/health").status, 404);
  EXPECT_EQ(p.get("/actuator/health").status, 404);

  store::DatabaseOptions o;
  o.url = db_.url();
  o.pool_size = 1;
  store::Database db(o);
  db.write([&](soci::session& s) {
    s << std::string("INSERT INTO schema_migrations (module, version, description, applied_us) ") +
             "VALUES ('ids', 9999, 'from a newer binary', 0)";
  });
  for (const auto& base : bases) {
    auto down = p.get(base + "/actuator/health");
    EXPECT_EQ(down.status, 503) << base;
    EXPECT_EQ(Json::parse(down.body), Json({{"status", "DOWN"}})) << base;
  }
  EXPECT_EQ(p.get("/readyz").status, 503);
  db.write([&](soci::session& s) { s << "DELETE FROM schema_migrations WHERE version = 9999"; });
  EXPECT_EQ(p.get("/v1/idgenerator/actuator/health").status, 200);
}

TEST_P(PlatformTest, ProblemsForBadRequestsAndTheServerKeepsServing) {
  RegistrarProcess p(options());
  auto missing = p.get("/v1/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers.get("Content-Type"), "application/problem+json");
  auto wrong = p.post("/healthz", "{}");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers.get("Allow"), "GET, HEAD");
  {
    testing::RawClient c(p.port());
    c.send("GARBAGE\r\n\r\n");
    EXPECT_EQ(testing::status_of(c.read_response()), 400);
  }
  {
    testing::RawClient c(p.port());
    c.send("POST /oauth2/token HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n");
    EXPECT_EQ(testing::status_of(c.read_response()), 413);
  }
  {
    // An unmatched path reads no body: its 404 comes at once, and the connection closes.
    testing::RawClient c(p.port());
    c.send("POST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n");
    EXPECT_EQ(testing::status_of(c.read_response()), 404);
    EXPECT_TRUE(c.closed_within(std::chrono::seconds(2)));
  }
  EXPECT_EQ(p.get("/healthz").status, 200);
}

TEST_P(PlatformTest, ReadyzReportsAMissingMigration) {
  // A database migrated by a newer binary: registrar refuses to start against it.
  {
    store::DatabaseOptions o;
    o.url = db_.url();
    o.pool_size = 1;
    store::Database db(o);
    auto schema = store::platform_schema();
    schema.migrations.push_back({int(schema.migrations.size()) + 1,
                                 "from the future",
                                 {"CREATE TABLE future (x INTEGER)"},
                                 {}});
    store::migrate(db, {schema}, core::SystemClock::instance());
  }
  EXPECT_THROW(RegistrarProcess p(options()), std::runtime_error);
}

TEST_P(PlatformTest, DbMigrateCommandAppliesAndIsIdempotent) {
  std::map<std::string, std::string> env{{"REGISTRAR_DATABASE_URL", db_.url()}};
  auto first = run_registrar("db migrate", env);
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("applied platform v1"), std::string::npos) << first.output;
  auto second = run_registrar("db migrate", env);
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(second.output.find("database schema is current"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, PlatformTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

TEST(Cli, VersionAndHelp) {
  auto v = run_registrar("version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.output.rfind("registrar ", 0), 0u);
  auto h = run_registrar("--help");
  EXPECT_EQ(h.exit_code, 0);
  for (const char* verb : {"serve", "version", "config", "db"})
    EXPECT_NE(h.output.find(verb), std::string::npos) << verb;
  auto bad = run_registrar("frobnicate");
  EXPECT_NE(bad.exit_code, 0);
}

TEST(Cli, ConfigCheckReportsUnknownKeysAndBadValuesByName) {
  testing::TempDir dir;
  std::ofstream(dir.file("bad.toml")) << "[server]\nlisen = \"127.0.0.1:1\"\nio_threads = 0\n"
                                         "[database]\nurl = \"mysql://x\"\n";
  auto r = run_registrar("--config " + dir.file("bad.toml") + " config check");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("server.lisen: unknown key"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("server.io_threads: must be between 1 and 256"), std::string::npos);
  EXPECT_NE(r.output.find("database.url"), std::string::npos);

  auto env = run_registrar("config check", {{"REGISTRAR_SERVER_IO_THREADS", "many"}});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_NE(env.output.find("REGISTRAR_SERVER_IO_THREADS"), std::string::npos);

  std::ofstream(dir.file("good.toml")) << "[server]\nlisten = \"127.0.0.1:9999\"\n";
  auto ok = run_registrar("--config " + dir.file("good.toml") + " config check --show");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("configuration OK"), std::string::npos);
  EXPECT_NE(ok.output.find("127.0.0.1:9999"), std::string::npos);

  auto missing = run_registrar("--config " + dir.file("nope.toml") + " config check");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("not found"), std::string::npos);
}

TEST(Cli, ServeRefusesBadConfigBeforeListening) {
  auto r = run_registrar("serve", {{"REGISTRAR_SERVER_LISTEN", "localhost:80"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("server.listen"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace registrar
