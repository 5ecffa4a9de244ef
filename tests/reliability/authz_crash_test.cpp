// authz under kill -9: client threads ingest court events (role assignments of an estate) and
// add proxies over HTTP; the server is killed mid-stream and started again on the same
// database; every acknowledged role and proxy is then there, exactly once.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "crash_fixture.h"

namespace registrar::reliability {
namespace {

const std::string kSecret = "crash-ev3nt-s3cret";
const std::string kProbate = "urn:domstolene:digitaltdodsbo:skifteattest";
const std::string kIndividual = "urn:altinn:digitaltdodsbo:skiftefullmakt:individuell";
const std::string kRecipient = "44444444411";

// 11-digit SSNs, distinct per (thread, write): the estate and its one heir.
std::string ssn(char lead, int t, int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%01d%09d", lead, t, i);
  return buf;
}

Json case_event(const std::string& estate, const std::string& heir) {
  Json data = {{"time", "2025-08-01T17:59:00+00:00"},
               {"caseId", "3f1c2d1e-0000-4000-8000-" + estate.substr(0, 11) + "0"},
               {"caseNumber", "c-" + estate},
               {"caseStatus", "MOTTATT"},
               {"districtCourtName", "Oslo tingrett"},
               {"probateDeadline", "2025-10-01T00:00:00+00:00"},
               {"heirRolesV2",
                {{{"type", "Person"},
                  {"nin", heir},
                  {"role", kProbate},
                  {"relation", "urn:digitaltdodsbo:arving:barn"},
                  {"probateCertificateRecipient", false},
                  {"signedDate", nullptr}}}}};
  return {{"id", "evt-" + estate},
          {"specversion", "1.0"},
          {"source", "https://platform.tt02.altinn.no/dd"},
          {"type", "no.altinn.events.digitalt-dodsbo.v1.case-status-update-validated"},
          {"subject", "/person/" + estate},
          {"resource", "urn:altinn:resource:dd"},
          {"time", "2025-08-01T18:00:00+00:00"},
          {"data", data.dump()}};
}

class AuthzCrashTest : public CrashTest {};

TEST_P(AuthzCrashTest, AcknowledgedRolesAndProxiesSurviveAKill9) {
  start("", {{"REGISTRAR_AUTHZ_EVENT_SECRET", kSecret}});
  const std::string internal = token("--scope altinn:dd:internal");
  const std::string lookup = token("--scope altinn:dd:authlookup");

  // Even writes: the court's event naming the estate's heir; odd: the heir's proxy for the
  // recipient, in the estate the previous write created.
  WriteLoad load(4, [&](int t, int i) {
    std::string estate = ssn('7', t, i / 2), heir = ssn('2', t, i / 2);
    if (i % 2 == 0) {
      auto r = p_->post("/api/v1/eventhandler?auth=" + kSecret, case_event(estate, heir).dump());
      expect_status(r, 200, "event " + estate);
      return "event:" + estate;
    }
    Json add = {{"add",
                 {{"estateSsn", estate},
                  {"heirSsn", heir},
                  {"recipientSsn", kRecipient},
                  {"urn:digitaltdodsbo:rolecode", kIndividual},
                  {"created", "2023-02-20T10:00:06.401416+00:00"}}}};
    expect_status(post_json("/api/v1/authorization/proxies/add", add, internal), 201,
                  "proxy " + estate);
    return "proxy:" + estate;
  });
  ASSERT_TRUE(load.wait_for(200, {{"event:", 100}, {"proxy:", 90}}))
      << ::testing::PrintToString(load.errors()) << p_->log();
  kill_under(load);
  ASSERT_EQ(load.errors(), std::vector<std::string>{});

  restart();
  size_t events = 0, proxies = 0;
  for (const std::string& key : load.acknowledged()) {
    std::string kind = key.substr(0, key.find(':')), estate = key.substr(key.find(':') + 1);
    std::string heir = "2" + estate.substr(1);
    if (kind == "event") {
      ++events;
      auto r = post_json("/api/v1/pip", {{"from", estate}, {"to", heir}}, internal);
      ASSERT_EQ(r.status, 200) << r.body;
      int probate = 0;
      const Json body = Json::parse(r.body);  // kept: a range-for over a temporary's member dangles
      for (const auto& row : body["roleAssignments"])
        if (row["urn:digitaltdodsbo:rolecode"] == kProbate) ++probate;
      EXPECT_EQ(probate, 1) << estate << ": " << r.body;
    } else {
      ++proxies;
      auto r = post_json("/api/v1/authorization/proxies/search",
                         {{"estateSsn", estate}, {"recipientSsn", kRecipient}}, lookup);
      ASSERT_EQ(r.status, 200) << r.body;
      int individual = 0;
      const Json body = Json::parse(r.body);
      for (const auto& row : body["proxyAssignments"])
        if (row["urn:digitaltdodsbo:rolecode"] == kIndividual && row["heirSsn"] == heir)
          ++individual;
      EXPECT_EQ(individual, 1) << estate << ": " << r.body;
    }
  }
  EXPECT_GE(events, 100u);
  EXPECT_GE(proxies, 90u);

  // The restarted server takes new writes as before.
  std::string estate = ssn('7', 9, 0), heir = ssn('2', 9, 0);
  EXPECT_EQ(
      p_->post("/api/v1/eventhandler?auth=" + kSecret, case_event(estate, heir).dump()).status,
      200);
}

RELIABILITY_BACKENDS(AuthzCrashTest);

}  // namespace
}  // namespace registrar::reliability
