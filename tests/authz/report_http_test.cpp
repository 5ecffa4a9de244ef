// GET /v1/authz/estates/{ssn} over real HTTP on every backend: each row with its structured
// reason (court event, individual proxy and its heir, the collective rule and the heirs whose
// grants make it hold), the collective proxy appearing and going with the individual grants,
// and the route's scope and errors.
#include <gtest/gtest.h>

#include "authz/http_fixture.h"

namespace registrar::authz::test {
namespace {

class EstateReportTest : public AuthzHttpTest {
 protected:
  http::Response report(const std::string& ssn, const std::string& bearer) {
    http::Headers h;
    if (!bearer.empty()) h.set("Authorization", "Bearer " + bearer);
    return p_->get("/v1/authz/estates/" + ssn, h);
  }
  Json report(const std::string& ssn = kEstate) {
    auto r = report(ssn, internal_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Json::parse(r.body) : Json();
  }
  static const Json* row(const Json& rows, const std::string& recipient, const std::string& role) {
    for (const auto& r : rows)
      if (r["recipient"] == recipient && r["role"] == role) return &r;
    return nullptr;
  }
};

TEST_P(EstateReportTest, EachRowSaysWhyItHolds) {
  send(case_event(kEstate, "2025-08-01T18:00:00+00:00",
                  {{kA, kProbate}, {kB, kProbate}, {kC, kAsset}}));
  Json r = report();
  EXPECT_EQ(r["estate"], kEstate);
  EXPECT_EQ(r["vocabulary"]["individual_proxy"], kIndividual);
  EXPECT_EQ(r["vocabulary"]["probate_certificate"], kProbate);
  ASSERT_EQ(r["roles"].size(), 3u) << r;
  const Json* probate = row(r["roles"], kA, kProbate);
  ASSERT_NE(probate, nullptr) << r;
  EXPECT_EQ((*probate)["reason"], (Json{{"kind", "court"}}));
  EXPECT_EQ(r["proxies"], Json::array());
  EXPECT_EQ(r["pending"], Json::array());
  ASSERT_EQ(r["cursors"].size(), 1u) << r;
  EXPECT_EQ(r["cursors"][0]["type"], std::string(kCaseStatusUpdateValidated));

  // X holds an individual proxy from A: its reason names A; no collective yet (B has not granted).
  ASSERT_EQ(add(kA, kX).status, 201);
  r = report();
  const Json* individual = row(r["proxies"], kX, kIndividual);
  ASSERT_NE(individual, nullptr) << r;
  EXPECT_EQ((*individual)["reason"], (Json{{"kind", "individual"}, {"granted_by", kA}}));
  EXPECT_EQ(row(r["proxies"], kX, kCollective), nullptr) << r;

  // From B too: the collective proxy appears, held by rule (a) with both heirs' grants.
  ASSERT_EQ(add(kB, kX).status, 201);
  r = report();
  const Json* collective = row(r["proxies"], kX, kCollective);
  ASSERT_NE(collective, nullptr) << r;
  const Json& why = (*collective)["reason"];
  EXPECT_EQ(why["kind"], "collective");
  EXPECT_EQ(why["rule"], "all_probate_heirs");
  EXPECT_EQ(why["granted_by"], (Json{kA, kB}));
  EXPECT_NE(why["description"].get<std::string>().find("all probate heirs"), std::string::npos);

  // A probate heir with a grant from every other probate heir holds it by rule (b).
  ASSERT_EQ(add(kB, kA).status, 201);
  r = report();
  const Json* heir = row(r["proxies"], kA, kCollective);
  ASSERT_NE(heir, nullptr) << r;
  EXPECT_EQ((*heir)["reason"]["rule"], "all_other_probate_heirs");
  EXPECT_EQ((*heir)["reason"]["granted_by"], (Json{kB}));

  // B withdraws the grant to X: X's collective proxy goes with it.
  ASSERT_EQ(remove(kB, kX).status, 204);
  r = report();
  EXPECT_EQ(row(r["proxies"], kX, kCollective), nullptr) << r;
  EXPECT_NE(row(r["proxies"], kX, kIndividual), nullptr) << r;
  EXPECT_NE(row(r["proxies"], kA, kCollective), nullptr) << r;
}

TEST_P(EstateReportTest, AnEstateWithoutRowsIsAnEmptyReport) {
  Json r = report("12345678901");
  EXPECT_EQ(r["estate"], "12345678901");
  EXPECT_EQ(r["roles"], Json::array());
  EXPECT_EQ(r["proxies"], Json::array());
  EXPECT_EQ(r["cursors"], Json::array());
}

TEST_P(EstateReportTest, NeedsTheInternalScopeAndAValidSsn) {
  EXPECT_EQ(report(kEstate, "").status, 401);
  EXPECT_EQ(report(kEstate, lookup_).status, 403);
  Json p = problem(report("1234", internal_), 400, "ssn");
  EXPECT_EQ(p["detail"], "Invalid EstateSsn");
  problem(report("1111111111x", internal_), 400, "ssn");
}

INSTANTIATE_TEST_SUITE_P(Backends, EstateReportTest, ::testing::ValuesIn(testing::test_backends()));

}  // namespace
}  // namespace registrar::authz::test
