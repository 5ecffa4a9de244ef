// Every rule of §5 (the collective proxy) and §7 (event ingestion, ordering, idempotence,
// protected-address wipes) as seen over HTTP, on every backend.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "authz/http_fixture.h"

namespace registrar::authz::test {
namespace {

class RulesTest : public AuthzHttpTest {
 protected:
  // Two probate heirs A and B and a formuesfullmakt holder C, court time `t`.
  void two_heirs(const std::string& t = "2025-08-01T18:00:00Z") {
    send(case_event(kEstate, t, {{kA, kProbate}, {kB, kProbate}, {kC, kAsset}}));
  }
  bool collective(const std::string& who) { return state().count({who, kCollective, ""}) > 0; }
};

// ---- §5 the collective rule ---------------------------------------------------------------------

TEST_P(RulesTest, SoleProbateHeirGetsTheCollectiveAndSoDoesWhoeverTheyGrant) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kC, kAsset}}));
  EXPECT_TRUE(collective(kA));
  EXPECT_FALSE(collective(kC));
  ASSERT_EQ(add(kA, kX).status, 201);
  EXPECT_TRUE(collective(kX));
}

TEST_P(RulesTest, ANonHeirNeedsGrantsFromEveryProbateHeir) {
  two_heirs();
  ASSERT_EQ(add(kA, kC).status, 201);
  EXPECT_FALSE(collective(kC));  // formuesfullmakt does not make C a probate heir
  ASSERT_EQ(add(kB, kC).status, 201);
  EXPECT_TRUE(collective(kC));
}

TEST_P(RulesTest, AProbateHeirNeedsGrantsOnlyFromTheOthers) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z",
                  {{kA, kProbate}, {kB, kProbate}, {kC, kProbate}}));
  ASSERT_EQ(add(kB, kA).status, 201);
  EXPECT_FALSE(collective(kA));
  ASSERT_EQ(add(kC, kA).status, 201);
  EXPECT_TRUE(collective(kA));
  EXPECT_FALSE(collective(kB));
}

TEST_P(RulesTest, TwoHeirsGrantingEachOtherBothHoldTheCollective) {
  two_heirs();
  ASSERT_EQ(add(kA, kB).status, 201);
  ASSERT_EQ(add(kB, kA).status, 201);
  EXPECT_TRUE(collective(kA));
  EXPECT_TRUE(collective(kB));
}

TEST_P(RulesTest, RevokingANeededGrantRemovesTheCollective) {
  two_heirs();
  ASSERT_EQ(add(kA, kX).status, 201);
  auto both = add(kB, kX);
  ASSERT_EQ(both.status, 201);
  // The 201 body is the estate's proxies after the rule ran: the collective is there.
  bool listed = false;
  Json proxies = Json::parse(both.body)["proxyAssignments"];
  for (const auto& p : proxies)
    listed |= p["urn:digitaltdodsbo:rolecode"] == kCollective && p["recipientSsn"] == kX;
  EXPECT_TRUE(listed);
  ASSERT_EQ(remove(kA, kX).status, 204);
  EXPECT_EQ(
      state(),
      State({{kA, kProbate, ""}, {kB, kProbate, ""}, {kC, kAsset, ""}, {kX, kIndividual, kB}}));
}

TEST_P(RulesTest, SelfGrantCountsOnceAndIsNotAnError) {
  // A -> A plus B -> A: A is eligible under both (a) and (b); the original inserted twice and
  // failed, the eligible set holds A once.
  two_heirs();
  ASSERT_EQ(add(kA, kA).status, 201);
  auto r = add(kB, kA);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(collective(kA));
  int count = 0;
  for (const auto& row : state())
    if (std::get<1>(row) == kCollective) count++;
  EXPECT_EQ(count, 1);
}

TEST_P(RulesTest, CourtEventRemovesGrantsOfHeirsWhoLostProbate) {
  two_heirs();
  ASSERT_EQ(add(kA, kX).status, 201);
  ASSERT_EQ(add(kB, kX).status, 201);
  ASSERT_EQ(add(kB, kC).status, 201);
  // No probate heirs left: every individual proxy and every collective goes.
  send(case_event(kEstate, "2025-08-02T18:00:00Z", {{kA, kAsset}, {kB, kAsset}}));
  EXPECT_EQ(state(), State({{kA, kAsset, ""}, {kB, kAsset, ""}}));
  // Without probate, no one can grant.
  problem(add(kA, kX), 400, "add.heirSsn");
}

// ---- §7 event ingestion -------------------------------------------------------------------------

TEST_P(RulesTest, CourtRolesAreFullyReplacedAndOnlyPersonsWithCourtRolesCount) {
  Json payload = case_payload({{kA, kProbate}, {kB, ""}, {kC, kAsset}});
  payload["heirRolesV2"].push_back({{"type", "PappPerson"},
                                    {"name", {{"firstName", "Papp"}, {"lastName", "Person"}}},
                                    {"relation", "urn:digitaltdodsbo:arving:barn"}});
  payload["heirRolesV2"].push_back({{"type", "Organization"},
                                    {"orgNo", "123456789"},
                                    {"relation", "urn:digitaltdodsbo:arving:testArvingBegr"}});
  // `data` as an object works as well as the JSON-in-a-string the original's tests send.
  send(envelope(kCaseStatusUpdateValidated, "person/" + kEstate, "2025-08-01T18:00:00Z", payload,
                false));
  EXPECT_EQ(state(), State({{kA, kProbate, ""}, {kA, kCollective, ""}, {kC, kAsset, ""}}));
  send(case_event(kEstate, "2025-08-02T18:00:00Z", {{kB, kProbate}, {kC, kAsset}}));
  EXPECT_EQ(state(), State({{kB, kProbate, ""}, {kB, kCollective, ""}, {kC, kAsset, ""}}));
}

TEST_P(RulesTest, OutOfOrderAndDuplicateEventsAreDiscarded) {
  send(case_event(kEstate, "2025-08-01T18:00:00+00:00", {{kA, kProbate}}));
  State first = state();
  // Earlier: discarded with a 200. Same time (a duplicate delivery): discarded too.
  send(case_event(kEstate, "2025-08-01T17:00:00+00:00", {{kB, kProbate}}));
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kB, kProbate}}));
  send(case_event(kEstate, "2025-08-01T20:00:00+02:00", {{kB, kProbate}}));  // same instant
  EXPECT_EQ(state(), first);
  // Redelivering the same event is idempotent.
  Json later = case_event(kEstate, "2025-08-02T18:00:00Z", {{kB, kProbate}, {kC, kAsset}});
  send(later);
  State second = state();
  send(later);
  send(later);
  EXPECT_EQ(state(), second);
  EXPECT_EQ(second, State({{kB, kProbate, ""}, {kB, kCollective, ""}, {kC, kAsset, ""}}));
  // A null payload is a 400 only when the event would be processed.
  Json null_old =
      envelope(kCaseStatusUpdateValidated, "/person/" + kEstate, "2025-08-01T00:00:00Z", nullptr);
  EXPECT_EQ(event(null_old).status, 200);
  Json null_new =
      envelope(kCaseStatusUpdateValidated, "/person/" + kEstate, "2025-08-03T00:00:00Z", nullptr);
  problem(event(null_new), 400, "data");
  EXPECT_EQ(state(), second);
  // The refused event did not move the cursor: an event between still applies.
  send(case_event(kEstate, "2025-08-02T19:00:00Z", {{kA, kProbate}}));
  State third = state();
  EXPECT_EQ(third, State({{kA, kProbate, ""}, {kA, kCollective, ""}}));
  // The cursor is judged before the payload (spec §7.3): a stale event is discarded with 200
  // even when its payload would be refused, and the same payload on a newer event is a 400.
  Json bad_nin = case_payload({{"1234", kProbate}});
  EXPECT_EQ(event(envelope(kCaseStatusUpdateValidated, "/person/" + kEstate, "2025-08-01T12:00:00Z",
                           bad_nin))
                .status,
            200);
  Json malformed = case_payload({{kA, kProbate}});
  malformed.erase("caseStatus");
  EXPECT_EQ(event(envelope(kCaseStatusUpdateValidated, "/person/" + kEstate, "2025-08-01T12:00:00Z",
                           malformed))
                .status,
            200);
  problem(event(envelope(kCaseStatusUpdateValidated, "/person/" + kEstate, "2025-08-04T00:00:00Z",
                         bad_nin)),
          400, "data.heirRolesV2[0].nin");
  EXPECT_EQ(state(), third);
  // FEILFORT wipes the estate without judging its heirs' nins.
  EXPECT_EQ(event(envelope(kCaseStatusUpdateValidated, "/person/" + kEstate, "2025-08-05T00:00:00Z",
                           case_payload({{"1234", kProbate}}, "FEILFORT")))
                .status,
            200);
  EXPECT_TRUE(state().empty());
}

TEST_P(RulesTest, ManuallySyncedEventsHaveTheirOwnCursor) {
  send(case_event(kEstate, "2025-09-01T12:00:00Z", {{"99999999991", kAsset}}));
  send(case_event(kEstate, "2025-09-01T11:00:00Z", {{"99999999992", kAsset}}, "MOTTATT",
                  kCaseStatusManuallySynced));
  EXPECT_EQ(state(), State({{"99999999992", kAsset, ""}}));
  // Out of order within its own type.
  send(case_event(kEstate, "2025-09-01T10:00:00Z", {{"99999999993", kAsset}}, "MOTTATT",
                  kCaseStatusManuallySynced));
  EXPECT_EQ(state(), State({{"99999999992", kAsset, ""}}));
}

TEST_P(RulesTest, EventWithoutTimeIsProcessedAndLeavesTheCursorAlone) {
  send(case_event(kEstate, "", {{kA, kAsset}}));
  EXPECT_EQ(state(), State({{kA, kAsset, ""}}));
  send(case_event(kEstate, "", {{kB, kAsset}}));
  EXPECT_EQ(state(), State({{kB, kAsset, ""}}));
  send(case_event(kEstate, "2025-08-01T00:00:00Z", {{kC, kAsset}}));
  send(case_event(kEstate, "", {{kA, kAsset}}));  // now a cursor exists: earliest time, discarded
  EXPECT_EQ(state(), State({{kC, kAsset, ""}}));
}

TEST_P(RulesTest, FeilfortWipesTheWholeEstateAndOnlyIt) {
  two_heirs();
  ASSERT_EQ(add(kA, kX).status, 201);
  ASSERT_EQ(add(kB, kX).status, 201);
  send(case_event("66666666666", "2025-08-01T18:00:00Z", {{kA, kAsset}}));
  send(case_event(kEstate, "2025-08-02T18:00:00Z", {{kA, kProbate}}, "FEILFORT"));
  EXPECT_EQ(state(), State{});
  EXPECT_EQ(state("66666666666"), State({{kA, kAsset, ""}}));
  // A later event grants again.
  send(case_event(kEstate, "2025-08-03T18:00:00Z", {{kB, kProbate}}));
  EXPECT_EQ(state(), State({{kB, kProbate, ""}, {kB, kCollective, ""}}));
}

TEST_P(RulesTest, SubjectForms) {
  for (const auto& [subject, estate] :
       std::vector<std::pair<std::string, std::string>>{{"12345678901", "12345678901"},
                                                        {"/person/22345678901/", "22345678901"},
                                                        {"person / 32345678901", "32345678901"}}) {
    Json e = case_event(estate, "2025-08-01T18:00:00Z", {{kA, kAsset}});
    e["subject"] = subject;
    send(e);
    EXPECT_EQ(state(estate), State({{kA, kAsset, ""}})) << subject;
  }
  for (const char* bad : {"/person/1234", "/person/12345678901/extra", "/person", "   ", ""}) {
    Json e = case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kAsset}});
    e["subject"] = bad;
    problem(event(e), 400, "subject");
  }
}

TEST_P(RulesTest, ProtectedAddressOfAnHeirWipesTheirEstates) {
  two_heirs();
  ASSERT_EQ(add(kA, kX).status, 201);
  send(case_event("66666666666", "2025-08-01T18:00:00Z", {{kB, kProbate}}));  // A absent
  send(case_event("77777777777", "2025-08-01T18:00:00Z", {{kC, kProbate}}));
  ASSERT_EQ(add(kC, kA, "77777777777").status, 201);  // A is only a proxy recipient here
  Json freg =
      envelope(kProtectedAddressUpdate, "/person/" + kA, "2025-08-05T00:00:00Z", Json{{"nin", kA}});
  send(freg);
  EXPECT_EQ(state(), State{});
  EXPECT_EQ(state("66666666666"), State({{kB, kProbate, ""}, {kB, kCollective, ""}}));
  EXPECT_EQ(state("77777777777"), State({{kC, kProbate, ""}, {kC, kCollective, ""}}));
  send(freg);  // no rows left: a no-op, no error
  Json null_data =
      envelope(kProtectedAddressUpdate, "/person/" + kC, "2025-08-05T00:00:00Z", nullptr);
  send(null_data);
  EXPECT_EQ(state("77777777777"), State({{kC, kProbate, ""}, {kC, kCollective, ""}}));
}

TEST_P(RulesTest, ProtectedAddressOfAGrantingHeirWipesTheEstate) {
  two_heirs();
  ASSERT_EQ(add(kA, kX).status, 201);
  send(envelope(kProtectedAddressUpdate, "/person/" + kX, "2025-08-05T00:00:00Z",
                Json{{"nin", kX}}));
  // X was only a recipient: only X's proxies go.
  EXPECT_EQ(state(), State({{kA, kProbate, ""}, {kB, kProbate, ""}, {kC, kAsset, ""}}));
  ASSERT_EQ(add(kB, kC).status, 201);
  send(envelope(kProtectedAddressUpdate, "/person/" + kB, "2025-08-05T00:00:00Z",
                Json{{"nin", kB}}));
  EXPECT_EQ(state(), State{});
}

// ---- Batched PIP lookups
// --------------------------------------------------------------------------

TEST_P(RulesTest, ConcurrentLookupsEachGetTheirOwnEstateAndRecipient) {
  // Lookups that arrive together are read in one query (batcher.h); each answer must still be
  // exactly its own estate, filtered to its own recipient.
  const std::vector<std::string> estates = {"60000000001", "60000000002", "60000000003"};
  for (size_t i = 0; i < estates.size(); ++i)
    send(case_event(estates[i], "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, i ? kAsset : ""}}));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int n = 0; n < 25; ++n) {
        const std::string& e = estates[size_t(t + n) % estates.size()];
        bool with_to = (t + n) % 2 == 0;
        Json body = {{"from", e}};
        if (with_to) body["to"] = kA;
        auto r = call(kPip, body, internal_);
        if (r.status != 200) {
          failures++;
          continue;
        }
        Json rows = Json::parse(r.body)["roleAssignments"];
        size_t want = with_to ? 2 : (e == estates[0] ? 2 : 3);  // A: probate + collective
        bool ok = rows.size() == want;
        for (const auto& row : rows) ok = ok && row["from"] == e && (!with_to || row["to"] == kA);
        if (!ok) failures++;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_P(RulesTest, ConcurrentAddsAndRemovesLeaveTheDerivedState) {
  // Writers of one estate are serialised, so whatever the interleaving, the final rows are a
  // fixed point of the collective rule for the final individual grants.
  two_heirs();
  const std::vector<std::string> heirs = {kA, kB};
  const std::vector<std::string> recipients = {kX, kC, kA, kB};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int n = 0; n < 15; ++n) {
        const std::string& heir = heirs[size_t(t + n) % heirs.size()];
        const std::string& to = recipients[size_t(t * 3 + n) % recipients.size()];
        int status = (t + n) % 3 == 0 ? remove(heir, to).status : add(heir, to).status;
        if (status != 201 && status != 204 && status != 409) unexpected++;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  std::vector<Assignment> rows;
  for (const auto& [recipient, role, heir] : state()) {
    Assignment a;
    a.estate = kEstate;
    a.recipient = recipient;
    a.role = role;
    if (!heir.empty()) a.heir = heir;
    rows.push_back(a);
  }
  EXPECT_TRUE(plan_collective(rows, kRoles).empty());
}

// ---- The CLI against the same database ---------------------------------------------------------

TEST_P(RulesTest, CliShowsRolesProxiesAndWhyEachCollectiveHolds) {
  two_heirs();
  ASSERT_EQ(add(kA, kX).status, 201);
  ASSERT_EQ(add(kB, kX).status, 201);
  ASSERT_EQ(add(kB, kA).status, 201);
  auto r = testing::run_registrar("authz show " + kEstate, p_->env());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string& out = r.output;
  EXPECT_NE(out.find("estate " + kEstate), std::string::npos) << out;
  EXPECT_NE(out.find("roles (3):"), std::string::npos) << out;
  EXPECT_NE(out.find("proxies (5):"), std::string::npos) << out;
  EXPECT_NE(out.find("granted by heir " + kA), std::string::npos) << out;
  EXPECT_NE(out.find("why: collective proxy: individual proxies from all probate heirs (" + kA +
                     ", " + kB + ")"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("why: collective proxy: probate heir with individual proxies from all other "
                     "probate heirs (" +
                     kB + ")"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(std::string(kCaseStatusUpdateValidated) +
                     "  last processed 2025-08-01T18:00:00+00:00"),
            std::string::npos)
      << out;
  auto bad = testing::run_registrar("authz show 123", p_->env());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("Invalid EstateSsn"), std::string::npos) << bad.output;
}

INSTANTIATE_TEST_SUITE_P(Backends, RulesTest, ::testing::ValuesIn(testing::test_backends()));

}  // namespace
}  // namespace registrar::authz::test
