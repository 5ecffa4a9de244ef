// The API document the real binary serves: generated from its routes as configured, complete,
// and free of the problems the generator reports at start.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <sstream>

#include "support/registrar_process.h"

namespace registrar {
namespace {

using testing::RegistrarProcess;
using Json = nlohmann::json;

// The "listening" line of the start-up log (JSON lines).
Json listening_line(const std::string& log) {
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find("\"event\":\"listening\"") != std::string::npos) return Json::parse(line);
  return Json();
}

class OpenApiDocument : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::ProcessOptions o;
    o.extra_config = "[identity]\ndhp_prefix = \"/challenge-api\"\n";
    process_ = new RegistrarProcess(o);
    auto r = process_->get("/openapi.yaml");
    ASSERT_EQ(r.status, 200) << r.body;
    text_ = new std::string(r.body);
    doc_ = new YAML::Node(YAML::Load(r.body));
  }
  static void TearDownTestSuite() {
    delete doc_;
    delete text_;
    delete process_;
  }
  // Const, so that looking up a missing path does not add it.
  static const YAML::Node paths() {
    const YAML::Node& doc = *doc_;
    return doc["paths"];
  }

  static RegistrarProcess* process_;
  static std::string* text_;
  static YAML::Node* doc_;
};
RegistrarProcess* OpenApiDocument::process_ = nullptr;
std::string* OpenApiDocument::text_ = nullptr;
YAML::Node* OpenApiDocument::doc_ = nullptr;

TEST_F(OpenApiDocument, ListsTheDhpRoutesUnderTheConfiguredPrefix) {
  ASSERT_TRUE(paths().IsMap()) << *text_;
  for (const char* p : {"/challenge-api/login", "/challenge-api/generate", "/challenge-api/verify",
                        "/challenge-api/health"})
    EXPECT_TRUE(paths()[p]) << p;
  for (const auto& kv : paths())
    EXPECT_NE(kv.first.as<std::string>().rfind("/dhp/", 0), 0u) << kv.first.as<std::string>();
  // Found under /dhp/ in the base document all the same.
  auto generate = paths()["/challenge-api/generate"]["post"];
  EXPECT_EQ(generate["x-scopes"][0].as<std::string>(), "gen_id_challenge");
  EXPECT_NE(generate["summary"].as<std::string>().find("DHP"), std::string::npos);
}

TEST_F(OpenApiDocument, EveryOperationHasASummaryAndEveryRouteAnOperation) {
  ASSERT_TRUE(paths().IsMap()) << *text_;
  size_t operations = 0;
  for (const auto& item : paths())
    for (const auto& op : item.second) {
      ++operations;
      std::string where = op.first.as<std::string>() + " " + item.first.as<std::string>();
      ASSERT_TRUE(op.second["summary"]) << where;
      EXPECT_FALSE(op.second["summary"].as<std::string>().empty()) << where;
      EXPECT_TRUE(op.second["responses"].IsMap()) << where;
    }
  // The server counts its routes apart from the generator; the hidden ones are the console's
  // files (/console, /console/{name}, /console/{name}/{file}).
  Json listening = listening_line(process_->log());
  ASSERT_TRUE(listening.contains("routes")) << process_->log();
  EXPECT_EQ(listening["hidden_routes"].get<size_t>(), 3u);
  EXPECT_EQ(operations + 3, listening["routes"].get<size_t>());
  EXPECT_FALSE(paths()["/console/{name}"]);
  // And some known routes of each part, as a check on the count itself.
  for (const char* p : {"/healthz", "/readyz", "/metrics", "/openapi.yaml", "/oauth2/token",
                        "/v1/identity/challenges", "/v1/ids/{type}/issue", "/v1/idgenerator/uin",
                        "/api/v1/eventhandler", "/api/v1/pip"})
    EXPECT_TRUE(paths()[p]) << p;
}

TEST_F(OpenApiDocument, SecurityFollowsEachRoutesAuthenticator) {
  auto events = paths()["/api/v1/eventhandler"]["post"];
  ASSERT_TRUE(events.IsMap()) << *text_;
  EXPECT_TRUE(events["security"][0]["authz.events"]);
  EXPECT_EQ((*doc_)["components"]["securitySchemes"]["authz.events"]["type"].as<std::string>(),
            "apiKey");
  auto pip = paths()["/api/v1/pip"]["post"];
  EXPECT_TRUE(pip["security"][0]["bearer"]);
  EXPECT_FALSE(paths()["/healthz"]["get"]["security"]);
  EXPECT_EQ(paths()["/v1/ids/{type}/{id}/status"]["put"]["parameters"].size(), 2u);
}

// The generator's problems (a route with no summary anywhere, a base entry no route serves, an
// undeclared scheme or schema) are logged as one `openapi_problems` warning at start; the real
// modules must have none.
TEST_F(OpenApiDocument, TheRealRoutesHaveNoProblems) {
  std::string log = process_->log();
  ASSERT_NE(log.find("\"event\":\"listening\""), std::string::npos) << log;
  EXPECT_EQ(log.find("openapi_problems"), std::string::npos) << log;
}

// The same document and check from the CLI, against the running instance's configuration and
// database (the output also holds the modules' start-up log lines, so it is searched, not parsed).
TEST_F(OpenApiDocument, TheCliVerbPrintsAndChecksTheSameDocument) {
  auto printed = process_->cli("openapi");
  EXPECT_EQ(printed.exit_code, 0) << printed.output;
  EXPECT_NE(printed.output.find("  /challenge-api/login:\n"), std::string::npos) << printed.output;
  EXPECT_EQ(printed.output.find("  /dhp/login:"), std::string::npos) << printed.output;
  auto checked = process_->cli("openapi --check");
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_NE(checked.output.find("API document OK"), std::string::npos) << checked.output;
}

}  // namespace
}  // namespace registrar
