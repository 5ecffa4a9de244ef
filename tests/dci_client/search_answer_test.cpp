// Reading answers: OpenSPP's own scenarios (test_ibr_service.py, test_callback.py; dci-ibr.md
// §8.3–8.4) rewritten as table rows, the spec's example answers, and our IBR's registrar_match.
#include "dci_client/search_answer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;
using Kind = ItemOutcome::Kind;

Json example(const std::string& dir, const std::string& name) {
  std::ifstream in(dir + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return Json::parse(ss.str());
}

// OpenSPP's _create_mock_search_response: a sync item whose data is a list of records.
Json openspp_item(const std::vector<std::string>& programmes, const std::string& name) {
  Json progs = Json::array();
  for (const auto& p : programmes) progs.push_back({{"name", p}});
  return {{"reference_id", "ref-001"},
          {"status", "succ"},
          {"data",
           {{{"given_name", name.substr(0, name.find(' '))},
             {"family_name", name.substr(name.find(' ') + 1)},
             {"identifiers", {{{"type", "UIN"}, {"value", "UIN-IBR-TEST-12345"}}}},
             {"programs", progs}}}}};
}

struct AnswerCase {
  const char* name;
  Json item;
  AnswerPath path;
  Kind kind;
  CheckResult result;
  std::vector<std::string> programmes;
};

// gtest names the case in ctest's list by its name, not its bytes.
void PrintTo(const AnswerCase& c, std::ostream* os) {
  *os << c.name;
}

class SearchAnswerCases : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(SearchAnswerCases, Reads) {
  const AnswerCase& tc = GetParam();
  ItemOutcome o = read_item(tc.item, tc.path);
  EXPECT_EQ(o.kind, tc.kind) << o.reason;
  if (tc.kind == Kind::kCompleted) {
    EXPECT_EQ(o.result, tc.result);
    EXPECT_EQ(o.programmes, tc.programmes);
  } else {
    EXPECT_FALSE(o.reason.empty());
  }
  EXPECT_EQ(o.raw, tc.item);  // kept as received (raw_response)
}

Json records_item(Json records, const char* status = "succ") {
  return {{"reference_id", "r"}, {"status", status}, {"data", {{"reg_records", records}}}};
}

INSTANTIATE_TEST_SUITE_P(
    OpenSpp, SearchAnswerCases,
    ::testing::Values(
        // test_check_duplication_with_match: programs [{name}] -> duplicate, both programmes.
        AnswerCase{"sync_match",
                   openspp_item({"Program B", "Program A"}, "John Doe"),
                   AnswerPath::kSync,
                   Kind::kCompleted,
                   CheckResult::kConfirmedMatch,
                   {"Program A", "Program B"}},
        // test_check_duplication_no_match: no records.
        AnswerCase{"sync_no_records",
                   {{"reference_id", "r"}, {"status", "succ"}, {"data", Json::array()}},
                   AnswerPath::kSync,
                   Kind::kCompleted,
                   CheckResult::kNoMatch,
                   {}},
        // test_extract_programs_list: objects and strings.
        AnswerCase{
            "programs_objects_and_strings",
            {{"data",
              {{{"programs", {{{"name", "Program A"}}, {{"name", "Program B"}}, "Program C"}}}}}},
            AnswerPath::kSync,
            Kind::kCompleted,
            CheckResult::kConfirmedMatch,
            {"Program A", "Program B", "Program C"}},
        // _extract_programs: name, else id, else code.
        AnswerCase{
            "programs_id_and_code",
            {{"data",
              {{{"programs", {{{"id", 42}}, {{"code", "CT"}}, {{"name", ""}, {"id", "P-9"}}}}}}}},
            AnswerPath::kSync,
            Kind::kCompleted,
            CheckResult::kConfirmedMatch,
            {"42", "CT", "P-9"}},
        // test_extract_programs_enrollments.
        AnswerCase{"enrollments",
                   {{"data",
                     {{{"enrollments",
                        {{{"program_name", "Program X"}},
                         {{"program_id", "PROG-Y"}},
                         {{"program", "Z"}}}}}}}},
                   AnswerPath::kSync,
                   Kind::kCompleted,
                   CheckResult::kConfirmedMatch,
                   {"PROG-Y", "Program X", "Z"}},
        // §8.3 ⚠: the spec's {reg_records} shape (OpenSPP reads no_match; we read the records).
        AnswerCase{"sync_spec_shape",
                   records_item({{{"programs", {"Cash"}}}}),
                   AnswerPath::kSync,
                   Kind::kCompleted,
                   CheckResult::kConfirmedMatch,
                   {"Cash"}},
        // A rejected item fails the check with its reason (OpenSPP's sync path ignored status).
        AnswerCase{"sync_rjct",
                   {{"reference_id", "r"},
                    {"status", "rjct"},
                    {"status_reason_code", "rjct.search_criteria.invalid"},
                    {"status_reason_message", "query type graphql is not supported"}},
                   AnswerPath::kSync,
                   Kind::kFailed,
                   CheckResult::kNoMatch,
                   {}},
        // test_on_search_updates_pending_check_to_match.
        AnswerCase{"callback_match",
                   records_item({{{"programs", {{{"name", "Cash Transfer"}}}}}}),
                   AnswerPath::kCallback,
                   Kind::kCompleted,
                   CheckResult::kConfirmedMatch,
                   {"Cash Transfer"}},
        // The callback path's programs[].program_name.
        AnswerCase{"callback_program_name",
                   records_item({{{"programs", {{{"program_name", "Food"}}}}}}),
                   AnswerPath::kCallback,
                   Kind::kCompleted,
                   CheckResult::kConfirmedMatch,
                   {"Food"}},
        // test_on_search_no_records_is_no_match.
        AnswerCase{"callback_no_records",
                   records_item(Json::array()),
                   AnswerPath::kCallback,
                   Kind::kCompleted,
                   CheckResult::kNoMatch,
                   {}},
        // test_on_search_non_success_item_skipped: rjct fails; rcvd/pdng wait.
        AnswerCase{"callback_rjct",
                   {{"status", "rjct"}, {"status_reason_message", "bad"}},
                   AnswerPath::kCallback,
                   Kind::kFailed,
                   CheckResult::kNoMatch,
                   {}},
        AnswerCase{"callback_pdng",
                   records_item({{{"programs", {"X"}}}}, "pdng"),
                   AnswerPath::kCallback,
                   Kind::kWaiting,
                   CheckResult::kNoMatch,
                   {}},
        AnswerCase{"callback_no_status",
                   {{"data", {{"reg_records", Json::array()}}}},
                   AnswerPath::kCallback,
                   Kind::kWaiting,
                   CheckResult::kNoMatch,
                   {}},
        // The spec's Person.programme[] and Beneficiary member.programme_identifier.programme.
        AnswerCase{"spec_person_programme",
                   records_item({{{"programme",
                                   {{{"programme_name", "Child Grant"}},
                                    {{"programme_name", ""}, {"programme_identifier", "P-2"}}}}}}),
                   AnswerPath::kCallback,
                   Kind::kCompleted,
                   CheckResult::kConfirmedMatch,
                   {"Child Grant", "P-2"}},
        AnswerCase{"spec_beneficiary_member",
                   records_item({{{"member",
                                   {{"programme_identifier",
                                     {{"programme",
                                       {{"programme_identifier", "DCI001"},
                                        {"programme_name", "Test Programme"}}}}}}}}}),
                   AnswerPath::kSync,
                   Kind::kCompleted,
                   CheckResult::kConfirmedMatch,
                   {"Test Programme"}},
        // Our IBR: a fuzzy hit below its confirmed level is a possible match...
        AnswerCase{"registrar_possible",
                   records_item({{{"registrar_match",
                                   {{"score", 0.86},
                                    {"level", "possible"},
                                    {"enrollments", {{{"programme_name", "Cash"}}}}}}}}),
                   AnswerPath::kSync,
                   Kind::kCompleted,
                   CheckResult::kPossibleMatch,
                   {"Cash"}},
        // ...one confirmed hit among possible ones makes the check confirmed.
        AnswerCase{"registrar_confirmed_wins",
                   records_item({{{"registrar_match", {{"score", 0.86}, {"level", "possible"}}}},
                                 {{"registrar_match", {{"score", 1.0}, {"level", "confirmed"}}}}}),
                   AnswerPath::kSync,
                   Kind::kCompleted,
                   CheckResult::kConfirmedMatch,
                   {}}),
    [](const auto& info) { return std::string(info.param.name); });

// test_parse_search_response_empty / _invalid: OpenSPP returns no matches; we say the answer
// cannot be read (the check fails with that reason instead of reporting a false no_match).
TEST(SearchAnswer, AMessageWithoutSearchResponseIsRefused) {
  EXPECT_THROW(items_by_reference(Json::object()), core::Error);
  EXPECT_THROW(items_by_reference({{"invalid", "data"}}), core::Error);
  Json message = {{"search_response", {{{"reference_id", "a"}}, {{"x", 1}}}}};
  auto items = items_by_reference(message);
  EXPECT_EQ(items.size(), 2u);
  EXPECT_TRUE(items.contains("a"));
  EXPECT_TRUE(items.contains(""));
}

TEST(SearchAnswer, RecordProgrammesAreUniqueInOrder) {
  Json r = {{"programs", {"B", {{"name", "A"}}, "B"}}, {"enrollments", {{{"program_name", "A"}}}}};
  EXPECT_EQ(record_programmes(r), (std::vector<std::string>{"B", "A"}));
  EXPECT_TRUE(record_programmes(Json::object()).empty());
  EXPECT_TRUE(item_records({{"data", "oops"}}).empty());
  EXPECT_EQ(item_records({{"data", {{{"a", 1}}, "not a record"}}}).size(), 1u);
}

// The spec's example answers (processflow2/3a/4), in both copies of the examples.
class SpecExamples : public ::testing::TestWithParam<std::string> {};

TEST_P(SpecExamples, ReadAsTheirRecordsSay) {
  std::vector<std::string> dirs = {DCI_EXAMPLES_DIR};
#ifdef SPEC_EXAMPLES_DIR
  dirs.push_back(SPEC_EXAMPLES_DIR);
#endif
  for (const std::string& dir : dirs) {
    Json msg = example(dir, GetParam())["message"];
    auto items = items_by_reference(msg);
    ASSERT_EQ(items.size(), 1u) << dir;
    const Json& item = *items.begin()->second;
    // status "rcvd": the sync path reads it (OpenSPP ignores status there), a callback waits.
    ItemOutcome sync = read_item(item, AnswerPath::kSync);
    ASSERT_EQ(sync.kind, Kind::kCompleted);
    EXPECT_EQ(sync.result, CheckResult::kConfirmedMatch);
    EXPECT_EQ(read_item(item, AnswerPath::kCallback).kind, Kind::kWaiting);
    if (GetParam() == "processflow2res.json")
      EXPECT_EQ(sync.programmes, std::vector<std::string>{"Test Programme"});
    else
      EXPECT_TRUE(sync.programmes.empty());  // their programme names are ""
  }
}

INSTANTIATE_TEST_SUITE_P(Spec, SpecExamples,
                         ::testing::Values("processflow2res.json", "processflow3ares.json",
                                           "processflow4res.json"));

}  // namespace
}  // namespace registrar::dci_client
