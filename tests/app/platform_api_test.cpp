// The platform's API for operators and the console, over real HTTP against the real binary on
// each backend: the console's public client (password grant only), /v1/platform/info, the audit
// log paged and filtered on the server, and the console's files with their security headers.
#include <gtest/gtest.h>

#include <fstream>

#include "app/console_routes.h"
#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar::app {
namespace {

using Json = nlohmann::json;
using testing::bearer;
using testing::RegistrarProcess;

class PlatformApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  PlatformApiTest() : db_(GetParam()), p_(options()) {
    add_user("alice", "ids:issue --scope audit:read");
    add_user("bob", "ids:validate");
  }
  testing::ProcessOptions options() {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    o.extra_config = "[identity]\npublic_clients = [\"console\"]\n";
    return o;
  }
  void add_user(const std::string& name, const std::string& scopes) {
    std::string file = p_.dir().file(name + ".password");
    std::ofstream(file) << name << "-secret-1\n";
    auto r = p_.cli("users add " + name + " --scope " + scopes + " --password-file " + file);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  http::Response grant(const std::string& form) {
    return p_.post("/oauth2/token", form, "application/x-www-form-urlencoded");
  }
  std::string token(const std::string& user) {
    auto r = grant("grant_type=password&client_id=console&username=" + user + "&password=" + user +
                   "-secret-1");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Json::parse(r.body)["access_token"].get<std::string>() : "";
  }
  Json events(const std::string& query, const std::string& user = "alice") {
    auto r = p_.get("/v1/audit/events" + query, bearer(token(user)));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Json::parse(r.body) : Json();
  }

  testing::TestDatabase db_;
  RegistrarProcess p_;
};

TEST_P(PlatformApiTest, ThePublicClientGetsOnlyThePasswordGrant) {
  auto ok = grant("grant_type=password&client_id=console&username=alice&password=alice-secret-1");
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto who = p_.get("/v1/identity/whoami",
                    bearer(Json::parse(ok.body)["access_token"].get<std::string>()));
  ASSERT_EQ(who.status, 200);
  EXPECT_EQ(Json::parse(who.body)["client_id"], "console");
  EXPECT_EQ(Json::parse(who.body)["subject"], "alice");

  auto cc = grant("grant_type=client_credentials&client_id=console");
  EXPECT_EQ(cc.status, 400);
  EXPECT_EQ(Json::parse(cc.body)["error"], "unauthorized_client");
  // Only the configured ids are public: another id still needs its secret.
  auto other = grant("grant_type=password&client_id=web&username=alice&password=alice-secret-1");
  EXPECT_EQ(other.status, 401);
  EXPECT_EQ(Json::parse(other.body)["error"], "invalid_client");
  auto wrong = grant("grant_type=password&client_id=console&username=alice&password=nope");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(Json::parse(wrong.body)["error"], "invalid_grant");
}

TEST_P(PlatformApiTest, InfoNamesTheModulesAndTheRoutesTheCallersScopesAllow) {
  EXPECT_EQ(p_.get("/v1/platform/info").status, 401);
  auto r = p_.get("/v1/platform/info", bearer(token("alice")));
  ASSERT_EQ(r.status, 200) << r.body;
  Json info = Json::parse(r.body);
  EXPECT_FALSE(info["version"].get<std::string>().empty());
  auto has = [](const Json& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  EXPECT_TRUE(has(info["modules"], "identity"));
  EXPECT_TRUE(has(info["modules"], "ids"));
  EXPECT_EQ(info["subject"], "alice");
  EXPECT_TRUE(has(info["allowed"], "POST /v1/ids/{type}/issue"));
  EXPECT_TRUE(has(info["allowed"], "GET /v1/audit/events"));
  EXPECT_FALSE(has(info["allowed"], "GET /v1/ids/{type}/capacity"));  // ids:admin
  EXPECT_FALSE(has(info["allowed"], "GET /v1/ids/{type}/validate/{id}"));

  Json bob = Json::parse(p_.get("/v1/platform/info", bearer(token("bob"))).body);
  EXPECT_TRUE(has(bob["allowed"], "GET /v1/ids/{type}/validate/{id}"));
  EXPECT_FALSE(has(bob["allowed"], "GET /v1/audit/events"));
}

TEST_P(PlatformApiTest, TheAuditLogIsPagedAndFilteredOnTheServer) {
  for (const char* name : {"carol", "dave", "erin"}) add_user(name, "ids:validate");
  // Every page holds ids below the previous page's, newest first, until next_before is null.
  std::vector<long long> ids;
  std::string query = "?limit=2";
  for (int page = 0; page < 100; ++page) {
    Json p = events(query);
    ASSERT_LE(p["events"].size(), 2u);
    for (auto& e : p["events"]) ids.push_back(e["id"].get<long long>());
    if (p["next_before"].is_null()) break;
    EXPECT_EQ(p["next_before"], p["events"].back()["id"]);
    query = "?limit=2&before=" + std::to_string(p["next_before"].get<long long>());
  }
  ASSERT_GE(ids.size(), 5u);  // five users at least, and the keys made at the first start
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i], ids[i - 1]);
  EXPECT_EQ(events("?limit=500")["events"].size(), ids.size());

  Json users = events("?action=identity.user");
  ASSERT_EQ(users["events"].size(), 5u);
  for (auto& e : users["events"]) EXPECT_EQ(e["action"], "identity.user.add");
  EXPECT_EQ(users["events"][0]["subject"], "user:erin");
  EXPECT_EQ(events("?action=identity.user.add&subject=user:dave")["events"].size(), 1u);
  // An action filter matches whole dot-separated parts, and wildcards are literal.
  EXPECT_EQ(events("?action=identity.us")["events"].size(), 0u);
  EXPECT_EQ(events("?action=identity.user.%25")["events"].size(), 0u);
  EXPECT_EQ(events("?action=identity_user")["events"].size(), 0u);
  EXPECT_EQ(events("?actor=nobody")["events"].size(), 0u);

  std::string t = token("alice");
  for (const char* bad : {"?limit=0", "?limit=501", "?limit=x", "?before=0", "?before=1e3"}) {
    auto r = p_.get(std::string("/v1/audit/events") + bad, bearer(t));
    EXPECT_EQ(r.status, 400) << bad;
    std::string field = std::string(bad).substr(1, std::string(bad).find('=') - 1);
    EXPECT_EQ(Json::parse(r.body)["field"], field) << bad;
  }
  EXPECT_EQ(p_.get("/v1/audit/events?subject=" + std::string(300, 'x'), bearer(t)).status, 400);
  EXPECT_EQ(p_.get("/v1/audit/events", bearer(token("bob"))).status, 403);
  EXPECT_EQ(p_.get("/v1/audit/events").status, 401);
}

TEST_P(PlatformApiTest, ConsoleFilesAreServedWithAStrictPolicy) {
  auto page = p_.get("/console/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.headers.get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("/console/app.js"), std::string::npos);
  std::string csp(page.headers.get("Content-Security-Policy").value_or(""));
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(page.headers.get("X-Frame-Options").value_or(""), "DENY");

  auto script = p_.get("/console/pages/ids.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.headers.get("Content-Type").value_or(""), "text/javascript; charset=utf-8");
  http::Headers cached;
  cached.set("If-None-Match", std::string(script.headers.get("ETag").value_or("")));
  auto again = p_.get("/console/pages/ids.js", cached);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  auto missing = p_.get("/console/none.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_FALSE(missing.headers.get("Content-Security-Policy").value_or("").empty());
  EXPECT_EQ(p_.get("/console/../openapi.yaml").status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, PlatformApiTest, ::testing::ValuesIn(testing::test_backends()));

TEST(ConsoleRoutes, ServesOnlyTheFileTypesTheConsoleUses) {
  EXPECT_EQ(console_content_type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(console_content_type("i18n/es.json"), "application/json");
  EXPECT_EQ(console_content_type("pages/ids.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(console_content_type("console.css"), "text/css; charset=utf-8");
  EXPECT_EQ(console_content_type("notes.txt"), "");
  EXPECT_EQ(console_content_type(".js"), "");
  EXPECT_EQ(console_content_type("package.json.bak"), "");
}

TEST(ConsoleRoutes, CanBeTurnedOff) {
  testing::ProcessOptions o;
  o.env["REGISTRAR_SERVER_CONSOLE"] = "false";
  RegistrarProcess p(o);
  EXPECT_EQ(p.get("/console/").status, 404);
  EXPECT_EQ(p.get("/healthz").status, 200);
}

}  // namespace
}  // namespace registrar::app
