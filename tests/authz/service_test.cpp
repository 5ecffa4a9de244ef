// AuthzService on every test backend: ingestion (ordering, idempotence, atomicity), the worked
// example of §10 end to end, proxies, lookups, protected-address wipes, audit and uniqueness.
#include <gtest/gtest.h>

#include "authz/authz_fixture.h"
#include "authz/fixture_errors.h"
#include "store/audit.h"

namespace registrar::authz::test {
namespace {

using Row = std::tuple<std::string, std::string, std::string>;
using Outcome = EventResult::Outcome;

class ServiceTest : public AuthzServiceTest {};

std::vector<Row> sorted(std::vector<Row> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST_P(ServiceTest, CourtEventCreatesRolesAndSoleHeirCollective) {
  auto r = send(case_event(kEstate, "2025-08-01T18:00:00+00:00", {{kA, kProbate}, {kC, kAsset}}));
  EXPECT_EQ(r.outcome, Outcome::kApplied);
  EXPECT_EQ(r.granted, 3);
  EXPECT_EQ(state(), sorted({{kA, kProbate, ""}, {kA, kCollective, ""}, {kC, kAsset, ""}}));
  for (const auto& a : rows()) {
    if (a.role == kCollective)
      EXPECT_EQ(a.created, clock_.now());  // derived now
    else
      EXPECT_EQ(a.created, at("2025-08-01T18:00:00Z"));  // court rows carry the event time
  }
}

TEST_P(ServiceTest, CourtRolesAreFullyReplacedPerEstate) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kAsset}}));
  send(case_event("66666666666", "2025-08-01T18:00:00Z", {{kA, kAsset}}));
  send(case_event(kEstate, "2025-08-02T18:00:00Z", {{kB, kProbate}, {kC, kAsset}, {kX, ""}}));
  EXPECT_EQ(state(), sorted({{kB, kCollective, ""}, {kB, kProbate, ""}, {kC, kAsset, ""}}));
  EXPECT_EQ(state("66666666666"), sorted({{kA, kAsset, ""}}));  // untouched
}

TEST_P(ServiceTest, OutOfOrderAndDuplicateEventsAreDiscarded) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kAsset}}));
  auto before = rows();
  EXPECT_EQ(send(case_event(kEstate, "2025-08-01T17:00:00Z", {{kB, kAsset}})).outcome,
            Outcome::kDiscarded);
  EXPECT_EQ(send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kB, kAsset}})).outcome,
            Outcome::kDiscarded);
  auto after = rows();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, before[0].id);  // same row, not re-created
  EXPECT_EQ(send(case_event(kEstate, "2025-08-01T18:00:00.000001Z", {{kB, kAsset}})).outcome,
            Outcome::kApplied);
  EXPECT_EQ(state(), sorted({{kB, kAsset, ""}}));
}

TEST_P(ServiceTest, ReplayingTheSameEventIsIdempotent) {
  Json ev = case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}});
  send(ev);
  service_->add_proxy(proxy(kA, kX), actor_);
  auto first = state();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(send(ev).outcome, Outcome::kDiscarded);
  EXPECT_EQ(state(), first);
}

TEST_P(ServiceTest, ManuallySyncedEventsHaveTheirOwnCursor) {
  send(case_event(kEstate, "2025-09-01T12:00:00Z", {{"99999999991", kAsset}}));
  auto r = send(case_event(kEstate, "2025-09-01T11:00:00Z", {{"99999999992", kAsset}}, "MOTTATT",
                           kCaseStatusManuallySynced));
  EXPECT_EQ(r.outcome, Outcome::kApplied);
  EXPECT_EQ(state(), sorted({{"99999999992", kAsset, ""}}));
  auto report = service_->show_estate(kEstate);
  ASSERT_EQ(report.cursors.size(), 2u);
  EXPECT_EQ(report.cursors[0].first, kCaseStatusManuallySynced);
  EXPECT_EQ(report.cursors[0].second, at("2025-09-01T11:00:00Z"));
  EXPECT_EQ(report.cursors[1].first, kCaseStatusUpdateValidated);
  EXPECT_EQ(report.cursors[1].second, at("2025-09-01T12:00:00Z"));
  EXPECT_EQ(
      send(case_event(kEstate, "2025-09-01T10:00:00Z", {}, "MOTTATT", kCaseStatusManuallySynced))
          .outcome,
      Outcome::kDiscarded);
}

TEST_P(ServiceTest, NullDataIsCheckedAfterTheCursorAndMissingTimeOnlyWithoutCursor) {
  Json null_data = envelope(kCaseStatusUpdateValidated, "/person/" + kEstate,
                            "2025-08-01T18:00:00Z", Json(nullptr));
  EXPECT_INVALID(send(null_data), "data", "data must not be null");
  Json no_time = case_event(kEstate, "", {{kA, kAsset}});
  EXPECT_EQ(send(no_time).outcome, Outcome::kApplied);  // no cursor yet: processed, none written
  EXPECT_TRUE(service_->show_estate(kEstate).cursors.empty());
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kB, kAsset}}));
  EXPECT_EQ(send(no_time).outcome, Outcome::kDiscarded);
  Json old_null =
      envelope(kCaseStatusUpdateValidated, kEstate, "2025-08-01T17:00:00Z", Json(nullptr));
  EXPECT_EQ(send(old_null).outcome, Outcome::kDiscarded);  // discarded before the null check
  EXPECT_EQ(state(), sorted({{kB, kAsset, ""}}));
}

TEST_P(ServiceTest, FeilfortWipesEverything) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}, {kC, kAsset}}));
  service_->add_proxy(proxy(kA, kX), actor_);
  service_->add_proxy(proxy(kB, kX), actor_);
  db_->write([](soci::session& s) {
    db::insert_assignment(
        s, {0, kEstate, kSuperadmin, kC, std::nullopt, at("2025-01-01T00:00:00Z"), "manual"});
  });
  EXPECT_EQ(rows().size(), 7u);
  auto r = send(case_event(kEstate, "2025-08-02T18:00:00Z", {{kA, kProbate}}, "FEILFORT"));
  EXPECT_EQ(r.revoked, 7);
  EXPECT_TRUE(rows().empty());
}

TEST_P(ServiceTest, WorkedExampleOfSection10) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}, {kC, kAsset}}));
  EXPECT_EQ(state(), sorted({{kA, kProbate, ""}, {kB, kProbate, ""}, {kC, kAsset, ""}}));
  auto proxies = service_->add_proxy(proxy(kA, kX), actor_);
  EXPECT_EQ(proxies.size(), 1u);
  proxies = service_->add_proxy(proxy(kB, kX), actor_);
  EXPECT_EQ(proxies_search_response(proxies)["proxyAssignments"].size(), 3u);  // 2 + collective
  service_->add_proxy(proxy(kB, kA), actor_);
  EXPECT_EQ(state(), sorted({{kA, kProbate, ""},
                             {kA, kCollective, ""},
                             {kA, kIndividual, kB},
                             {kB, kProbate, ""},
                             {kC, kAsset, ""},
                             {kX, kCollective, ""},
                             {kX, kIndividual, kA},
                             {kX, kIndividual, kB}}));
  // The court drops B's probate certificate.
  send(case_event(kEstate, "2025-08-02T18:00:00Z", {{kA, kProbate}, {kC, kAsset}}));
  EXPECT_EQ(state(), sorted({{kA, kProbate, ""},
                             {kA, kCollective, ""},
                             {kC, kAsset, ""},
                             {kX, kCollective, ""},
                             {kX, kIndividual, kA}}));
  auto report = service_->show_estate(kEstate);
  ASSERT_EQ(report.collective.size(), 2u);
  EXPECT_EQ(report.collective[0].describe(), "collective proxy: sole probate heir");
  send(case_event(kEstate, "2025-08-03T18:00:00Z", {}, "FEILFORT"));
  EXPECT_TRUE(state().empty());
}

TEST_P(ServiceTest, FailureMidEventLeavesNoPartialState) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}, {kC, kAsset}}));
  auto before = state();
  auto audit_before = db_->read([](soci::session& s) { return store::read_audit(s, "", 1000); });
  // The collective insert at the end of the next event fails inside the database.
  db_->write([&](soci::session& s) {
    if (GetParam() == "sqlite") {
      s << "CREATE TRIGGER fail_collective BEFORE INSERT ON authz_role_assignments WHEN "
           "NEW.role_code = '" +
               kCollective + "' BEGIN SELECT RAISE(ABORT, 'injected'); END";
    } else {
      s << "CREATE FUNCTION fail_collective() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF "
           "NEW.role_code = '" +
               kCollective +
               "' THEN RAISE EXCEPTION 'injected'; END IF; "
               "RETURN NEW; END $$";
      s << "CREATE TRIGGER fail_collective BEFORE INSERT ON authz_role_assignments FOR EACH ROW "
           "EXECUTE FUNCTION fail_collective()";
    }
  });
  Json ev = case_event(kEstate, "2025-08-02T18:00:00Z", {{kA, kProbate}, {kX, kAsset}});
  EXPECT_ANY_THROW(send(ev));
  EXPECT_EQ(state(), before);
  auto report = service_->show_estate(kEstate);
  ASSERT_EQ(report.cursors.size(), 1u);
  EXPECT_EQ(report.cursors[0].second, at("2025-08-01T18:00:00Z"));  // cursor rolled back too
  EXPECT_EQ(db_->read([](soci::session& s) { return store::read_audit(s, "", 1000); }).size(),
            audit_before.size());
  db_->write([&](soci::session& s) {
    s << std::string("DROP TRIGGER fail_collective") +
             (GetParam() == "sqlite" ? "" : " ON authz_role_assignments");
  });
  EXPECT_EQ(send(ev).outcome, Outcome::kApplied);  // the same event now goes through
  EXPECT_EQ(state(), sorted({{kA, kProbate, ""}, {kA, kCollective, ""}, {kX, kAsset, ""}}));
}

TEST_P(ServiceTest, EveryInsertAndDeleteIsAudited) {
  int changes = 0;
  auto r = send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));
  changes += r.granted + r.revoked;
  service_->add_proxy(proxy(kA, kX), actor_);                        // +1
  service_->add_proxy(proxy(kB, kX), actor_);                        // +1 +collective
  service_->remove_proxy(proxy(kB, kX, kEstate, "remove"), actor_);  // -1 -collective
  changes += 5;
  auto audit =
      db_->read([](soci::session& s) { return store::read_audit(s, "estate/" + kEstate, 100); });
  ASSERT_EQ(int(audit.size()), changes);
  int grants = 0;
  for (const auto& a : audit) {
    EXPECT_EQ(a.actor, "test");
    EXPECT_EQ(a.request_id, "req-1");
    EXPECT_FALSE(a.detail["justification"].get<std::string>().empty());
    EXPECT_EQ(a.detail["estateSsn"], kEstate);
    grants += a.action == "authz.role.grant";
  }
  EXPECT_EQ(grants, 5);
  EXPECT_EQ(audit[0].action, "authz.role.revoke");
  EXPECT_EQ(audit[0].detail["role"], kCollective);
  EXPECT_EQ(audit[0].detail["justification"],
            "collective proxy revoked: the collective rule no longer holds");
  EXPECT_EQ(audit[1].detail["justification"], "individual proxy removed by heir " + kB);
  EXPECT_EQ(audit[2].detail["justification"],
            "collective proxy: individual proxies from all probate heirs (" + kA + ", " + kB + ")");
}

TEST_P(ServiceTest, UniquenessRulesOfTheOriginal) {
  auto insert = [&](const std::string& recipient, const std::string& role,
                    std::optional<std::string> heir) {
    db_->write([&](soci::session& s) {
      db::insert_assignment(s, {0, kEstate, role, recipient, heir, clock_.now(), ""});
    });
  };
  auto rejects = [&](auto f) {
    try {
      f();
      return false;
    } catch (const std::exception& e) {
      return store::is_unique_violation(e);
    }
  };
  insert(kA, kProbate, std::nullopt);
  EXPECT_TRUE(rejects([&] { insert(kA, kProbate, std::nullopt); }));  // partial index (heir NULL)
  insert(kX, kCollective, std::nullopt);
  EXPECT_TRUE(rejects([&] { insert(kX, kCollective, std::nullopt); }));
  insert(kX, kIndividual, kA);
  insert(kX, kIndividual, kB);  // another heir: fine
  EXPECT_TRUE(rejects([&] { insert(kX, kIndividual, kA); }));
  insert(kA, kAsset, std::nullopt);  // same recipient, other role: fine
  EXPECT_EQ(rows().size(), 5u);
}

TEST_P(ServiceTest, ProxyRules) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}, {kC, kAsset}}));
  service_->add_proxy(proxy(kA, kX), actor_);
  try {
    service_->add_proxy(proxy(kA, kX), actor_);
    ADD_FAILURE() << "duplicate add must fail";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kConflict);
  }
  EXPECT_INVALID(service_->add_proxy(proxy(kC, kX), actor_), "add.heirSsn",
                 "The heir does not have the probate role for the given estate");
  EXPECT_INVALID(service_->remove_proxy(proxy(kC, kX, kEstate, "remove"), actor_), "remove.heirSsn",
                 "The heir does not have the probate role for the given estate");
  EXPECT_INVALID(service_->add_proxy(proxy(kA, kX, "1111111111"), actor_), "add.estateSsn",
                 "Invalid EstateSsn");
  ProxyChange collective = proxy(kA, kX);
  collective.role = kCollective;
  EXPECT_INVALID(service_->add_proxy(collective, actor_), "add.urn:digitaltdodsbo:rolecode",
                 "Can only assign " + kIndividual);
  // Removing what does not exist is fine; self-assignment is accepted as in the original.
  EXPECT_NO_THROW(service_->remove_proxy(proxy(kB, kX, kEstate, "remove"), actor_));
  EXPECT_NO_THROW(service_->add_proxy(proxy(kB, kB), actor_));
  EXPECT_EQ(state(), sorted({{kA, kProbate, ""},
                             {kB, kProbate, ""},
                             {kB, kIndividual, kB},
                             {kC, kAsset, ""},
                             {kX, kIndividual, kA}}));
}

TEST_P(ServiceTest, Lookups) {
  send(case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kC, kAsset}}));
  service_->add_proxy(proxy(kA, kX), actor_);
  db_->write([](soci::session& s) {
    db::insert_assignment(
        s, {0, kEstate, kSuperadmin, kB, std::nullopt, at("2025-01-01T00:00:00Z"), ""});
  });
  Lookup all = parse_search_request({{"estateSsn", kEstate}});
  auto roles = service_->search_roles(all, false);
  EXPECT_EQ(roles.size(), 5u);  // A probate + collective, C asset, X individual + collective
  for (const auto& v : roles) {
    EXPECT_NE(v.assignment.role, kSuperadmin);
    EXPECT_EQ(v.restricted, v.assignment.role == kAsset);
  }
  EXPECT_EQ(service_->search_roles(all, true).size(), roles.size() + 1);
  Lookup x = parse_search_request({{"estateSsn", kEstate}, {"recipientSsn", kX}});
  auto xp = service_->search_proxies(x);
  ASSERT_EQ(xp.size(), 2u);  // individual from A, and the collective (A is the sole probate heir)
  EXPECT_EQ(service_->search_proxies(all).size(), 3u);
  EXPECT_EQ(service_->pip(parse_pip_request({{"from", kEstate}})).size(), 6u);
  auto pip_b = service_->pip(parse_pip_request({{"from", kEstate}, {"to", kB}}));
  ASSERT_EQ(pip_b.size(), 1u);
  EXPECT_EQ(pip_b[0].role, kSuperadmin);
  EXPECT_TRUE(service_->pip(parse_pip_request({{"from", "77777777777"}})).empty());
  EXPECT_INVALID(service_->pip(parse_pip_request({{"from", "7777777777"}})), "from",
                 "Invalid EstateSsn");
  EXPECT_INVALID(service_->search_roles(
                     parse_search_request({{"estateSsn", kEstate}, {"recipientSsn", ""}}), false),
                 "recipientSsn", "Invalid RecipientSsn");
}

TEST_P(ServiceTest, ProtectedAddressWipes) {
  const std::string e1 = kEstate, e2 = "66666666666", e3 = "77777777777", e4 = "88888888888";
  send(case_event(e1, "2025-08-01T18:00:00Z", {{kA, kProbate}, {kB, kProbate}}));  // A court heir
  send(case_event(e2, "2025-08-01T18:00:00Z", {{kB, kProbate}, {kC, kProbate}}));
  send(case_event(e3, "2025-08-01T18:00:00Z", {{kB, kProbate}}));
  send(case_event(e4, "2025-08-01T18:00:00Z", {{kC, kProbate}}));
  service_->add_proxy(proxy(kB, kA, e2), actor_);  // A is only a proxy recipient in e2
  service_->add_proxy(proxy(kC, kA, e2), actor_);  // ... and now holds the collective there
  service_->add_proxy(proxy(kB, kX, e3), actor_);
  auto e2_before = state(e2);
  ASSERT_EQ(e2_before.size(), 5u);
  auto protect = [&](const std::string& person) {
    return send(envelope(kProtectedAddressUpdate, "/person/" + person, "2025-08-05T00:00:00Z",
                         {{"nin", person}}));
  };
  protect(kA);
  EXPECT_TRUE(state(e1).empty());                                          // wiped
  EXPECT_EQ(state(e2), sorted({{kB, kProbate, ""}, {kC, kProbate, ""}}));  // A's proxies
  EXPECT_EQ(state(e3).size(), 4u);                                         // untouched
  // X is granting heir nowhere; B is the granting heir in e3 -> e3 wiped, e2 (B court) wiped.
  protect(kB);
  EXPECT_TRUE(state(e2).empty());
  EXPECT_TRUE(state(e3).empty());
  EXPECT_EQ(state(e4), sorted({{kC, kCollective, ""}, {kC, kProbate, ""}}));
  EXPECT_EQ(protect("12345678901").revoked, 0);  // nobody: no-op
  EXPECT_EQ(send(envelope(kProtectedAddressUpdate, kA, "", Json(nullptr))).outcome,
            Outcome::kIgnored);
  // The wipe is not durable: a later court event re-grants.
  send(case_event(e1, "2025-08-06T18:00:00Z", {{kA, kProbate}}));
  EXPECT_EQ(state(e1).size(), 2u);
}

TEST_P(ServiceTest, EventSecretIsRequired) {
  Json ev = case_event(kEstate, "2025-08-01T18:00:00Z", {{kA, kAsset}});
  for (const char* wrong : {"", "s3cret-event-ke", "s3cret-event-key!", "S3cret-event-key"}) {
    try {
      service_->ingest_event(wrong, ev.dump(), actor_);
      ADD_FAILURE() << wrong;
    } catch (const core::Error& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::kUnauthenticated);
    }
  }
  EXPECT_TRUE(rows().empty());
  AuthzService open(*db_, clock_, AuthzSettings{});  // no secret configured: refuse everything
  EXPECT_FALSE(open.event_secret_matches(""));
  EXPECT_THROW(open.ingest_event("", ev.dump(), actor_), core::Error);
  EXPECT_EQ(send(Json{{"type", kValidateSubscription}}).outcome, Outcome::kIgnored);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::authz::test
