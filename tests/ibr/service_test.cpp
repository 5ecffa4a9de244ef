#include "ibr/service.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "ibr/ibr_fixture.h"

namespace registrar::ibr {
namespace {

using Json = nlohmann::json;

Json beneficiary(const std::string& ref, const std::string& nid,
                 const std::vector<std::string>& programmes) {
  Json progs = Json::array();
  for (const auto& p : programmes)
    progs.push_back({{"programme_identifier", p},
                     {"programme_name", "Programme " + p},
                     {"enrolment_status", "Active"}});
  return {{"reference_id", ref},
          {"@type", "Beneficiary"},
          {"identifier",
           {{{"identifier_type", "NID"}, {"identifier_value", nid}},
            {{"identifier_type", "UIN"}, {"identifier_value", "U" + nid}}}},
          {"programme", progs}};
}

Json updates(std::vector<Json> beneficiaries) {
  return {{"transaction_id", "t1"}, {"enrolled_updates", {{"beneficiaries", beneficiaries}}}};
}

Json search(const std::string& type, const std::string& value, int page_size = 10,
            int page_number = 1) {
  return {{"transaction_id", "t2"},
          {"search_request",
           {{{"reference_id", "r1"},
             {"timestamp", "2024-01-01T00:00:00Z"},
             {"search_criteria",
              {{"query_type", "idtype-value"},
               {"query", {{"type", type}, {"value", value}}},
               {"pagination", {{"page_size", page_size}, {"page_number", page_number}}}}}}}}};
}

class IbrServiceDb : public test::IbrDbTest {
 protected:
  Json found(const std::string& type, const std::string& value) {
    return service_->sync_search(search(type, value))["search_response"][0];
  }
};

TEST_P(IbrServiceDb, UpsertIsIdempotentByReference) {
  Json first =
      service_->apply_updates(updates({beneficiary("ref-1", "111", {"A", "B"})}), "sp", "q1");
  EXPECT_EQ(first["transaction_id"], "t1");
  EXPECT_EQ(first["enrolled_response"][0]["status"], "succ");
  EXPECT_EQ(first["enrolled_response"][0]["reference_id"], "ref-1");
  // The same update again, then a changed one: still one beneficiary, with the latest programmes.
  service_->apply_updates(updates({beneficiary("ref-1", "111", {"A", "B"})}), "sp", "q2");
  Json one = found("NID", "111");
  EXPECT_EQ(one["pagination"]["total_count"], 1);
  EXPECT_EQ(one["data"]["reg_records"][0]["programs"].size(), 2u);
  service_->apply_updates(updates({beneficiary("ref-1", "111", {"C"})}), "sp", "q3");
  one = found("UIN", "U111");
  ASSERT_EQ(one["data"]["reg_records"].size(), 1u);
  EXPECT_EQ(one["data"]["reg_records"][0]["programs"],
            (Json{{{"name", "Programme C"}, {"id", "C"}, {"status", "Active"}}}));
}

TEST_P(IbrServiceDb, SameIdentifierFromTwoSendersIsADuplicate) {
  service_->apply_updates(updates({beneficiary("ref-1", "111", {"A"})}), "sp-one", "q1");
  service_->apply_updates(updates({beneficiary("x-9", "111", {"B"})}), "sp-two", "q2");
  Json both = found("NID", "111");
  EXPECT_EQ(both["pagination"]["total_count"], 2);
  EXPECT_EQ(both["data"]["reg_records"].size(), 2u);
  // Pagination: one per page.
  Json page2 = service_->sync_search(search("NID", "111", 1, 2))["search_response"][0];
  EXPECT_EQ(page2["data"]["reg_records"].size(), 1u);
  EXPECT_EQ(page2["data"]["reg_records"][0]["programs"][0]["id"], "B");
  EXPECT_EQ(found("NID", "999")["data"]["reg_records"].size(), 0u);
  EXPECT_EQ(found("UIN", "111")["data"]["reg_records"].size(), 0u);  // type is part of the key
}

TEST_P(IbrServiceDb, EnrolledMatchesAnyIdentifierType) {
  service_->apply_updates(updates({beneficiary("ref-1", "111", {"A", "B"})}), "sp", "q1");
  auto enrolled = [&](const std::string& value) {
    return service_->sync_enrolled({{"transaction_id", "t3"},
                                    {"enrolled_criteria",
                                     {{"query",
                                       {{"attribute_name", "person_identifier"},
                                        {"operator", "eq"},
                                        {"attribute_value", value}}}}}})["search_response"][0];
  };
  EXPECT_EQ(enrolled("111")["data"]["reg_records"][0]["programs"].size(), 2u);   // the NID
  EXPECT_EQ(enrolled("U111")["data"]["reg_records"][0]["programs"].size(), 2u);  // the UIN
  EXPECT_EQ(enrolled("999")["pagination"]["total_count"], 0);
}

TEST_P(IbrServiceDb, DeletionRemovesFromSearch) {
  service_->apply_updates(updates({beneficiary("ref-1", "111", {"A"})}), "sp", "q1");
  Json gone = beneficiary("ref-1", "111", {"A"});
  gone["deleted"] = true;
  Json r = service_->apply_updates(updates({gone}), "sp", "q2");
  EXPECT_EQ(r["enrolled_response"][0]["status"], "succ");
  EXPECT_EQ(found("NID", "111")["pagination"]["total_count"], 0);
  // Reported again, it is back.
  service_->apply_updates(updates({beneficiary("ref-1", "111", {"A"})}), "sp", "q3");
  EXPECT_EQ(found("NID", "111")["pagination"]["total_count"], 1);
}

TEST_P(IbrServiceDb, MalformedUpdateStoresNothing) {
  Json bad = updates({beneficiary("ref-1", "111", {"A"})});
  bad.erase("transaction_id");
  EXPECT_THROW(service_->apply_updates(bad, "sp", "q1"), core::Error);
  EXPECT_EQ(found("NID", "111")["pagination"]["total_count"], 0);
  // A bad item is refused alone.
  Json r = service_->apply_updates(updates({Json{{"@type", "x"}}, beneficiary("ref-2", "222", {})}),
                                   "sp", "q2");
  EXPECT_EQ(r["enrolled_response"][0]["status"], "rjct");
  EXPECT_EQ(r["enrolled_response"][1]["status"], "succ");
}

INSTANTIATE_TEST_SUITE_P(Backends, IbrServiceDb, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr
