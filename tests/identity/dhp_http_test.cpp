// The DHP challenge API's HTTP behaviour as its clients meet it (issue 18), against the real
// binary on each backend: a browser wallet's fetch (Origin, a preflight with
// Access-Control-Request-Method/-Headers, a string body sent as text/plain), the original's route
// tests (JSON with charset, the 404, api-docs), x-correlation-id, and the routes at the root.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "core/base64.h"
#include "crypto/jws.h"
#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar::identity {
namespace {

using Json = nlohmann::json;
using testing::bearer;
using testing::RegistrarProcess;

constexpr const char* kWallet = "https://wallet.example";

std::string header(const http::Response& r, std::string_view name) {
  return std::string(r.headers.get(name).value_or("<none>"));
}

class DhpHttpTest : public ::testing::TestWithParam<std::string> {
 protected:
  DhpHttpTest() : db_(GetParam()) {}

  std::unique_ptr<RegistrarProcess> start(const std::string& extra_config = "",
                                          std::map<std::string, std::string> env = {}) {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    o.extra_config = extra_config;
    o.env = std::move(env);
    auto p = std::make_unique<RegistrarProcess>(o);
    token_ = testing::issue_token(p->env(), "wallet-backend",
                                  "--scope gen_id_challenge --scope verify_identity");
    return p;
  }

  // What a browser sends before a cross-origin POST with a bearer token and a JSON body.
  static http::Headers preflight_headers(const std::string& origin = kWallet) {
    http::Headers h;
    h.set("Origin", origin);
    h.set("Access-Control-Request-Method", "POST");
    h.set("Access-Control-Request-Headers", "authorization,content-type");
    return h;
  }
  http::Headers browser(bool with_token = true) const {
    http::Headers h = with_token ? bearer(token_) : http::Headers{};
    h.set("Origin", kWallet);
    return h;
  }

  testing::TestDatabase db_;
  std::string token_;
};

TEST_P(DhpHttpTest, BrowserPreflightsAndCallsGetExpressCorsDefaults) {
  auto p = start();
  auto pre = p->request(http::Method::kOptions, "/dhp/generate", "", preflight_headers());
  EXPECT_EQ(pre.status, 204) << pre.body;
  EXPECT_TRUE(pre.body.empty());
  EXPECT_EQ(header(pre, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(pre, "Access-Control-Allow-Methods"), "GET,HEAD,PUT,PATCH,POST,DELETE");
  EXPECT_EQ(header(pre, "Access-Control-Allow-Headers"), "authorization,content-type");
  EXPECT_EQ(header(pre, "Vary"), "Access-Control-Request-Headers");

  auto gen = p->post("/dhp/generate", "{}", "application/json", browser());
  ASSERT_EQ(gen.status, 200) << gen.body;
  EXPECT_EQ(header(gen, "Access-Control-Allow-Origin"), "*");
  // Errors carry the grant too, or the page could not read them.
  auto denied = p->post("/dhp/generate", "{}", "application/json", browser(false));
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(denied.body, "Unauthorized");
  EXPECT_EQ(header(denied, "Access-Control-Allow-Origin"), "*");
  auto unknown = p->post("/dhp/fake/route", "{}", "application/json", browser());
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(header(unknown, "Access-Control-Allow-Origin"), "*");

  // Off elsewhere unless configured: the clean challenge API and the platform's routes.
  auto clean =
      p->request(http::Method::kOptions, "/v1/identity/challenges", "", preflight_headers());
  EXPECT_EQ(clean.status, 405);
  EXPECT_EQ(header(clean, "Access-Control-Allow-Origin"), "<none>");
  auto health = p->get("/healthz", browser(false));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(header(health, "Access-Control-Allow-Origin"), "<none>");
}

TEST_P(DhpHttpTest, GenerateIgnoresATextPlainBodyAndIssuesAnUnboundNonce) {
  auto p = start();
  // fetch(url, {method: "POST", body: JSON.stringify(...)}) without a Content-Type header sends
  // text/plain;charset=UTF-8, which neither of the original's body parsers reads.
  auto rsa = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  const std::string bound_key = core::base64_encode(rsa.public_key().to_spki_der());
  auto gen = p->post("/dhp/generate", Json{{"public_key", bound_key}}.dump(),
                     "text/plain;charset=UTF-8", browser());
  ASSERT_EQ(gen.status, 200) << gen.body;
  EXPECT_EQ(header(gen, "Content-Type"), "application/json; charset=utf-8");
  const std::string nonce = Json::parse(gen.body)["challenge"]["nonce"];
  EXPECT_EQ(nonce.size(), 24u);
  // The key in the ignored body was not bound: another key's signature verifies.
  auto other = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  const std::string other_key = core::base64_encode(other.public_key().to_spki_der());
  auto ver = p->post("/dhp/verify",
                     Json{{"public_key", other_key},
                          {"signature", crypto::sign_compact(Json{{"nonce", nonce}}.dump(), other,
                                                             crypto::JwsAlg::kRS256)}}
                         .dump(),
                     "application/json", browser());
  EXPECT_EQ(Json::parse(ver.body), (Json{{"verified", true}})) << ver.body;
  // /verify's text/plain body is ignored the same way: no public_key, verified false, 200.
  auto plain = p->post("/dhp/verify", Json{{"public_key", other_key}}.dump(),
                       "text/plain;charset=UTF-8", browser());
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(Json::parse(plain.body)["verified"], false);
}

TEST_P(DhpHttpTest, EveryResponseCarriesACorrelationId) {
  auto p = start();
  http::Headers mine = browser();
  mine.set("x-correlation-id", "req-42");
  mine.set("x-global-k8fdic-transaction-id", "global-7");
  EXPECT_EQ(header(p->post("/dhp/generate", "{}", "application/json", mine), "x-correlation-id"),
            "req-42");
  http::Headers global = browser(false);
  global.set("x-global-k8fdic-transaction-id", "global-7");
  auto denied = p->post("/dhp/generate", "{}", "application/json", global);
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(header(denied, "x-correlation-id"), "global-7");
  // None given: a new UUID v4 each time, on errors of every layer too.
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  auto missing = p->get("/dhp/nothing");
  auto too_big = p->post("/dhp/login", std::string(17 * 1024, ' '));
  auto pre = p->request(http::Method::kOptions, "/dhp/verify", "", preflight_headers());
  std::set<std::string> ids;
  for (const auto* r : {&missing, &too_big, &pre}) {
    EXPECT_TRUE(std::regex_match(header(*r, "x-correlation-id"), uuid))
        << r->status << " " << header(*r, "x-correlation-id");
    ids.insert(header(*r, "x-correlation-id"));
  }
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(ids.size(), 3u);
  // Not a DHP route: no correlation id.
  EXPECT_EQ(header(p->get("/healthz", mine), "x-correlation-id"), "<none>");
}

// The original's test/functional/routes/RouteTest.js, under the prefix.
TEST_P(DhpHttpTest, AnswersTheOriginalsRouteTests) {
  auto p = start();
  http::Headers accept;
  accept.set("Accept", "application/json");
  auto health = p->get("/dhp/health/", accept);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(header(health, "Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(Json::parse(health.body), (Json{{"status", "UP"}}));

  auto docs = p->get("/dhp/api-docs");
  EXPECT_EQ(docs.status, 301);
  EXPECT_EQ(header(docs, "Content-Type"), "text/html; charset=UTF-8");
  EXPECT_NE(docs.body.find("docs"), std::string::npos) << docs.body;
  EXPECT_EQ(header(docs, "Location"), "/dhp/api-docs/");
  auto page = p->get("/dhp/api-docs/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(header(page, "Content-Type"), "text/html; charset=UTF-8");
  EXPECT_NE(page.body.find("/dhp/generate"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("href=\"/openapi.yaml\""), std::string::npos) << page.body;

  auto fake = p->post("/dhp/fake/route", "");
  EXPECT_EQ(fake.status, 404);
  EXPECT_EQ(header(fake, "Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(Json::parse(fake.body), (Json{{"error", {{"message", "No route found"}}}}));
}

// /login without identity.dhp_login_client: the operator's to fix, so 503 in the DHP error
// envelope naming the key (not a 500, not a Retry-After: waiting will not help), and a warning at
// start naming the route. Configured, neither.
TEST_P(DhpHttpTest, LoginWithoutItsClientAnswers503NamingTheKey) {
  auto p = start();
  EXPECT_NE(p->log().find("dhp_login_not_configured"), std::string::npos) << p->log();
  EXPECT_NE(p->log().find("POST /dhp/login"), std::string::npos) << p->log();
  auto login = p->post("/dhp/login", R"({"username":"someone","password":"secret"})");
  EXPECT_EQ(login.status, 503) << login.body;
  EXPECT_EQ(header(login, "Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(header(login, "Retry-After"), "<none>");
  Json body = Json::parse(login.body);
  EXPECT_EQ(body["message"], "Service Unavailable");
  EXPECT_NE(body["trace"].get<std::string>().find("identity.dhp_login_client"), std::string::npos)
      << login.body;
  EXPECT_EQ(
      body["errors"],
      (Json::array({{{"errorCode", "503"}, {"message", "Service Unavailable"}, {"path", ""}}})));
  // A form body too (the original's other parser).
  EXPECT_EQ(
      p->post("/dhp/login", "username=someone&password=secret", "application/x-www-form-urlencoded")
          .status,
      503);

  // Another process needs a database of its own (its master key seals other signing keys).
  p.reset();
  testing::ProcessOptions o;
  o.extra_config = "[identity]\ndhp_login_client = \"wallet-backend\"\n";
  RegistrarProcess configured(o);
  EXPECT_EQ(configured.log().find("dhp_login_not_configured"), std::string::npos)
      << configured.log();
  auto refused = configured.post("/dhp/login", R"({"username":"someone","password":"secret"})");
  EXPECT_EQ(refused.status, 400) << refused.body;
}

TEST_P(DhpHttpTest, MountsAtTheRootBesideTheOtherModules) {
  auto p = start("[identity]\ndhp_prefix = \"/\"\n");
  auto pre = p->request(http::Method::kOptions, "/generate", "", preflight_headers());
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(header(pre, "Access-Control-Allow-Origin"), "*");
  auto gen = p->post("/generate", "", "application/json", browser());
  ASSERT_EQ(gen.status, 200) << gen.body;
  EXPECT_EQ(Json::parse(gen.body)["challenge"]["nonce"].get<std::string>().size(), 24u);
  EXPECT_EQ(Json::parse(p->get("/health/").body), (Json{{"status", "UP"}}));
  EXPECT_EQ(header(p->get("/api-docs"), "Location"), "/api-docs/");
  auto under = p->post("/generate/x", "{}");
  EXPECT_EQ(under.status, 404);
  EXPECT_EQ(Json::parse(under.body), (Json{{"error", {{"message", "No route found"}}}}));
  EXPECT_EQ(p->get("/dhp/health").status, 404);  // moved, not doubled

  // The other modules keep their own shapes: no DHP errors, CORS or correlation ids there.
  auto who = p->get("/v1/identity/whoami", browser(false));
  EXPECT_EQ(who.status, 401);
  EXPECT_EQ(header(who, "Content-Type"), "application/problem+json");
  EXPECT_EQ(header(who, "Access-Control-Allow-Origin"), "<none>");
  EXPECT_EQ(header(who, "x-correlation-id"), "<none>");
  auto unknown = p->post("/fake/route", "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(header(unknown, "Content-Type"), "application/problem+json");

  auto doc = p->get("/openapi.yaml");
  EXPECT_NE(doc.body.find("\n  /generate:\n"), std::string::npos);
  EXPECT_NE(doc.body.find("\n  /api-docs:\n"), std::string::npos);
}

TEST_P(DhpHttpTest, APrefixOverAnotherModulesRoutesIsAStartError) {
  try {
    start("[identity]\ndhp_prefix = \"/v1/identity\"\n");
    FAIL() << "the DHP routes must not take over /v1/identity";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("lies under /v1/identity, reserved for the DHP routes "
                                         "(identity.dhp_prefix = \"/v1/identity\")"),
              std::string::npos)
        << e.what();
  }
}

TEST_P(DhpHttpTest, ConfiguredOriginsAreEchoedAndOtherPrefixesCanHaveCors) {
  // The process's config file has its own [server] table: server.cors comes from the
  // environment, as JSON.
  auto p = start("[identity]\ndhp_cors_origins = [\"https://wallet.example\"]\n",
                 {{"REGISTRAR_SERVER_CORS",
                   R"([{"prefix": "/v1/identity", "origins": ["https://console.example"],
                       "headers": ["Authorization", "Content-Type"], "max_age_seconds": 600}])"}});
  auto ok = p->request(http::Method::kOptions, "/dhp/verify", "", preflight_headers());
  EXPECT_EQ(header(ok, "Access-Control-Allow-Origin"), kWallet);
  EXPECT_EQ(header(ok, "Vary"), "Origin, Access-Control-Request-Headers");
  auto stranger = p->request(http::Method::kOptions, "/dhp/verify", "",
                             preflight_headers("https://elsewhere.example"));
  EXPECT_EQ(stranger.status, 204);
  EXPECT_EQ(header(stranger, "Access-Control-Allow-Origin"), "<none>");
  auto gen = p->post("/dhp/generate", "{}", "application/json", browser());
  EXPECT_EQ(header(gen, "Access-Control-Allow-Origin"), kWallet);
  EXPECT_EQ(header(gen, "Vary"), "Origin");

  auto console = p->request(http::Method::kOptions, "/v1/identity/challenges", "",
                            preflight_headers("https://console.example"));
  EXPECT_EQ(console.status, 204);
  EXPECT_EQ(header(console, "Access-Control-Allow-Origin"), "https://console.example");
  EXPECT_EQ(header(console, "Access-Control-Allow-Headers"), "Authorization,Content-Type");
  EXPECT_EQ(header(console, "Access-Control-Max-Age"), "600");
  http::Headers from_console;
  from_console.set("Origin", "https://console.example");
  auto who = p->get("/v1/identity/whoami", from_console);
  EXPECT_EQ(who.status, 401);
  EXPECT_EQ(header(who, "Access-Control-Allow-Origin"), "https://console.example");

  // Refused configurations name the key.
  for (const std::string& bad :
       {std::string("[identity]\ndhp_cors_origins = [\"https://wallet.example/app\"]\n"),
        std::string("[server]\ncors = [{origins = [\"*\"]}]\n"),
        std::string("[server]\ncors = [{prefix = \"/x\", origins = [\"*\"], credentials = "
                    "true}]\n")}) {
    std::ofstream(p->dir().file("bad.toml")) << bad;
    auto env = p->env();
    env.erase("REGISTRAR_SERVER_CORS");  // it would override the file's
    auto check =
        testing::run_registrar("--config " + p->dir().file("bad.toml") + " config check", env);
    EXPECT_NE(check.exit_code, 0) << bad << check.output;
    EXPECT_TRUE(check.output.find("identity.dhp_cors_origins") != std::string::npos ||
                check.output.find("server.cors") != std::string::npos)
        << check.output;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DhpHttpTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::identity
