// The identity admin routes of the console's keys, clients and users page over real HTTP against
// the real binary on each backend: keys listed with their state and rotated, clients added (the
// secret shown once, and it works), users added (they sign in; disabled, they cannot), the lists
// paged and filtered on the server, the changes audited with actor and request id, problems
// naming the field, and the admin scope required.
#include <gtest/gtest.h>

#include <fstream>

#include "core/base64.h"
#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar::identity {
namespace {

using Json = nlohmann::json;
using testing::bearer;
using testing::RegistrarProcess;

class AdminApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  AdminApiTest() : db_(GetParam()), p_(options()) {
    add_client("admin", "--scope identity:admin --scope audit:read");
    add_client("reader", "--scope audit:read");
    admin_ = token("admin");
  }
  testing::ProcessOptions options() {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    o.extra_config = "[identity]\npublic_clients = [\"console\"]\n";
    return o;
  }
  void add_client(const std::string& id, const std::string& scopes) {
    std::string file = p_.dir().file(id + ".secret");
    auto r = p_.cli("clients add " + id + " " + scopes + " --secret-file " + file);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::ifstream in(file);
    std::getline(in, secrets_[id]);
  }
  http::Response client_grant(const std::string& id, const std::string& secret) {
    http::Headers h;
    h.set("Authorization", "Basic " + core::base64_encode(id + ":" + secret));
    return p_.post("/oauth2/token", "grant_type=client_credentials",
                   "application/x-www-form-urlencoded", h);
  }
  std::string token(const std::string& client) {
    auto r = client_grant(client, secrets_[client]);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Json::parse(r.body)["access_token"].get<std::string>() : "";
  }
  http::Response sign_in(const std::string& user, const std::string& password) {
    return p_.post(
        "/oauth2/token",
        "grant_type=password&client_id=console&username=" + user + "&password=" + password,
        "application/x-www-form-urlencoded");
  }
  http::Response get(const std::string& path, const std::string& token = "") {
    return p_.get(path, bearer(token.empty() ? admin_ : token));
  }
  http::Response post(const std::string& path, const Json& body, const std::string& token = "",
                      const std::string& request_id = "") {
    http::Headers h = bearer(token.empty() ? admin_ : token);
    if (!request_id.empty()) h.set("X-Request-Id", request_id);
    return p_.post(path, body.is_null() ? "" : body.dump(), "application/json", h);
  }
  Json ok(const http::Response& r, int status = 200) {
    EXPECT_EQ(r.status, status) << r.body;
    return r.status == status ? Json::parse(r.body) : Json();
  }
  static Json problem(const http::Response& r, int status, const std::string& field) {
    EXPECT_EQ(r.status, status) << r.body;
    Json p = r.body.empty() ? Json::object() : Json::parse(r.body);
    EXPECT_EQ(p.value("field", ""), field) << r.body;
    return p;
  }
  // The newest audit event with this action.
  Json audited(const std::string& action) {
    Json e = ok(get("/v1/audit/events?limit=1&action=" + action));
    EXPECT_EQ(e["events"].size(), 1u) << e;
    return e["events"].empty() ? Json() : e["events"][0];
  }

  testing::TestDatabase db_;
  RegistrarProcess p_;
  std::map<std::string, std::string> secrets_;
  std::string admin_;
};

TEST_P(AdminApiTest, KeysAreListedWithTheirStateAndRotated) {
  Json keys = ok(get("/v1/identity/keys"))["keys"];
  ASSERT_EQ(keys.size(), 1u) << keys;
  std::string first = keys[0]["kid"];
  EXPECT_EQ(keys[0]["state"], "active");
  EXPECT_EQ(keys[0]["alg"], "EdDSA");
  EXPECT_TRUE(keys[0]["retire_at"].is_null());

  Json rotated = ok(post("/v1/identity/keys/rotate", Json{{"alg", "ES256"}}, "", "rot-1"), 201);
  std::string next = rotated["key"]["kid"];
  EXPECT_EQ(rotated["key"]["state"], "pending");
  EXPECT_EQ(rotated["key"]["alg"], "ES256");

  keys = ok(get("/v1/identity/keys"))["keys"];
  ASSERT_EQ(keys.size(), 2u) << keys;
  for (const auto& k : keys) {
    if (k["kid"] == first) {
      EXPECT_EQ(k["state"], "active");  // until the new key activates
      EXPECT_EQ(k["retire_at"], rotated["key"]["activate_at"]);
    } else {
      EXPECT_EQ(k["kid"], next);
      EXPECT_EQ(k["state"], "pending");
    }
  }
  // The new key is published at once.
  Json jwks = ok(p_.get("/.well-known/jwks.json"));
  bool published = false;
  for (const auto& k : jwks["keys"]) published = published || k["kid"] == next;
  EXPECT_TRUE(published) << jwks;

  Json created = audited("identity.key.rotate");
  EXPECT_EQ(created["actor"], "admin");
  EXPECT_EQ(created["subject"], "key:" + next);
  EXPECT_EQ(audited("identity.key.retire")["subject"], "key:" + first);

  problem(post("/v1/identity/keys/rotate", Json{{"alg", "HS256"}}), 400, "alg");
  problem(post("/v1/identity/keys/rotate", Json::array()), 400, "body");
}

TEST_P(AdminApiTest, AClientIsAddedWithItsSecretShownOnce) {
  auto r =
      post("/v1/identity/clients",
           Json{{"client_id", "app-1"}, {"scopes", {"read", "write"}}, {"description", "An app"}},
           "", "req-add-1");
  Json added = ok(r, 201);
  EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");
  EXPECT_EQ(added["client_id"], "app-1");
  EXPECT_EQ(added["scopes"], (Json{"read", "write"}));
  std::string secret = added["client_secret"];
  EXPECT_GE(secret.size(), 16u);

  // The secret works; the list shows the client without it.
  auto grant = client_grant("app-1", secret);
  ASSERT_EQ(grant.status, 200) << grant.body;
  EXPECT_EQ(Json::parse(grant.body)["scope"], "read write");
  Json list = ok(get("/v1/identity/clients?prefix=app"));
  ASSERT_EQ(list["clients"].size(), 1u) << list;
  EXPECT_EQ(list["clients"][0]["client_id"], "app-1");
  EXPECT_EQ(list["clients"][0]["description"], "An app");
  EXPECT_EQ(list["clients"][0]["disabled"], false);
  EXPECT_EQ(list.dump().find(secret), std::string::npos);

  Json event = audited("identity.client.add");
  EXPECT_EQ(event["actor"], "admin");
  EXPECT_EQ(event["subject"], "client:app-1");
  EXPECT_EQ(event["request_id"], "req-add-1");
  EXPECT_EQ(event.dump().find(secret), std::string::npos);

  ok(post("/v1/identity/clients/app-1/disable", Json::object()));
  list = ok(get("/v1/identity/clients?prefix=app"));
  EXPECT_EQ(list["clients"][0]["disabled"], true);

  problem(post("/v1/identity/clients", Json{{"client_id", "app-1"}}), 409, "client_id");
  problem(post("/v1/identity/clients", Json{{"client_id", "bad id"}}), 400, "client_id");
  problem(post("/v1/identity/clients", Json{{"scopes", {"read"}}}), 400, "client_id");
  problem(post("/v1/identity/clients", Json{{"client_id", "app-2"}, {"scopes", "read"}}), 400,
          "scopes");
  problem(post("/v1/identity/clients", Json{{"client_id", "app-2"}, {"scopes", {"a b"}}}), 400,
          "scopes");
}

TEST_P(AdminApiTest, AUserIsAddedSignsInAndIsRefusedOnceDisabled) {
  Json added = ok(
      post("/v1/identity/users",
           Json{{"username", "carol"}, {"password", "carol-pass-1"}, {"scopes", {"ids:validate"}}},
           "", "req-user-1"),
      201);
  EXPECT_EQ(added, (Json{{"username", "carol"}, {"scopes", {"ids:validate"}}}));
  auto in = sign_in("carol", "carol-pass-1");
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(Json::parse(in.body)["scope"], "ids:validate");
  EXPECT_EQ(audited("identity.user.add")["request_id"], "req-user-1");

  Json users = ok(get("/v1/identity/users"))["users"];
  ASSERT_EQ(users.size(), 1u) << users;
  EXPECT_EQ(users[0]["username"], "carol");
  EXPECT_EQ(users[0]["scopes"], (Json{"ids:validate"}));
  EXPECT_EQ(users[0].dump().find("carol-pass-1"), std::string::npos);

  ok(post("/v1/identity/users/carol/disable", Json::object()));
  EXPECT_EQ(sign_in("carol", "carol-pass-1").status, 400);
  EXPECT_EQ(ok(get("/v1/identity/users"))["users"][0]["disabled"], true);
  ok(post("/v1/identity/users/carol/enable", Json::object()));
  EXPECT_EQ(sign_in("carol", "carol-pass-1").status, 200);

  problem(post("/v1/identity/users", Json{{"username", "dave"}, {"password", "short"}}), 400,
          "password");
  problem(post("/v1/identity/users", Json{{"username", "dave"}}), 400, "password");
  problem(post("/v1/identity/users", Json{{"username", "carol"}, {"password", "carol-pass-2"}}),
          409, "username");
}

TEST_P(AdminApiTest, ListsArePagedAndFilteredOnTheServer) {
  for (const char* id : {"svc-a", "svc-b", "svc-c", "tool_1"})
    ok(post("/v1/identity/clients", Json{{"client_id", id}}), 201);
  Json page = ok(get("/v1/identity/clients?prefix=svc-&limit=2"));
  ASSERT_EQ(page["clients"].size(), 2u) << page;
  EXPECT_EQ(page["clients"][0]["client_id"], "svc-a");
  EXPECT_EQ(page["clients"][1]["client_id"], "svc-b");
  EXPECT_EQ(page["next_after"], "svc-b");
  page = ok(get("/v1/identity/clients?prefix=svc-&limit=2&after=svc-b"));
  ASSERT_EQ(page["clients"].size(), 1u) << page;
  EXPECT_EQ(page["clients"][0]["client_id"], "svc-c");
  EXPECT_TRUE(page["next_after"].is_null());
  // '_' is an id character, not a wildcard; the prefix is case-sensitive on every backend.
  EXPECT_EQ(ok(get("/v1/identity/clients?prefix=tool_"))["clients"].size(), 1u);
  EXPECT_EQ(ok(get("/v1/identity/clients?prefix=toolx"))["clients"].size(), 0u);
  EXPECT_EQ(ok(get("/v1/identity/clients?prefix=SVC"))["clients"].size(), 0u);
  // admin, reader, svc-a..c, tool_1.
  EXPECT_EQ(ok(get("/v1/identity/clients"))["clients"].size(), 6u);
  problem(get("/v1/identity/clients?limit=0"), 400, "limit");
  problem(get("/v1/identity/users?limit=501"), 400, "limit");
}

TEST_P(AdminApiTest, EveryRouteNeedsTheAdminScope) {
  std::string reader = token("reader");
  EXPECT_EQ(get("/v1/identity/keys", reader).status, 403);
  EXPECT_EQ(get("/v1/identity/clients", reader).status, 403);
  EXPECT_EQ(get("/v1/identity/users", reader).status, 403);
  EXPECT_EQ(post("/v1/identity/keys/rotate", Json::object(), reader).status, 403);
  EXPECT_EQ(post("/v1/identity/clients", Json{{"client_id", "x-1"}}, reader).status, 403);
  EXPECT_EQ(
      post("/v1/identity/users", Json{{"username", "x"}, {"password", "x-pass-12"}}, reader).status,
      403);
  EXPECT_EQ(p_.get("/v1/identity/keys").status, 401);
  // Nothing was created.
  EXPECT_EQ(ok(get("/v1/identity/keys"))["keys"].size(), 1u);
  EXPECT_EQ(ok(get("/v1/identity/users"))["users"].size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, AdminApiTest, ::testing::ValuesIn(testing::test_backends()));

}  // namespace
}  // namespace registrar::identity
