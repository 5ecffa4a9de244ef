// The API document generated from the router: what each route contributes, what the base
// document contributes, and the problems reported for what neither says.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "app/openapi.h"

namespace registrar::app {
namespace {

using http::Request;
using http::Response;

Response ok(Request&) {
  return Response::text(200, "ok");
}

const char* kBase = R"(openapi: 3.0.3
info: {title: test, version: "1.0"}
paths:
  /v1/things/{id}:
    get:
      summary: A thing
      description: Long words about a thing.
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, description: The thing's ID, schema: {type: integer}}
        - {name: verbose, in: query, schema: {type: boolean}}
      responses:
        "200": {description: The thing}
        "404": {description: No such thing}
  /dhp/login:
    post:
      summary: Log in the DHP way
      responses: {"200": {description: token}}
  /v1/events:
    post:
      summary: An event
      security: [{bearer: [old]}]
      responses: {"201": {description: accepted}, "400": {description: bad}}
  /v1/gone:
    post: {summary: Removed long ago, responses: {"200": {description: ok}}}
components:
  securitySchemes:
    authz.events: {type: apiKey, in: query, name: auth}
  schemas:
    Event: {type: object}
    Receipt: {type: object}
)";

struct Generated {
  std::string text;
  YAML::Node doc;
  std::vector<std::string> problems;
};

Generated generate(const http::Router& router, const char* base = kBase) {
  Generated g;
  g.text = openapi_document(router, base, &g.problems);
  g.doc = YAML::Load(g.text);
  return g;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class OpenApiTest : public ::testing::Test {
 protected:
  OpenApiTest() {
    router.set_tag("things");
    router.get("/v1/things/{id}", ok).require_scopes({"things:read", "things:admin"});
    router.post("/challenge-api/login", ok).document_as("/dhp/login");
    router.post("/v1/events", ok)
        .authenticate_with("authz.events")
        .schemas("Event", "Receipt")
        .describe("Ingest an event", "events");
    router.put("/v1/things/{id}/{part}", ok);  // documented nowhere
    router.get("/internal", ok).doc.hidden = true;
  }
  http::Router router;
};

TEST_F(OpenApiTest, ListsEveryVisibleRouteAtItsPatternWithTheBaseDetails) {
  auto g = generate(router);
  const auto& paths = g.doc["paths"];
  ASSERT_TRUE(paths.IsMap()) << g.text;
  EXPECT_EQ(paths.size(), 4u) << g.text;
  EXPECT_FALSE(paths["/internal"]) << "hidden routes stay out";
  EXPECT_FALSE(paths["/v1/gone"]) << "base operations without a route stay out";
  EXPECT_EQ(g.doc["info"]["title"].as<std::string>(), "test");
  EXPECT_EQ(g.doc["openapi"].as<std::string>(), "3.0.3");

  auto get = paths["/v1/things/{id}"]["get"];
  ASSERT_TRUE(get.IsMap()) << g.text;
  EXPECT_EQ(get["summary"].as<std::string>(), "A thing");
  EXPECT_EQ(get["description"].as<std::string>(), "Long words about a thing.");
  EXPECT_EQ(get["operationId"].as<std::string>(), "getThing");
  EXPECT_EQ(get["tags"][0].as<std::string>(), "things");
  // Response codes stay strings when read back.
  EXPECT_NE(g.text.find("\"404\""), std::string::npos) << g.text;
  EXPECT_EQ(get["responses"]["404"]["description"].as<std::string>(), "No such thing");
}

TEST_F(OpenApiTest, SecurityComesFromTheRoute) {
  auto g = generate(router);
  auto get = g.doc["paths"]["/v1/things/{id}"]["get"];
  ASSERT_EQ(get["security"].size(), 1u) << g.text;
  // OpenAPI 3.0 allows scope lists only for OAuth2, so the bearer requirement is empty and the
  // scopes are in x-scopes.
  EXPECT_EQ(get["security"][0]["bearer"].size(), 0u);
  EXPECT_EQ(get["x-scopes"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"things:read", "things:admin"}));
  // The bearer scheme is declared although the base has none.
  EXPECT_EQ(g.doc["components"]["securitySchemes"]["bearer"]["scheme"].as<std::string>(), "bearer");

  // A named authenticator is the scheme of that name; the base's stale bearer entry is replaced.
  auto events = g.doc["paths"]["/v1/events"]["post"];
  ASSERT_EQ(events["security"].size(), 1u) << g.text;
  EXPECT_TRUE(events["security"][0]["authz.events"].IsSequence());
  EXPECT_FALSE(events["security"][0]["bearer"]);
  EXPECT_FALSE(events["x-scopes"]);
  EXPECT_EQ(g.doc["components"]["securitySchemes"]["authz.events"]["in"].as<std::string>(),
            "query");

  // A public route has no security requirement.
  EXPECT_FALSE(g.doc["paths"]["/challenge-api/login"]["post"]["security"]);
}

TEST_F(OpenApiTest, PathParametersFollowThePatternAndKeepTheBaseDescription) {
  auto g = generate(router);
  auto params = g.doc["paths"]["/v1/things/{id}"]["get"]["parameters"];
  ASSERT_EQ(params.size(), 2u) << g.text;
  EXPECT_EQ(params[0]["name"].as<std::string>(), "id");
  EXPECT_EQ(params[0]["description"].as<std::string>(), "The thing's ID");
  EXPECT_EQ(params[0]["schema"]["type"].as<std::string>(), "integer");
  EXPECT_EQ(params[1]["name"].as<std::string>(), "verbose");
  EXPECT_EQ(params[1]["in"].as<std::string>(), "query");

  auto put = g.doc["paths"]["/v1/things/{id}/{part}"]["put"];
  ASSERT_EQ(put["parameters"].size(), 2u) << g.text;
  EXPECT_EQ(put["parameters"][1]["name"].as<std::string>(), "part");
  EXPECT_EQ(put["parameters"][1]["in"].as<std::string>(), "path");
  EXPECT_TRUE(put["parameters"][1]["required"].as<bool>());
  // Nothing describes its responses, and the document says so rather than invent a 200.
  EXPECT_EQ(put["responses"]["default"]["description"].as<std::string>(), "Not described");
}

TEST_F(OpenApiTest, DocumentedAsFindsTheBaseEntryUnderAnotherPath) {
  auto g = generate(router);
  EXPECT_FALSE(g.doc["paths"]["/dhp/login"]) << g.text;
  auto login = g.doc["paths"]["/challenge-api/login"]["post"];
  ASSERT_TRUE(login.IsMap()) << g.text;
  EXPECT_EQ(login["summary"].as<std::string>(), "Log in the DHP way");
  EXPECT_EQ(login["responses"]["200"]["description"].as<std::string>(), "token");
  EXPECT_FALSE(has(g.problems, "stale: POST /dhp/login"));
}

TEST_F(OpenApiTest, RouteDocWinsAndSchemasBecomeReferences) {
  auto g = generate(router);
  auto events = g.doc["paths"]["/v1/events"]["post"];
  EXPECT_EQ(events["summary"].as<std::string>(), "Ingest an event");
  EXPECT_EQ(events["tags"][0].as<std::string>(), "events");
  EXPECT_EQ(
      events["requestBody"]["content"]["application/json"]["schema"]["$ref"].as<std::string>(),
      "#/components/schemas/Event");
  // The success response is the lowest 2xx the base documents.
  EXPECT_EQ(
      events["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].as<std::string>(),
      "#/components/schemas/Receipt");
  EXPECT_FALSE(events["responses"]["400"]["content"]);
}

TEST_F(OpenApiTest, ProblemsNameUndocumentedRoutesAndStaleEntries) {
  auto g = generate(router);
  EXPECT_EQ(g.problems, (std::vector<std::string>{"PUT /v1/things/{id}/{part}: no summary",
                                                  "stale: POST /v1/gone"}))
      << g.text;
  // The operation is still listed: a missing summary is reported, not hidden.
  EXPECT_TRUE(g.doc["paths"]["/v1/things/{id}/{part}"]["put"].IsMap());
}

TEST(OpenApi, ProblemsForUndeclaredSchemesAndSchemas) {
  http::Router router;
  router.post("/x", ok).authenticate_with("machine.signature").schemas("Nope", "").describe("X");
  router.post("/y", ok).authenticate_with("machine.signature").describe("Y");
  std::vector<std::string> problems;
  openapi_document(router, "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n", &problems);
  EXPECT_EQ(problems, (std::vector<std::string>{
                          "POST /x: security scheme machine.signature is not declared under "
                          "components/securitySchemes",
                          "POST /x: schema Nope is not declared under components/schemas"}));
}

TEST(OpenApi, StringsThatLookLikeOtherTypesStayStrings) {
  http::Router router;
  router.get("/yes", ok).describe("true");
  auto text = openapi_document(router, "info: {title: t, version: '1.0'}\n", nullptr);
  auto doc = YAML::Load(text);
  EXPECT_NE(text.find("summary: \"true\""), std::string::npos) << text;
  EXPECT_NE(text.find("version: \"1.0\""), std::string::npos) << text;
  EXPECT_EQ(doc["openapi"].as<std::string>(), "3.0.3");
}

}  // namespace
}  // namespace registrar::app
