// Event parsing (§7.1, §7.2, §11) and the cursor rule (§7.3), without a database.
#include <gtest/gtest.h>

#include "authz/authz_fixture.h"
#include "authz/events.h"
#include "authz/fixture_errors.h"

namespace registrar::authz::test {
namespace {

TEST(EventParseTest, CaseEventWithDataAsStringOrObject) {
  Json payload = case_payload({{kA, kProbate}, {kB, kProbate}, {kC, kAsset}, {kC, kAsset}});
  payload["heirRolesV2"].push_back({{"type", "Person"},
                                    {"nin", "bad-nin"},
                                    {"role", nullptr},
                                    {"relation", "urn:digitaltdodsbo:arving:barn"}});
  payload["heirRolesV2"].push_back(
      {{"type", "PappPerson"},
       {"name", {{"firstName", "Papp"}, {"middleName", {"Pappson"}}, {"lastName", "Person"}}},
       {"dateOfBirth", "2020-01-01T00:00:00+00:00"},
       {"relation", "urn:digitaltdodsbo:arving:barn"}});
  payload["heirRolesV2"].push_back({{"relation", "urn:digitaltdodsbo:arving:testArvingBegr"},
                                    {"type", "Organization"},
                                    {"orgNo", "123456789"}});
  payload["heirRolesV2"].push_back({{"type", "PappOrganization"},
                                    {"name", "PappOrg"},
                                    {"orgNo", nullptr},
                                    {"countryCode", nullptr},
                                    {"relation", "urn:digitaltdodsbo:arving:testArvingBegr"}});
  payload["heirRolesV2"].push_back(
      {{"type", "Person"}, {"nin", kX}, {"role", "urn:altinn:something:else"}, {"relation", "r"}});
  for (bool as_string : {true, false}) {
    Event ev = parse_event(envelope(kCaseStatusUpdateValidated, "/person/" + kEstate,
                                    "2025-08-01T18:00:00+00:00", payload, as_string));
    auto* e = std::get_if<EstateCaseEvent>(&ev);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->estate, kEstate);
    EXPECT_EQ(e->type, kCaseStatusUpdateValidated);
    EXPECT_EQ(*e->time, at("2025-08-01T18:00:00Z"));
    ASSERT_TRUE(e->data);
    const EstateCasePayload p = parse_case_payload(*e->data, kRoles);
    EXPECT_FALSE(p.feilfort);
    // Only Person heirs with a court role count, de-duplicated.
    EXPECT_EQ(p.court_roles,
              (std::vector<CourtRole>{{kA, kProbate}, {kB, kProbate}, {kC, kAsset}}));
  }
}

TEST(EventParseTest, TypesAndEnvelopeErrors) {
  Json data = case_payload({});
  EXPECT_TRUE(
      std::holds_alternative<IgnoredEvent>(parse_event(Json{{"type", kValidateSubscription}})));
  auto manual = parse_event(envelope(kCaseStatusManuallySynced, kEstate, "", data));
  ASSERT_TRUE(std::holds_alternative<EstateCaseEvent>(manual));
  EXPECT_FALSE(std::get<EstateCaseEvent>(manual).time);
  auto feilfort = parse_event(envelope(kCaseStatusUpdateValidated, kEstate, "2025-01-01T00:00:00Z",
                                       case_payload({}, "FEILFORT")));
  EXPECT_TRUE(parse_case_payload(*std::get<EstateCaseEvent>(feilfort).data, kRoles).feilfort);
  auto null_data = parse_event(
      envelope(kCaseStatusUpdateValidated, kEstate, "2025-01-01T00:00:00Z", Json(nullptr)));
  EXPECT_FALSE(std::get<EstateCaseEvent>(null_data).data);

  EXPECT_INVALID(parse_event(std::string_view("{not json")), "",
                 "event body is not valid JSON (at byte 3)");
  EXPECT_INVALID(parse_event(Json{{"id", "1"}}), "type", "type is required");
  EXPECT_INVALID(parse_event(envelope("no.altinn.other", kEstate, "", data)), "type",
                 "Unknown event type");
  EXPECT_INVALID(parse_event(envelope(kCaseStatusUpdateValidated, "/party/" + kEstate, "", data)),
                 "subject", "Subject must be SSN with '/person/' prefix");
  Json no_subject = envelope(kCaseStatusUpdateValidated, kEstate, "", data);
  no_subject.erase("subject");
  EXPECT_INVALID(parse_event(no_subject), "subject", "Subject is required");
  EXPECT_INVALID(parse_event(envelope(kCaseStatusUpdateValidated, kEstate, "yesterday", data)),
                 "time", "time must be an RFC 3339 date-time");
  Json no_data = envelope(kCaseStatusUpdateValidated, kEstate, "", data);
  no_data.erase("data");
  EXPECT_INVALID(parse_event(no_data), "data", "data is required");
  Json bad_string = envelope(kCaseStatusUpdateValidated, kEstate, "", data);
  bad_string["data"] = "{oops";
  EXPECT_INVALID(parse_event(bad_string), "data", "data is not valid JSON");
}

TEST(EventParseTest, PayloadErrorsNameTheField) {
  Json p = case_payload({{kA, kProbate}});
  p["heirRolesV2"][0]["nin"] = "1234";
  EXPECT_INVALID(parse_case_payload(p, kRoles), "data.heirRolesV2[0].nin", "Nin");
  p = case_payload({{kA, kProbate}});
  p["heirRolesV2"][0]["type"] = "Robot";
  EXPECT_INVALID(
      parse_case_payload(p, kRoles), "data.heirRolesV2[0].type",
      "data.heirRolesV2[0].type must be Person, PappPerson, Organization or PappOrganization");
  p = case_payload({{kA, kProbate}});
  p["heirRolesV2"][0].erase("relation");
  EXPECT_INVALID(parse_case_payload(p, kRoles), "data.heirRolesV2[0].relation",
                 "data.heirRolesV2[0].relation is required");
  p = case_payload({{kA, kProbate}});
  p.erase("caseStatus");
  EXPECT_INVALID(parse_case_payload(p, kRoles), "data.caseStatus", "data.caseStatus is required");
  p = case_payload({{kA, "urn:domstolene:digitaltdodsbo:" + std::string(40, 'x')}});
  EXPECT_INVALID(parse_case_payload(p, kRoles), "data.heirRolesV2[0].role",
                 "role codes are at most 60 characters");
  // FEILFORT wipes the estate without looking at its heirs: their nins are not judged, their
  // structure still is.
  p = case_payload({{"1234", kProbate}}, "FEILFORT");
  EXPECT_TRUE(parse_case_payload(p, kRoles).feilfort);
  EXPECT_TRUE(parse_case_payload(p, kRoles).court_roles.empty());
  p["heirRolesV2"][0]["type"] = "Robot";
  EXPECT_INVALID(
      parse_case_payload(p, kRoles), "data.heirRolesV2[0].type",
      "data.heirRolesV2[0].type must be Person, PappPerson, Organization or PappOrganization");
  // A person without a court role is not validated (as the original).
  p = case_payload({{"not-a-nin", ""}});
  EXPECT_TRUE(parse_case_payload(p, kRoles).court_roles.empty());
  // heirRolesV2 missing means no court roles.
  p.erase("heirRolesV2");
  EXPECT_TRUE(parse_case_payload(p, kRoles).court_roles.empty());
}

TEST(EventParseTest, ProbateFlags) {
  Json p = case_payload({});
  EXPECT_FALSE(parse_case_payload(p, kRoles).probate_issued);
  p["probateResultV2"] = {{"result", "Skifteattest"}, {"heirs", Json::array()}};
  auto r = parse_case_payload(p, kRoles);
  EXPECT_TRUE(r.probate_issued);
  EXPECT_FALSE(r.contains_probate_heirs);
  p["probateResultV2"]["heirs"].push_back({{"type", "Person"}, {"nin", kA}});
  EXPECT_TRUE(parse_case_payload(p, kRoles).contains_probate_heirs);
  p.erase("probateResultV2");
  p["resultType"] = "Privat";
  EXPECT_TRUE(parse_case_payload(p, kRoles).probate_issued);
}

TEST(EventParseTest, ProtectedAddress) {
  auto ev = parse_event(
      envelope(kProtectedAddressUpdate, "/person/" + kA, "2025-01-01T00:00:00Z", {{"nin", kA}}));
  EXPECT_EQ(std::get<ProtectedAddressEvent>(ev).person, kA);
  auto null = parse_event(
      envelope(kProtectedAddressUpdate, "/person/" + kA, "2025-01-01T00:00:00Z", Json(nullptr)));
  EXPECT_FALSE(std::get<ProtectedAddressEvent>(null).person);
  EXPECT_INVALID(parse_event(envelope(kProtectedAddressUpdate, kA, "", {{"nin", "12"}})),
                 "data.nin", "Nin");
  EXPECT_INVALID(parse_event(envelope(kProtectedAddressUpdate, kA, "", Json::object())), "data.nin",
                 "data.nin is required");
}

TEST(CursorTest, OutOfOrderAndDuplicatesAreDiscarded) {
  auto t17 = at("2025-08-01T17:00:00Z"), t18 = at("2025-08-01T18:00:00Z");
  EXPECT_TRUE(should_process(std::nullopt, t17));
  EXPECT_TRUE(should_process(std::nullopt, std::nullopt));
  EXPECT_TRUE(should_process(t17, t18));
  EXPECT_FALSE(should_process(t18, t17));  // out of order
  EXPECT_FALSE(should_process(t18, t18));  // duplicate (equal timestamps)
  EXPECT_FALSE(should_process(t18, std::nullopt));
}

}  // namespace
}  // namespace registrar::authz::test
