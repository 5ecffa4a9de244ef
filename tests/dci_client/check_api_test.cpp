// The /v1/dci/checks routes and `registrar dci checks` on the real binary: scopes, the viewers'
// view without identifier values or raw responses, problem+json errors.
#include <gtest/gtest.h>

#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

class CheckApi : public ::testing::TestWithParam<std::string> {
 protected:
  CheckApi() : db_(GetParam()) {
    env_["REGISTRAR_IDENTITY_MASTER_KEY_FILE"] = keys_.file("master.key");
    env_["REGISTRAR_IDENTITY_PASSWORD_HASH_COST"] = "minimal";
    testing::ProcessOptions o;
    o.database_url = db_.url();
    o.env = env_;
    p_ = std::make_unique<testing::RegistrarProcess>(o);
    viewer_ = token("viewer", "--scope dci:checks.read");
    officer_ = token("officer", "--scope dci:checks.read --scope dci:checks.run");
    manager_ = token("manager", "--scope dci:checks.read --scope dci:checks.delete");
  }
  std::string token(const std::string& client, const std::string& scopes) {
    return testing::issue_token(p_->env(), client, scopes);
  }
  http::Response call(http::Method m, const std::string& path, const std::string& token,
                      const Json& body = nullptr) {
    http::Headers h;
    h.set("Authorization", "Bearer " + token);
    if (!body.is_null()) h.set("Content-Type", "application/json");
    return p_->request(m, path, body.is_null() ? "" : body.dump(), h);
  }
  static Json json(const http::Response& r) { return Json::parse(r.body); }

  testing::TestDatabase db_;
  testing::TempDir keys_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<testing::RegistrarProcess> p_;
  std::string viewer_, officer_, manager_;
};

TEST_P(CheckApi, CreateReadRetryDeleteWithScopes) {
  Json registrant = {{"reference", "R-1"},
                     {"identifiers", {{{"type", "NID"}, {"value", "SECRET-1"}}}},
                     {"given_name", "Amina"},
                     {"family_name", "Otieno"}};
  // Viewers cannot create.
  auto denied = call(http::Method::kPost, "/v1/dci/checks", viewer_,
                     {{"source", "ibr_main"}, {"registrant", registrant}});
  EXPECT_EQ(denied.status, 403) << denied.body;
  auto created = call(http::Method::kPost, "/v1/dci/checks", officer_,
                      {{"source", "ibr_main"}, {"registrant", registrant}});
  ASSERT_EQ(created.status, 201) << created.body;
  Json check = json(created)["items"][0];
  std::string id = check["id"];
  EXPECT_EQ(check["state"], "ready");
  EXPECT_EQ(check["registrant"]["identifiers"][0]["value"], "SECRET-1");

  // A blank identifier type: OpenSPP's message, as problem+json.
  auto bad = call(http::Method::kPost, "/v1/dci/checks", officer_,
                  {{"source", "ibr_main"},
                   {"registrant", {{"identifiers", {{{"type", " "}, {"value", "v"}}}}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(
      std::string(bad.headers.get("Content-Type").value_or("")).find("application/problem+json"),
      std::string::npos);
  EXPECT_NE(bad.body.find("Identifier type cannot be empty."), std::string::npos) << bad.body;

  // The viewer's view: no identifier values, no raw response.
  auto list = call(http::Method::kGet, "/v1/dci/checks", viewer_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find("SECRET-1"), std::string::npos);
  Json items = json(list)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["registrant"]["identifiers"][0], (Json{{"type", "NID"}}));
  EXPECT_FALSE(items[0].contains("raw_response"));
  auto one = call(http::Method::kGet, "/v1/dci/checks/" + id, officer_);
  ASSERT_EQ(one.status, 200);
  EXPECT_NE(one.body.find("SECRET-1"), std::string::npos);
  EXPECT_TRUE(json(one).contains("raw_response"));
  EXPECT_EQ(call(http::Method::kGet, "/v1/dci/checks?state=bogus", viewer_).status, 400);

  auto retried = call(http::Method::kPost, "/v1/dci/checks/" + id + "/retry", officer_);
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(json(retried)["state"], "ready");

  EXPECT_EQ(call(http::Method::kDelete, "/v1/dci/checks/" + id, officer_).status, 403);
  EXPECT_EQ(call(http::Method::kDelete, "/v1/dci/checks/" + id, manager_).status, 204);
  auto gone = call(http::Method::kGet, "/v1/dci/checks/" + id, viewer_);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(call(http::Method::kGet, "/v1/dci/checks", "not-a-token").status, 401);
}

// `run` and `mode` are read before the checks are stored: a request refused for them leaves
// nothing behind (a `run` that was not true or false used to answer 400 after creating the
// checks, and a wrong `mode` without `run` was ignored).
TEST_P(CheckApi, ARefusedCreateStoresNoCheck) {
  const Json registrant = {{"reference", "R-9"}, {"given_name", "Ana"}};
  for (const Json& bad :
       {Json{{"run", "yes"}}, Json{{"run", true}, {"mode", 5}}, Json{{"mode", "later"}},
        Json{{"run", false}, {"mode", Json::object()}}}) {
    Json body = {{"source", "ibr_main"}, {"registrant", registrant}};
    body.update(bad);
    auto r = call(http::Method::kPost, "/v1/dci/checks", officer_, body);
    ASSERT_EQ(r.status, 400) << body.dump() << " " << r.body;
    EXPECT_EQ(json(r)["field"], bad.contains("mode") ? "mode" : "run") << r.body;
  }
  // A registrant's members of the wrong type: refused naming the field from the body's top.
  const Json id = {{"type", "NID"}, {"value", "4931839201"}};
  for (const auto& [body, field] : std::vector<std::pair<Json, std::string>>{
           {{{"registrant", {{"given_name", 7}}}}, "registrant.given_name"},
           {{{"registrant", {{"identifiers", {id, {{"type", "NID"}, {"value", 4931839201.0}}}}}}},
            "registrant.identifiers[1].value"},
           {{{"registrants", {registrant, {{"reference", "R-10"}, {"family_name", 1}}}}},
            "registrants[1].family_name"},
           {{{"registrants", {registrant, {{"identifier_type", 7}, {"identifier_value", "1"}}}}},
            "registrants[1].identifier_type"}}) {
    Json b = body;
    b["source"] = "ibr_main";
    auto r = call(http::Method::kPost, "/v1/dci/checks", officer_, b);
    ASSERT_EQ(r.status, 400) << b.dump() << " " << r.body;
    EXPECT_EQ(json(r)["field"], field) << r.body;
  }
  auto list = call(http::Method::kGet, "/v1/dci/checks", viewer_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(json(list)["items"].size(), 0u) << list.body;
}

// Codes may be whole numbers: kept as their digits, shown and sent as text.
TEST_P(CheckApi, WholeNumberCodesAreTakenAsTheirDigits) {
  Json body = {{"source", "ibr_main"},
               {"registrant",
                {{"reference", 42},
                 {"identifiers", {{{"type", "NID"}, {"value", 4931839201}}}},
                 {"location", 10001}}}};
  auto r = call(http::Method::kPost, "/v1/dci/checks", officer_, body);
  ASSERT_EQ(r.status, 201) << r.body;
  Json got = json(r)["items"][0];
  EXPECT_EQ(got["registrant"]["reference"], "42") << got.dump();
  EXPECT_EQ(got["registrant"]["location"], "10001") << got.dump();
  EXPECT_EQ(got["registrant"]["identifiers"][0]["value"], "4931839201") << got.dump();
}

TEST_P(CheckApi, CliListsWhatTheApiCreated) {
  Json a = {{"reference", "A"}, {"identifier_type", "UIN"}, {"identifier_value", "1"}};
  Json b = {{"reference", "B"}, {"given_name", "Ana"}};
  Json body = {{"source", "ibr_main"}, {"registrants", Json::array({a, b})}};
  auto created = call(http::Method::kPost, "/v1/dci/checks", officer_, body);
  ASSERT_EQ(created.status, 201) << created.body;
  auto list = p_->cli("dci checks list --state ready --source ibr_main");
  ASSERT_EQ(list.exit_code, 0) << list.output;
  Json items = json(created)["items"];  // named: a range-for over a temporary's member dangles
  for (const auto& c : items)
    EXPECT_NE(list.output.find(c["id"].get<std::string>()), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("reference=A"), std::string::npos);
  auto retry = p_->cli("dci checks retry no-such-check");
  EXPECT_NE(retry.exit_code, 0);
}

// The batch routes' refusals (the runs themselves: DciClientEndToEnd, with an IBR).
TEST_P(CheckApi, BatchesRefuseWhatIsNotABatchInWords) {
  Json file = {{"source", "ibr_main"}, {"file", "reference,given_name\nR1,Ana\n"}};
  EXPECT_EQ(call(http::Method::kPost, "/v1/dci/batches", viewer_, file).status, 403);
  auto field_of = [&](const Json& body) {
    auto r = call(http::Method::kPost, "/v1/dci/batches", officer_, body);
    EXPECT_EQ(r.status, 400) << r.body;
    return Json::parse(r.body).value("field", "");
  };
  EXPECT_EQ(field_of({{"file", "reference\nR1\n"}}), "source");
  EXPECT_EQ(field_of({{"source", "ibr_main"}}), "file");
  EXPECT_EQ(field_of({{"source", "ibr_main"}, {"file", "a,b\n1,2\n"}, {"format", "xml"}}),
            "format");
  EXPECT_EQ(field_of({{"source", "ibr_main"}, {"file", ""}}), "file");
  auto no_header = call(http::Method::kPost, "/v1/dci/batches", officer_,
                        {{"source", "ibr_main"}, {"file", "colour,size\nred,3\n"}});
  EXPECT_EQ(no_header.status, 400) << no_header.body;
  EXPECT_EQ(Json::parse(no_header.body)["field"], "file");
  auto unknown = call(http::Method::kGet, "/v1/dci/batches/ibr_main:0000", viewer_);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_NE(unknown.body.find("no batch ibr_main:0000"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, CheckApi, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::dci_client
