// The estate report's JSON (pure): reasons for a collective row the rule no longer supports, a
// sole probate heir, and recipients eligible but not granted yet.
#include <gtest/gtest.h>

#include "authz/authz_fixture.h"
#include "authz/report.h"

namespace registrar::authz::test {
namespace {

Assignment row(const std::string& recipient, const std::string& role,
               std::optional<std::string> heir = std::nullopt) {
  Assignment a;
  a.estate = kEstate;
  a.recipient = recipient;
  a.role = role;
  a.heir = std::move(heir);
  a.created = at("2026-01-15T12:00:00Z");
  return a;
}

TEST(EstateReportJson, ACollectiveRowTheRuleNoLongerSupportsHasNoRule) {
  EstateReport r;
  r.estate = kEstate;
  r.rows = {row(kA, kProbate), row(kB, kProbate), row(kX, kCollective)};
  r.collective = plan_collective(r.rows, kRoles).eligible;
  Json j = estate_report_json(r, kRoles);
  ASSERT_EQ(j["proxies"].size(), 1u) << j;
  EXPECT_EQ(j["proxies"][0]["reason"]["kind"], "collective");
  EXPECT_TRUE(j["proxies"][0]["reason"]["rule"].is_null());
  EXPECT_EQ(j["proxies"][0]["created"], "2026-01-15T12:00:00+00:00");
}

TEST(EstateReportJson, EligibleRecipientsWithoutTheRowArePending) {
  EstateReport r;
  r.estate = kEstate;
  // A sole probate heir is eligible by rule (b) with no grants needed; the row is not there yet.
  r.rows = {row(kA, kProbate), row(kC, kAsset), row(kX, kIndividual, kA)};
  r.collective = plan_collective(r.rows, kRoles).eligible;
  Json j = estate_report_json(r, kRoles);
  ASSERT_EQ(j["pending"].size(), 2u) << j;
  std::map<std::string, Json> pending;
  for (const auto& p : j["pending"]) pending[p["recipient"]] = p;
  EXPECT_EQ(pending[kA]["rule"], "all_other_probate_heirs");
  EXPECT_EQ(pending[kA]["granted_by"], Json::array());
  EXPECT_EQ(pending[kX]["rule"], "all_probate_heirs");
  EXPECT_EQ(pending[kX]["granted_by"], (Json{kA}));
  EXPECT_EQ(j["roles"].size(), 2u);
  EXPECT_EQ(j["roles"][1]["reason"], (Json{{"kind", "court"}}));
  EXPECT_EQ(j["proxies"][0]["reason"], (Json{{"kind", "individual"}, {"granted_by", kA}}));
}

}  // namespace
}  // namespace registrar::authz::test
