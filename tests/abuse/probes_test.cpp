// The catalogue's judge on answers made up here: what counts as a refusal in a route's format.
#include "abuse/probes.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace registrar::testing {
namespace {

CatalogueRoute route(std::string pattern, std::string errors, size_t max_body = 1024) {
  CatalogueRoute r;
  r.method = http::Method::kPost;
  r.method_name = "POST";
  r.pattern = std::move(pattern);
  r.errors = std::move(errors);
  r.max_body_bytes = max_body;
  r.auth = "bearer";
  r.scopes = {"x:admin"};
  return r;
}

TEST(CatalogueProbes, FillsParametersAndCoversEveryKind) {
  EXPECT_EQ(fill_params("/v1/ids/{type}/validate/{id}", ""), "/v1/ids/uin/validate/1");
  EXPECT_EQ(fill_params("/a/{x}/b/{y}", ".."), "/a/../b/..");
  auto probes = probes_for(route("/v1/things/{id}", "problem+json", 64));
  std::set<ProbeKind> kinds;
  for (const auto& p : probes) kinds.insert(p.kind);
  EXPECT_EQ(kinds.size(), 4u);
  // The nested body fits the route's limit, so that the depth (not the size) is what is tried.
  for (const auto& p : probes)
    if (p.name == "deeply-nested") EXPECT_LE(p.body.size(), 64u);
  // A GET without a body limit gets no body probes, and the size probe declares one byte.
  CatalogueRoute get = route("/v1/things", "problem+json", 0);
  for (const auto& p : probes_for(get)) {
    EXPECT_NE(p.kind, ProbeKind::kBody);
    if (p.kind == ProbeKind::kSize) EXPECT_EQ(p.declared_length, 1u);
  }
}

TEST(CatalogueProbes, WrongTypesReachEveryNestedMember) {
  const nlohmann::json example = {
      {"request", {{"uin", "123"}, {"tags", {{{"k", 1}}, {{"k", 2}}}}, {"on", true}}}};
  std::map<std::string, nlohmann::json> by_where;
  for (auto& w : wrong_types(example)) by_where[w.where] = w.body;
  // Each member at each depth, the first item of an array for all of them, three other types
  // each: request, request.uin, request.tags, request.tags[0], request.tags[0].k, request.on.
  EXPECT_EQ(by_where.size(), 18u);
  ASSERT_TRUE(by_where.count("request: array"));
  EXPECT_EQ(by_where["request: array"], (nlohmann::json{{"request", nlohmann::json::array()}}));
  ASSERT_TRUE(by_where.count("request.tags[0].k: string"));
  nlohmann::json expected = example;
  expected["request"]["tags"][0]["k"] = "7";
  EXPECT_EQ(by_where["request.tags[0].k: string"], expected);
  ASSERT_TRUE(by_where.count("request.uin: object"));
  EXPECT_TRUE(by_where["request.uin: object"]["request"]["uin"].is_object());
  EXPECT_EQ(by_where["request.uin: object"]["request"]["on"], true);  // the rest as it was
  EXPECT_TRUE(by_where.count("request.on: null"));
  EXPECT_FALSE(by_where.count("request.tags[1].k: string"));
}

TEST(CatalogueProbes, JudgesStatusAndFormat) {
  const auto problem = route("/v1/things", "problem+json");
  const Probe p{ProbeKind::kBody, "x", "/v1/things", "{}", "application/json"};
  auto ok = judge(problem, p, 400, "application/problem+json", R"({"status":400})");
  EXPECT_TRUE(ok.refused && ok.format_ok);
  auto wrong_status = judge(problem, p, 400, "application/problem+json", R"({"status":422})");
  EXPECT_FALSE(wrong_status.format_ok);
  auto plain = judge(problem, p, 400, "application/json", R"({"status":400})");
  EXPECT_FALSE(plain.format_ok);
  EXPECT_FALSE(judge(problem, p, 500, "application/problem+json", R"({"status":500})").refused);
  EXPECT_FALSE(judge(problem, p, 201, "application/json", "{}").refused);
  // MOSIP's own errors come with 200; a 200 without errors is an acceptance.
  const auto mosip = route("/v1/idgenerator/uin", "mosip");
  EXPECT_TRUE(judge(mosip, p, 200, "application/json",
                    R"({"errors":[{"errorCode":"KER-UIG-005","message":"m"}],"response":null})")
                  .refused);
  EXPECT_FALSE(
      judge(mosip, p, 200, "application/json", R"({"errors":null,"response":{}})").refused);
  EXPECT_FALSE(judge(mosip, p, 401, "application/json", R"({"status":401})").format_ok);
  // OAuth2's error object under /oauth2/, DCI's ERR ack, intercoop's YAML.
  EXPECT_TRUE(judge(route("/oauth2/token", "problem+json"), p, 400, "application/json",
                    R"({"error":"invalid_request"})")
                  .format_ok);
  EXPECT_TRUE(judge(route("/registry/search", "dci-ack"), p, 401, "application/json",
                    R"({"message":{"ack_status":"ERR","error":{"code":"c","message":"m"}}})")
                  .format_ok);
  EXPECT_FALSE(judge(route("/registry/search", "dci-ack"), p, 401, "application/json",
                     R"({"message":{"ack_status":"ACK"}})")
                   .format_ok);
  EXPECT_TRUE(judge(route("/intercoop/x", "intercoop-yaml"), p, 400, "application/yaml",
                    "error: BadMessage\nmessage: m\n")
                  .format_ok);
  EXPECT_FALSE(judge(route("/intercoop/x", "intercoop-yaml"), p, 400, "application/problem+json",
                     R"({"status":400})")
                   .format_ok);
}

}  // namespace
}  // namespace registrar::testing
