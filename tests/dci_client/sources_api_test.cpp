// The data-source admin API over real HTTP with the real binary, on SQLite and PostgreSQL:
// create, list, get, replace, state, activate / deactivate, delete, with bearer scope dci:admin
// and problem+json errors naming the field; a secret goes in and never comes out (nor into the
// row in plaintext). And `registrar dci sources add|list`, which seals secrets as the API does (the
// verb starts identity for its master key).
#include <gtest/gtest.h>

#include <memory>

#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

constexpr const char* kSecret = "cl1ent-s3cret-VALUE";
constexpr const char* kBearer = "b3arer-t0ken-VALUE";

class SourcesApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  SourcesApiTest() : db_(GetParam()) {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    p_ = std::make_unique<testing::RegistrarProcess>(o);
    admin_ = token("dci:admin");
  }

  std::string token(const std::string& scope) {
    return testing::issue_token(p_->env(), "ops", "--scope " + scope);
  }
  http::Response call(http::Method m, const std::string& path, const Json& body = nullptr,
                      const std::string& bearer = "") {
    http::Headers h;
    h.set("Authorization", "Bearer " + (bearer.empty() ? admin_ : bearer));
    if (!body.is_null()) h.set("Content-Type", "application/json");
    return p_->request(m, path, body.is_null() ? "" : body.dump(), h);
  }
  static Json source() {
    return {{"code", "ibr_national"},
            {"name", "National IBR"},
            {"registry_type", "IBR"},
            {"base_url", "https://ibr.example.org/api"},
            {"auth_type", "oauth2"},
            {"oauth2_token_url", "https://ibr.example.org/oauth2/client/token"},
            {"oauth2_client_id", "sp"},
            {"oauth2_client_secret", kSecret},
            {"bearer_token", kBearer},
            {"our_sender_id", "sp.example"},
            {"timeout", 10}};
  }
  // No response of the API may carry a secret.
  static void no_secret(const http::Response& r) {
    EXPECT_EQ(r.body.find(kSecret), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find(kBearer), std::string::npos) << r.body;
  }
  static void expect_problem(const http::Response& r, int status, const std::string& field,
                             const std::string& word) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "application/problem+json");
    Json p = Json::parse(r.body);
    EXPECT_EQ(p["status"], status);
    EXPECT_EQ(p["field"], field) << r.body;
    EXPECT_NE(p["detail"].get<std::string>().find(word), std::string::npos) << r.body;
  }

  testing::TestDatabase db_;
  std::unique_ptr<testing::RegistrarProcess> p_;
  std::string admin_;
};

TEST_P(SourcesApiTest, TheLifeOfASourceAndItsSecretNeverComesOut) {
  auto r = call(http::Method::kPost, "/v1/dci/sources", source());
  ASSERT_EQ(r.status, 201) << r.body;
  no_secret(r);
  Json made = Json::parse(r.body);
  EXPECT_EQ(made["registry_type"], "ibr");
  EXPECT_EQ(made["reg_type"], "ns:org:RegistryType:IBR");
  EXPECT_EQ(made["oauth2_client_secret_set"], true);
  EXPECT_EQ(made["bearer_token_set"], true);
  EXPECT_EQ(made["state"], "draft");
  EXPECT_EQ(made["sync_search_endpoint"], "/registry/sync/search");

  // Our key for the source's sender id is published at once, for the registry to fetch.
  r = p_->get("/.well-known/jwks.json");
  ASSERT_EQ(r.status, 200);
  Json jwks = Json::parse(r.body);
  bool published = false;
  for (const auto& k : jwks["keys"])
    if (k["kid"] == "sp.example|dci-client-1|ed25519") published = k["alg"] == "EdDSA";
  EXPECT_TRUE(published) << r.body;

  r = call(http::Method::kGet, "/v1/dci/sources");
  ASSERT_EQ(r.status, 200);
  no_secret(r);
  EXPECT_EQ(Json::parse(r.body)["sources"].size(), 1u);
  r = call(http::Method::kGet, "/v1/dci/sources/ibr_national");
  ASSERT_EQ(r.status, 200);
  no_secret(r);
  EXPECT_EQ(Json::parse(r.body)["oauth2_client_id"], "sp");

  // The row holds them sealed, never in plaintext.
  {
    store::Database db(db_.options(1));
    std::string row = db.read([](soci::session& s) {
      std::string a, b;
      s << "SELECT oauth2_client_secret_sealed, bearer_token_sealed FROM dci_client_sources",
          soci::into(a), soci::into(b);
      return a + "|" + b;
    });
    EXPECT_EQ(row.find(kSecret), std::string::npos) << row;
    EXPECT_EQ(row.find(kBearer), std::string::npos) << row;
    EXPECT_EQ(row.rfind("v1.", 0), 0u) << row;
  }

  // A replacement that leaves the secrets out keeps them.
  Json next = source();
  next.erase("oauth2_client_secret");
  next.erase("bearer_token");
  next["name"] = "Renamed";
  r = call(http::Method::kPut, "/v1/dci/sources/ibr_national", next);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["name"], "Renamed");
  EXPECT_EQ(Json::parse(r.body)["oauth2_client_secret_set"], true);
  next["code"] = "other";
  expect_problem(call(http::Method::kPut, "/v1/dci/sources/ibr_national", next), 400, "code",
                 "cannot change");

  r = call(http::Method::kPost, "/v1/dci/sources/ibr_national/state", {{"state", "testing"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["state"], "testing");
  expect_problem(
      call(http::Method::kPost, "/v1/dci/sources/ibr_national/state", {{"state", "sleeping"}}), 400,
      "state", "draft");
  r = call(http::Method::kPost, "/v1/dci/sources/ibr_national/deactivate", Json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["active"], false);
  no_secret(r);
  r = call(http::Method::kPost, "/v1/dci/sources/ibr_national/activate", Json::object());
  EXPECT_EQ(Json::parse(r.body)["active"], true);

  EXPECT_EQ(call(http::Method::kDelete, "/v1/dci/sources/ibr_national").status, 204);
  EXPECT_EQ(call(http::Method::kGet, "/v1/dci/sources/ibr_national").status, 404);
  EXPECT_EQ(call(http::Method::kDelete, "/v1/dci/sources/ibr_national").status, 404);
}

TEST_P(SourcesApiTest, RefusalsAreProblemsNamingTheField) {
  ASSERT_EQ(call(http::Method::kPost, "/v1/dci/sources", source()).status, 201);
  expect_problem(call(http::Method::kPost, "/v1/dci/sources", source()), 409, "code", "unique");
  Json bad = source();
  bad["code"] = "Upper";
  expect_problem(call(http::Method::kPost, "/v1/dci/sources", bad), 400, "code", "lowercase");
  bad = source();
  bad["base_url"] = "https://ibr.example.org/";
  expect_problem(call(http::Method::kPost, "/v1/dci/sources", bad), 400, "base_url", "slash");
  bad = source();
  bad.erase("oauth2_client_secret");
  bad["code"] = "no_secret";
  expect_problem(call(http::Method::kPost, "/v1/dci/sources", bad), 400, "oauth2_client_secret",
                 "Client Secret");
  bad = source();
  bad["timeout"] = 0;
  bad["code"] = "zero";
  expect_problem(call(http::Method::kPost, "/v1/dci/sources", bad), 400, "timeout", "positive");
  // Scope: none, or another one.
  http::Headers none;
  EXPECT_EQ(p_->request(http::Method::kGet, "/v1/dci/sources", "", none).status, 401);
  EXPECT_EQ(call(http::Method::kGet, "/v1/dci/sources", nullptr, token("ibr:admin")).status, 403);
}

TEST_P(SourcesApiTest, TheCliAddsAndListsAndSealsSecrets) {
  auto r = p_->cli(
      "dci sources add cli_src --name 'From CLI' --base-url http://127.0.0.1:9/api --auth none "
      "--registry-type ns:org:RegistryType:Civil --timeout 5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("cli_src"), std::string::npos) << r.output;
  r = p_->cli(
      "dci sources add with_secret --name S --base-url https://ibr.example.org --auth bearer "
      "--sender-id sp --bearer-token " +
      std::string(kBearer));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find(kBearer), std::string::npos) << r.output;
  {
    store::Database db(db_.options(1));
    std::string sealed = db.read([](soci::session& s) {
      std::string b;
      s << "SELECT bearer_token_sealed FROM dci_client_sources WHERE code = 'with_secret'",
          soci::into(b);
      return b;
    });
    EXPECT_EQ(sealed.find(kBearer), std::string::npos) << sealed;
    EXPECT_EQ(sealed.rfind("v1.", 0), 0u) << sealed;
  }
  ASSERT_EQ(call(http::Method::kPost, "/v1/dci/sources", source()).status, 201);

  r = p_->cli("dci sources list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("cli_src"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("type=crvs"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ibr_national"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("client_secret_set=yes"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bearer_token_set=yes"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(kBearer), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(kSecret), std::string::npos) << r.output;
  // The API sees what the CLI added.
  auto got = call(http::Method::kGet, "/v1/dci/sources/cli_src");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Json::parse(got.body)["timeout"], 5.0);
}

INSTANTIATE_TEST_SUITE_P(Backends, SourcesApiTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::dci_client
