// The SearchRequest items we send, read back by the IBR's own query readers (src/ibr): what we
// send is what our IBR understands.
#include "dci_client/search_query.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "ibr/person_query.h"
#include "support/refusal.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

const core::SystemTime kNow = core::from_unix_seconds(1'750'000'000);

Registrant person(Json j) {
  return registrant_from_json(j);
}

TEST(SearchQuery, OneIdentifierAloneIsIdtypeValueAsOpenSppSends) {
  Registrant r = person({{"identifiers", {{{"type", "UIN"}, {"value", "12345678"}}}}});
  Json item = search_item(r, "check-1", kNow, QueryOptions{});
  EXPECT_EQ(item["reference_id"], "check-1");
  EXPECT_EQ(item["timestamp"], "2025-06-15T15:06:40.000Z");
  const Json& c = item["search_criteria"];
  EXPECT_EQ(c["query_type"], "idtype-value");
  EXPECT_EQ(c["query"], (Json{{"type", "UIN"}, {"value", "12345678"}}));
  EXPECT_EQ(c["version"], "1.0.0");
  EXPECT_EQ(c["reg_type"], "ns:org:RegistryType:IBR");
  EXPECT_EQ(c["pagination"], (Json{{"page_size", 10}, {"page_number", 1}}));
  EXPECT_FALSE(c.contains("reg_record_type"));  // OpenSPP never sends it (§4)
}

struct ExpressionCase {
  const char* name;
  Json registrant;
  std::string want_name;  // the PersonQuery's name as the IBR reads it
  int want_year;
  size_t want_identifiers;
  std::string want_location;
};

// gtest names the case in ctest's list by its name, not its bytes.
void PrintTo(const ExpressionCase& c, std::ostream* os) {
  *os << c.name;
}

class SearchQueryExpression : public ::testing::TestWithParam<ExpressionCase> {};

TEST_P(SearchQueryExpression, TheIbrReadsThePersonWeMeant) {
  const ExpressionCase& tc = GetParam();
  Registrant r = person(tc.registrant);
  EXPECT_EQ(query_type_for(r), "expression");
  Json item = search_item(r, "ref", kNow, QueryOptions{});
  const Json& query = item["search_criteria"]["query"];
  EXPECT_EQ(query["value"]["expression"]["collection"], "Person");
  ibr::PersonQueryResult read = ibr::read_expression_query(query);
  ASSERT_EQ(read.problem, "") << query.dump();
  EXPECT_EQ(read.query.name, tc.want_name);
  EXPECT_EQ(read.query.birth.year, tc.want_year);
  // One identifier is a condition; several are one "$or" group (any of them held).
  std::vector<ibr::Identifier> ids = read.query.identifiers;
  for (const auto& group : read.query.identifier_alternatives)
    ids.insert(ids.end(), group.begin(), group.end());
  EXPECT_EQ(read.query.identifier_alternatives.size(), tc.want_identifiers > 1 ? 1u : 0u);
  ASSERT_EQ(ids.size(), tc.want_identifiers);
  for (size_t i = 0; i < tc.want_identifiers; ++i) {
    EXPECT_EQ(ids[i].type, r.identifiers[i].type);
    EXPECT_EQ(ids[i].value, r.identifiers[i].value);
  }
  EXPECT_EQ(read.query.location, tc.want_location);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SearchQueryExpression,
    ::testing::Values(ExpressionCase{"two_identifiers",
                                     {{"identifiers",
                                       {{{"type", "UIN"}, {"value", "U-1"}},
                                        {{"type", "BRN"}, {"value", "B-1"}}}}},
                                     "",
                                     0,
                                     2,
                                     ""},
                      ExpressionCase{"identifier_and_name",
                                     {{"identifiers", {{{"type", "NID"}, {"value", "0205202401"}}}},
                                      {"given_name", "Sudarat"},
                                      {"family_name", "Phumchai"}},
                                     "Sudarat Phumchai",
                                     0,
                                     1,
                                     ""},
                      ExpressionCase{"name_birth_sex_location",
                                     {{"given_name", "Amina"},
                                      {"other_names", "B."},
                                      {"family_name", "Okafor"},
                                      {"birth_date", "1980-04-12"},
                                      {"sex", "F"},
                                      {"location", "SH"}},
                                     "Amina B. Okafor",
                                     1980,
                                     0,
                                     "SH"},
                      ExpressionCase{"year_only",
                                     {{"family_name", "Okafor"}, {"birth_date", "1980"}},
                                     "Okafor",
                                     1980,
                                     0,
                                     ""}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(SearchQuery, RequestCarriesTheCorrelationIdWeChoseOnlyWhenAsync) {
  Json items = Json::array({Json::object()});
  Json sync = search_request("t-1", items);
  EXPECT_EQ(sync["transaction_id"], "t-1");
  EXPECT_FALSE(sync.contains("correlation_id"));
  Json async = search_request("t-2", items, "corr-7");
  EXPECT_EQ(async["correlation_id"], "corr-7");
  EXPECT_EQ(async["search_request"].size(), 1u);
}

// OpenSPP's check constraints (test_duplication_check.py): blank identifier type or value.
TEST(Registrant, RefusesWhatOpenSppRefuses) {
  auto refused = [](Json j) {
    try {
      registrant_from_json(j);
    } catch (const core::Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused({{"identifier_type", ""}, {"identifier_value", "v"}}),
            "Identifier type cannot be empty.");
  EXPECT_EQ(refused({{"identifier_type", "   "}, {"identifier_value", "v"}}),
            "Identifier type cannot be empty.");
  EXPECT_EQ(refused({{"identifier_type", "UIN"}, {"identifier_value", ""}}),
            "Identifier value cannot be empty.");
  EXPECT_EQ(refused({{"identifiers", {{{"type", "UIN"}, {"value", " "}}}}}),
            "Identifier value cannot be empty.");
  // OpenSPP: "Partner has no identifiers configured"; we also accept a name to search by.
  EXPECT_NE(refused(Json::object()), "accepted");
  EXPECT_NE(refused({{"given_name", "A"}, {"birth_date", "12/04/1980"}}), "accepted");
  EXPECT_NE(refused({{"given_name", "A"}, {"sex", "x"}}), "accepted");
  EXPECT_EQ(refused({{"given_name", "A"}, {"sex", "female"}, {"birth_date", "1980-04"}}),
            "accepted");
}

// Codes (reference, identifier values, location) may be whole numbers, kept as their digits and
// sent as text (SPDCI's identifier_value is a string); a fraction or an exponent, and a number
// anywhere else, is refused naming the field.
TEST(Registrant, NumbersOnlyAsWholeNumberCodes) {
  Registrant r = person({{"reference", 42},
                         {"identifiers", {{{"type", "NID"}, {"value", 4931839201}}}},
                         {"identifier_type", "UIN"},
                         {"identifier_value", 18446744073709551615u},
                         {"given_name", "Ana"},
                         {"location", 10001}});
  EXPECT_EQ(r.reference, "42");
  EXPECT_EQ(r.identifiers,
            (std::vector<RegistrantId>{{"NID", "4931839201"}, {"UIN", "18446744073709551615"}}));
  EXPECT_EQ(r.location, "10001");
  Json item = search_item(Registrant{"", {{"NID", "4931839201"}}, "", "", "", "", "", ""}, "c-1",
                          kNow, QueryOptions{});
  EXPECT_EQ(item["search_criteria"]["query"]["value"], "4931839201");  // a string on the wire

  auto field = [](const Json& j) {
    return testing::refused_field([&] { registrant_from_json(j); });
  };
  const Json id = {{"type", "NID"}, {"value", "1"}};
  EXPECT_EQ(field({{"identifiers", {id, {{"type", "NID"}, {"value", 4931839201.0}}}}}),
            "identifiers[1].value");
  EXPECT_EQ(field({{"identifiers", {id, {{"type", "NID"}, {"value", Json::parse("1e25")}}}}}),
            "identifiers[1].value");
  EXPECT_EQ(field({{"identifiers", {id, {{"type", 7}, {"value", "1"}}}}}), "identifiers[1].type");
  EXPECT_EQ(field({{"identifiers", {id, {{"type", "NID"}, {"value", true}}}}}),
            "identifiers[1].value");
  EXPECT_EQ(field({{"identifier_type", "NID"}, {"identifier_value", 1.5}}), "identifier_value");
  EXPECT_EQ(field({{"identifier_type", 7}, {"identifier_value", "1"}}), "identifier_type");
  EXPECT_EQ(field({{"given_name", 7}}), "given_name");
  EXPECT_EQ(field({{"given_name", "Ana"}, {"family_name", 7}}), "family_name");
  EXPECT_EQ(field({{"given_name", "Ana"}, {"other_names", 7}}), "other_names");
  EXPECT_EQ(field({{"given_name", "Ana"}, {"birth_date", 1980}}), "birth_date");
  EXPECT_EQ(field({{"given_name", "Ana"}, {"sex", 1}}), "sex");
  EXPECT_EQ(field({{"given_name", "Ana"}, {"reference", 4.5}}), "reference");
  EXPECT_EQ(field({{"given_name", "Ana"}, {"location", Json::object()}}), "location");
  EXPECT_EQ(field({{"given_name", "Ana"}, {"reference", nullptr}, {"location", nullptr}}),
            testing::kAccepted);  // null is absent
}

TEST(Registrant, ViewersSeeIdentifierTypesOnly) {
  Registrant r = person({{"reference", "R-9"},
                         {"identifiers", {{{"type", "UIN"}, {"value", "secret-1"}}}},
                         {"given_name", "Ana"}});
  Json viewer = registrant_to_json(r, false);
  EXPECT_EQ(viewer["identifiers"], (Json{{{"type", "UIN"}}}));
  EXPECT_EQ(viewer.dump().find("secret-1"), std::string::npos);
  Json full = registrant_to_json(r, true);
  EXPECT_EQ(full["identifiers"][0]["value"], "secret-1");
  EXPECT_EQ(registrant_from_json(full), r);  // the full form reads back as it was
}

}  // namespace
}  // namespace registrar::dci_client
