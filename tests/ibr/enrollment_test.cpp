#include "ibr/enrollment.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "ibr/examples.h"

namespace registrar::ibr {
namespace {

using Json = nlohmann::json;
using test::example;

Json beneficiary(const std::string& nid, const std::string& programme) {
  return {{"@type", "Beneficiary"},
          {"member",
           {{"member_identifier", {{{"identifier_type", "NID"}, {"identifier_value", nid}}}},
            {"programme_identifier",
             {{"programme",
               {{"programme_identifier", programme}, {"programme_name", "P " + programme}}},
              {"enrolment_date", "2024-04-12T00:00"},
              {"enrolment_status", "Active"}}}}}};
}

TEST(IbrEnrollment, SpecSampleProcessflow1IsRead) {
  // The sample puts the beneficiaries under receipt_information (the request schema says
  // enrolled_updates); both are read.
  EnrollmentUpdates u =
      parse_enrollment_updates(example("processflow1req.json")["message"], "SP-MIS");
  ASSERT_EQ(u.items.size(), 1u);
  const UpdateItem& item = u.items[0];
  EXPECT_EQ(item.problem, "");
  EXPECT_EQ(item.reference_id, "NID:0205202401");
  ASSERT_EQ(item.beneficiary.identifiers.size(), 1u);  // the same NID twice counts once
  EXPECT_EQ(item.beneficiary.identifiers[0], (Identifier{"NID", "0205202401"}));
  ASSERT_EQ(item.beneficiary.enrollments.size(), 1u);
  EXPECT_EQ(item.beneficiary.enrollments[0].programme_id, "DCI001");
  EXPECT_EQ(item.beneficiary.enrollments[0].programme_name, "Test Programme");
  EXPECT_EQ(item.beneficiary.enrollments[0].status, "Active");
}

TEST(IbrEnrollment, ReferenceIdSeveralIdentifiersAndProgrammes) {
  Json b = beneficiary("111", "A");
  b["reference_id"] = "ref-1";
  b["member"]["member_identifier"].push_back(
      {{"identifier_type", "UIN"}, {"identifier_value", 42}});
  b["programme"] = Json::array({{{"programme_identifier", "B"},
                                 {"programme_name", "Bee"},
                                 {"enrolment_status", "Graduated"},
                                 {"graduation_date", "2025-01-01"}}});
  Json msg = {{"transaction_id", "t1"}, {"enrolled_updates", {{"beneficiaries", {b}}}}};
  EnrollmentUpdates u = parse_enrollment_updates(msg, "s");
  ASSERT_EQ(u.items.size(), 1u);
  EXPECT_EQ(u.items[0].reference_id, "ref-1");
  EXPECT_EQ(u.items[0].beneficiary.identifiers,
            (std::vector<Identifier>{{"NID", "111"}, {"UIN", "42"}}));  // numbers as their text
  ASSERT_EQ(u.items[0].beneficiary.enrollments.size(), 2u);
  EXPECT_EQ(u.items[0].beneficiary.enrollments[1].end_date, "2025-01-01");
}

TEST(IbrEnrollment, DeletionAndItemProblems) {
  Json gone = beneficiary("111", "A");
  gone["deleted"] = true;
  Json msg = {{"transaction_id", "t1"},
              {"enrolled_updates", {{"beneficiaries", {gone, Json{{"@type", "Beneficiary"}}, 7}}}}};
  EnrollmentUpdates u = parse_enrollment_updates(msg, "s");
  ASSERT_EQ(u.items.size(), 3u);
  EXPECT_TRUE(u.items[0].deleted);
  EXPECT_EQ(u.items[0].problem, "");
  EXPECT_NE(u.items[1].problem, "");  // neither reference_id nor identifier
  EXPECT_NE(u.items[2].problem, "");  // not an object
}

TEST(IbrEnrollment, MalformedMessageNamesTheMember) {
  try {
    parse_enrollment_updates(Json{{"transaction_id", "t"}}, "s");
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.field(), "message.enrolled_updates");
  }
  EXPECT_THROW(parse_enrollment_updates(Json{{"enrolled_updates", Json::object()}}, "s"),
               core::Error);
  EXPECT_THROW(parse_enrollment_updates(Json::array(), "s"), core::Error);
}

}  // namespace
}  // namespace registrar::ibr
