#include "ibr/search.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "ibr/examples.h"

namespace registrar::ibr {
namespace {

using Json = nlohmann::json;
using test::example;

Json item(Json criteria) {
  return {{"reference_id", "r1"},
          {"timestamp", "2024-01-01T00:00:00Z"},
          {"search_criteria", std::move(criteria)}};
}

TEST(IbrSearch, SpecSampleProcessflow3aIsRead) {
  SearchRequest r = parse_search_request(example("processflow3areq.json")["message"], 1000);
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].reject_code, "");
  EXPECT_EQ(r.items[0].id, (Identifier{"UIN", "847951632"}));
  EXPECT_EQ(r.items[0].page_size, 10);
  EXPECT_EQ(r.items[0].page_number, 1);
  EXPECT_EQ(r.items[0].consent, "");  // carried as sent
}

TEST(IbrSearch, ItemsThatCannotBeAnsweredAreRejectedOneByOne) {
  Json msg = {{"transaction_id", "t"},
              {"search_request",
               {item({{"query_type", "expression"}, {"query", Json::object()}}),
                item({{"query_type", "idtype-value"}, {"query", {{"type", "UIN"}}}}),
                item({{"query_type", "idtype-value"},
                      {"query", {{"type", "UIN"}, {"value", 1}}},
                      {"pagination", {{"page_size", 5000}}}}),
                item({{"query_type", "idtype-value"},
                      {"query", {{"type", "UIN"}, {"value", 1}}},
                      {"pagination", {{"page_size", "20"}, {"page_number", 3}}}})}}};
  SearchRequest r = parse_search_request(msg, 1000);
  ASSERT_EQ(r.items.size(), 4u);
  EXPECT_EQ(r.items[0].reject_code, "rjct.search_criteria.invalid");
  EXPECT_EQ(r.items[1].reject_code, "rjct.search_criteria.invalid");
  EXPECT_EQ(r.items[2].reject_code, "rjct.pagination.invalid");
  EXPECT_EQ(r.items[3].reject_code, "");
  EXPECT_EQ(r.items[3].page_size, 20);
  EXPECT_EQ(r.items[3].page_number, 3);
  EXPECT_EQ(r.items[3].id.value, "1");
}

TEST(IbrSearch, EnrolledRequestBothQueryForms) {
  // processflow2: {attribute_name: person_identifier, operator: eq, attribute_value}.
  SearchRequest r = parse_enrolled_request(example("processflow2req.json")["message"], 50);
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].reject_code, "");
  EXPECT_EQ(r.items[0].id, (Identifier{"", "847951632"}));  // any identifier type
  EXPECT_EQ(r.items[0].page_size, 50);
  Json spec_form = {
      {"transaction_id", "t"},
      {"enrolled_criteria",
       {{"query_type", "expression"}, {"query", {{"person_identifier", {{"eq", "ABC451123"}}}}}}}};
  EXPECT_EQ(parse_enrolled_request(spec_form, 10).items[0].id.value, "ABC451123");
  Json other = {{"transaction_id", "t"},
                {"enrolled_criteria", {{"query", {{"attribute_name", "YOB"}}}}}};
  EXPECT_EQ(parse_enrolled_request(other, 10).items[0].reject_code, "rjct.search_criteria.invalid");
  EXPECT_THROW(parse_enrolled_request(Json{{"transaction_id", "t"}}, 10), core::Error);
}

TEST(IbrSearch, MalformedMessageThrows) {
  EXPECT_THROW(parse_search_request(Json{{"transaction_id", "t"}}, 10), core::Error);
  EXPECT_THROW(parse_search_request(Json{{"search_request", Json::array()}}, 10), core::Error);
}

TEST(IbrSearch, ResponseItemShapes) {
  SearchItem it;
  it.reference_id = "r1";
  it.page_size = 2;
  StoredBeneficiary b{"s", "ref", Json{{"@type", "Beneficiary"}}, false};
  SearchResult result{{reg_record(b, {{"P1", "Cash", "Active", "", ""}})}, 5};
  Json ok = search_response_item(it, &result, "ts");
  EXPECT_EQ(ok["status"], "succ");
  EXPECT_EQ(ok["pagination"], (Json{{"page_size", 2}, {"page_number", 1}, {"total_count", 5}}));
  EXPECT_EQ(ok["data"]["reg_records"][0]["programs"][0]["name"], "Cash");
  EXPECT_FALSE(ok.contains("consent"));
  it.consent = {{"ts", "2024-01-01T00:00:00Z"}, {"purpose", {{"code", "dedup"}}}};
  EXPECT_EQ(search_response_item(it, &result, "ts")["consent"]["purpose"]["code"], "dedup");
  it.reject_code = "rjct.pagination.invalid";
  Json no = search_response_item(it, nullptr, "ts");
  EXPECT_EQ(no["status"], "rjct");
  EXPECT_EQ(no["status_reason_code"], "rjct.pagination.invalid");
}

}  // namespace
}  // namespace registrar::ibr
