// The authz routes over real HTTP on every backend: the worked example of §10, the response
// shapes of the original, authentication (bearer scopes and the event secret), and bad input.
#include <gtest/gtest.h>

#include "authz/http_fixture.h"
#include "store/database.h"

namespace registrar::authz::test {
namespace {

class ApiTest : public AuthzHttpTest {};

State rows(std::initializer_list<Row> r) {
  return State(r);
}

TEST_P(ApiTest, WorkedExampleOfSection10) {
  const std::string E = kEstate;
  send(case_event(E, "2025-08-01T18:00:00+00:00", {{kA, kProbate}, {kB, kProbate}, {kC, kAsset}}));
  EXPECT_EQ(state(), rows({{kA, kProbate, ""}, {kB, kProbate, ""}, {kC, kAsset, ""}}));

  ASSERT_EQ(add(kA, kX).status, 201);
  EXPECT_EQ(
      state(),
      rows({{kA, kProbate, ""}, {kB, kProbate, ""}, {kC, kAsset, ""}, {kX, kIndividual, kA}}));

  ASSERT_EQ(add(kB, kX).status, 201);
  EXPECT_TRUE(state().count({kX, kCollective, ""}));

  auto r = add(kB, kA);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(state(), rows({{kA, kProbate, ""},
                           {kB, kProbate, ""},
                           {kC, kAsset, ""},
                           {kX, kIndividual, kA},
                           {kX, kIndividual, kB},
                           {kX, kCollective, ""},
                           {kA, kIndividual, kB},
                           {kA, kCollective, ""}}));

  // The court drops B's probate certificate: B's grants go, A (sole heir) and X (all grants of
  // the remaining heir) keep the collective proxy.
  send(case_event(E, "2025-08-02T18:00:00+00:00", {{kA, kProbate}, {kC, kAsset}}));
  EXPECT_EQ(state(), rows({{kA, kProbate, ""},
                           {kC, kAsset, ""},
                           {kX, kIndividual, kA},
                           {kX, kCollective, ""},
                           {kA, kCollective, ""}}));

  send(case_event(E, "2025-08-03T18:00:00+00:00", {{kA, kProbate}}, "FEILFORT"));
  EXPECT_EQ(state(), State{});
}

TEST_P(ApiTest, ResponseShapesOfTheOriginal) {
  send(case_event(kEstate, "2023-02-20T10:00:06.401416+00:00",
                  {{kA, kProbate}, {kB, kProbate}, {kC, kAsset}}));
  auto added = add(kA, kX);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_FALSE(added.headers.has("Location"));
  Json a = Json::parse(added.body);
  ASSERT_EQ(a["proxyAssignments"].size(), 1u);
  const Json& p = a["proxyAssignments"][0];
  EXPECT_EQ(p["estateSsn"], kEstate);
  EXPECT_EQ(p["heirSsn"], kA);
  EXPECT_EQ(p["recipientSsn"], kX);
  EXPECT_EQ(p["urn:digitaltdodsbo:rolecode"], kIndividual);
  EXPECT_NE(p["created"], "2023-02-20T10:00:06.401416+00:00");  // stamped now, not the request's
  EXPECT_EQ(p["created"].get<std::string>().substr(p["created"].get<std::string>().size() - 6),
            "+00:00");

  // roles/search: every role, isRestricted on formuesfullmakt once probate is issued.
  auto roles = call(kRolesSearch, Json{{"estateSsn", kEstate}}, lookup_);
  ASSERT_EQ(roles.status, 200) << roles.body;
  EXPECT_EQ(roles.headers.get("Content-Type").value_or(""), "application/json");
  Json rs = Json::parse(roles.body)["roleAssignments"];
  ASSERT_EQ(rs.size(), 4u);
  for (const auto& r : rs) {
    EXPECT_EQ(r.size(), 5u) << r;
    EXPECT_EQ(r["estateSsn"], kEstate);
    EXPECT_EQ(r["isRestricted"], r["role"] == kAsset) << r;
    if (r["role"] == kProbate) {
      EXPECT_EQ(r["created"], "2023-02-20T10:00:06.401416+00:00");
    }
  }
  // Filtered by recipient, isRestricted still computed over the whole estate.
  auto c_only = call(kRolesSearch, Json{{"estateSsn", kEstate}, {"recipientSsn", kC}}, lookup_);
  EXPECT_EQ(
      Json::parse(c_only.body),
      Json::parse(R"({"roleAssignments":[{"estateSsn":"11111111111","recipientSsn":")" + kC +
                  R"(","role":")" + kAsset +
                  R"(","created":"2023-02-20T10:00:06.401416+00:00","isRestricted":true}]})"));

  // PIP: from/to/rolecode/created only, every role of the estate.
  auto pip = call(kPip, Json{{"from", kEstate}, {"to", kX}}, internal_);
  ASSERT_EQ(pip.status, 200) << pip.body;
  Json pr = Json::parse(pip.body)["roleAssignments"];
  ASSERT_EQ(pr.size(), 1u);
  EXPECT_EQ(pr[0].size(), 4u);
  EXPECT_EQ(pr[0]["from"], kEstate);
  EXPECT_EQ(pr[0]["to"], kX);
  EXPECT_EQ(pr[0]["urn:digitaltdodsbo:rolecode"], kIndividual);
  EXPECT_EQ(call(kPip, Json{{"from", kEstate}}, internal_).status, 200);

  // proxies/search: the collective proxy has "heirSsn": null, not omitted.
  ASSERT_EQ(add(kB, kX).status, 201);
  auto proxies = call(kProxiesSearch, Json{{"estateSsn", kEstate}, {"recipientSsn", kX}}, lookup_);
  Json ps = Json::parse(proxies.body)["proxyAssignments"];
  ASSERT_EQ(ps.size(), 3u);
  int collective = 0;
  for (const auto& r : ps) {
    EXPECT_EQ(r.size(), 5u) << r;
    ASSERT_TRUE(r.contains("heirSsn"));
    if (r["urn:digitaltdodsbo:rolecode"] == kCollective) {
      EXPECT_TRUE(r["heirSsn"].is_null());
      collective++;
    }
  }
  EXPECT_EQ(collective, 1);

  auto removed = remove(kA, kX);
  EXPECT_EQ(removed.status, 204);
  EXPECT_TRUE(removed.body.empty());
  // Removing what does not exist is not an error.
  EXPECT_EQ(remove(kA, kX).status, 204);

  // Unknown estate: an empty list.
  auto none = call(kRolesSearch, Json{{"estateSsn", "99999999999"}}, lookup_);
  EXPECT_EQ(Json::parse(none.body), Json::parse(R"({"roleAssignments":[]})"));
  auto none_p = call(kProxiesSearch, Json{{"estateSsn", "99999999999"}}, lookup_);
  EXPECT_EQ(Json::parse(none_p.body), Json::parse(R"({"proxyAssignments":[]})"));
}

TEST_P(ApiTest, SuperadminHiddenFromRolesSearchUnlessUnfiltered) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}}));
  {  // The original never writes superadmin rows: operators insert them by hand.
    store::DatabaseOptions o;
    o.url = db_.url();
    o.pool_size = 1;
    o.busy_timeout = std::chrono::milliseconds(30'000);
    store::Database db(o);
    db.write([&](soci::session& s) {
      db::insert_assignment(
          s, {0, kEstate, kSuperadmin, kX, std::nullopt, at("2025-01-01T00:00:00Z"), "manual"});
    });
  }
  auto has_superadmin = [&](const std::string& query) {
    auto r = call(kRolesSearch + query, Json{{"estateSsn", kEstate}}, lookup_);
    EXPECT_EQ(r.status, 200) << r.body;
    Json found = Json::parse(r.body)["roleAssignments"];
    for (const auto& a : found)
      if (a["role"] == kSuperadmin) return true;
    return false;
  };
  EXPECT_FALSE(has_superadmin(""));
  EXPECT_FALSE(has_superadmin("?unfiltered=false"));
  EXPECT_TRUE(has_superadmin("?unfiltered=true"));
  EXPECT_TRUE(has_superadmin("?unfiltered=True"));
  problem(call(kRolesSearch + "?unfiltered=yes", Json{{"estateSsn", kEstate}}, lookup_), 400,
          "unfiltered");
  // The PIP returns every role, superadmin included.
  EXPECT_TRUE(state().count({kX, kSuperadmin, ""}));
}

TEST_P(ApiTest, BearerTokenWithTheRouteScopeIsRequired) {
  Json lookup = {{"estateSsn", kEstate}};
  Json pip = {{"from", kEstate}};
  // No token, or a token that is not one: 401.
  for (const auto& [path, body] :
       std::vector<std::pair<std::string, Json>>{{kPip, pip},
                                                 {kRolesSearch, lookup},
                                                 {kProxiesSearch, lookup},
                                                 {kProxiesAdd, change("add", kA, kX)},
                                                 {kProxiesRemove, change("remove", kA, kX)}}) {
    EXPECT_EQ(call(path, body, "").status, 401) << path;
    EXPECT_EQ(call(path, body, "not.a.token").status, 401) << path;
  }
  // The other scope: 403. The internal scope does not open the search endpoints (the
  // original's README says it does; its code does not).
  EXPECT_EQ(call(kPip, pip, lookup_).status, 403);
  EXPECT_EQ(call(kProxiesAdd, change("add", kA, kX), lookup_).status, 403);
  EXPECT_EQ(call(kProxiesRemove, change("remove", kA, kX), lookup_).status, 403);
  EXPECT_EQ(call(kRolesSearch, lookup, internal_).status, 403);
  EXPECT_EQ(call(kProxiesSearch, lookup, internal_).status, 403);
  std::string both = token(kInternalScope + " --scope " + kLookupScope);
  EXPECT_EQ(call(kPip, pip, both).status, 200);
  EXPECT_EQ(call(kRolesSearch, lookup, both).status, 200);
}

TEST_P(ApiTest, EventEndpointNeedsTheSharedSecret) {
  Json e = case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}});
  EXPECT_EQ(p_->post(kEvents, e.dump()).status, 401);
  EXPECT_EQ(event(e, "wrong").status, 401);
  EXPECT_EQ(event(e, kSecret + "x").status, 401);
  EXPECT_EQ(event(e, "").status, 401);
  // A bearer token is no substitute for the secret.
  http::Headers h;
  h.set("Authorization", "Bearer " + internal_);
  EXPECT_EQ(p_->post(kEvents, e.dump(), "application/json", h).status, 401);
  EXPECT_EQ(state(), State{});
  // Subscription validation needs the secret too, and is a no-op.
  Json validate = envelope(kValidateSubscription, "/person/" + kEstate, "", Json::object());
  EXPECT_EQ(event(validate, "wrong").status, 401);
  auto ok = event(validate);
  EXPECT_EQ(ok.status, 200);
  EXPECT_TRUE(ok.body.empty());
  send(e);
  EXPECT_EQ(state(), rows({{kA, kProbate, ""}, {kA, kCollective, ""}}));
}

TEST_P(ApiTest, LookupsWithoutAValidEstateAreRefused) {
  auto no_from = problem(call(kPip, Json{{"to", kA}}, internal_), 400, "from");
  problem(call(kPip, Json{{"from", nullptr}}, internal_), 400, "from");
  problem(call(kPip, Json{{"from", "  "}}, internal_), 400, "from");
  problem(call(kPip, Json::object(), internal_), 400, "from");
  auto bad = problem(call(kPip, Json{{"from", "1111111111"}}, internal_), 400, "from");
  EXPECT_EQ(bad["detail"], "Invalid EstateSsn");
  auto bad_to = problem(call(kPip, Json{{"from", kEstate}, {"to", "abc"}}, internal_), 400, "to");
  EXPECT_EQ(bad_to["detail"], "Invalid RecipientSsn");
  for (const auto& path : {kRolesSearch, kProxiesSearch}) {
    problem(call(path, Json{{"recipientSsn", kA}}, lookup_), 400, "estateSsn");
    problem(call(path, Json{{"estateSsn", "1111111111a"}}, lookup_), 400, "estateSsn");
    problem(call(path, Json{{"estateSsn", 11111111111LL}}, lookup_), 400, "estateSsn");
    // An empty recipientSsn is "not null" and fails validation, as in the original.
    problem(call(path, Json{{"estateSsn", kEstate}, {"recipientSsn", ""}}, lookup_), 400,
            "recipientSsn");
    EXPECT_EQ(call(path, Json{{"estateSsn", kEstate}, {"recipientSsn", nullptr}}, lookup_).status,
              200);
  }
  EXPECT_EQ(no_from["status"], 400);
}

TEST_P(ApiTest, BadInputIsA400NamingTheField) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kC, kAsset}}));
  EXPECT_EQ(call(kPip, std::string("{\"from\":"), internal_).status, 400);
  EXPECT_EQ(call(kPip, std::string(""), internal_).status, 400);
  EXPECT_EQ(call(kPip, std::string("[1]"), internal_).status, 400);

  problem(call(kProxiesAdd, Json{{"remove", change("remove", kA, kX)["remove"]}}, internal_), 400,
          "add");
  problem(call(kProxiesAdd, change("add", kA, kX, kEstate, kCollective), internal_), 400,
          "add.urn:digitaltdodsbo:rolecode");
  problem(add(kA, kX, "1234"), 400, "add.estateSsn");
  problem(add(kA, "x"), 400, "add.recipientSsn");
  problem(add("", kX), 400, "add.heirSsn");
  problem(add("12345678901", kX), 400, "add.heirSsn");  // valid SSN but no probate: 400 not 500
  problem(add(kC, kX), 400, "add.heirSsn");             // formuesfullmakt is not probate
  problem(remove(kC, kX), 400, "remove.heirSsn");
  problem(call(kProxiesRemove, change("remove", kA, kX, kEstate, kCollective), internal_), 400,
          "remove.urn:digitaltdodsbo:rolecode");
  ASSERT_EQ(add(kA, kX).status, 201);
  auto dup = problem(add(kA, kX), 409, "add");
  EXPECT_EQ(dup["detail"],
            "There can only be one proxy assignment per estate-heir-recipient-role combination.");

  // Events.
  Json unknown = envelope("no.altinn.events.something-else", "/person/" + kEstate,
                          "2025-08-02T18:00:00Z", case_payload({{kA, kProbate}}));
  EXPECT_EQ(problem(event(unknown), 400, "type")["detail"], "Unknown event type");
  Json bad_subject = case_event(kEstate, "2025-08-02T18:00:00Z", {{kA, kProbate}});
  bad_subject["subject"] = "/party/" + kEstate;
  EXPECT_EQ(problem(event(bad_subject), 400, "subject")["detail"],
            "Subject must be SSN with '/person/' prefix");
  bad_subject.erase("subject");
  problem(event(bad_subject), 400, "subject");
  auto bad_nin =
      event(case_event(kEstate, "2025-08-02T18:00:00Z", {{kB, kProbate}, {"12", kAsset}}));
  problem(bad_nin, 400, "data.heirRolesV2[1].nin");
  EXPECT_EQ(p_->post(kEvents + "?auth=" + kSecret, "{not json").status, 400);
  // Half a megabyte of nesting in `data` once overflowed the stack when the document was copied
  // (security issue): now a 400 that names the limit, and the server goes on answering.
  const size_t depth = 500'000;
  auto deep = p_->post(kEvents + "?auth=" + kSecret,
                       R"({"type":"x","subject":"/person/1","data":)" + std::string(depth, '[') +
                           std::string(depth, ']') + "}");
  EXPECT_EQ(problem(deep, 400, "")["detail"],
            "event body is not valid JSON (nested deeper than 64 levels)");
  EXPECT_EQ(p_->get("/healthz").status, 200);
  // Nothing of the refused events was applied.
  EXPECT_EQ(state(), rows({{kA, kProbate, ""},
                           {kA, kCollective, ""},
                           {kC, kAsset, ""},
                           {kX, kIndividual, kA},
                           {kX, kCollective, ""}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiTest, ::testing::ValuesIn(testing::test_backends()));

}  // namespace
}  // namespace registrar::authz::test
