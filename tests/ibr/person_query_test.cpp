// Reading expression / predicate queries and the person fields of stored records. Pure.
#include "ibr/person_query.h"

#include <gtest/gtest.h>

#include "ibr/examples.h"
#include "ibr/person_record.h"
#include "ibr/search.h"

namespace registrar::ibr {
namespace {

using Json = nlohmann::json;
using matching::BirthDate;
using matching::Sex;

Json cond(const std::string& attribute, Json value, const std::string& op = "eq") {
  return {{"attribute_name", attribute}, {"operator", op}, {"attribute_value", std::move(value)}};
}

TEST(IbrPersonQuery, PredicateJoinsConditionsWithAnd) {
  Json q = Json::array({{{"seq_num", 1},
                         {"expression1", cond("given_name", "José")},
                         {"condition", "and"},
                         {"expression2", cond("surname", "Núñez")}},
                        {{"seq_num", 2}, {"expression1", cond("DOB", "1980-04-12")}},
                        {{"seq_num", 3},
                         {"expression1", cond("sex", "female")},
                         {"condition", "and"},
                         {"expression2", cond("UIN", 847951632)}}});
  PersonQueryResult r = read_predicate_query(q);
  ASSERT_EQ(r.problem, "");
  EXPECT_EQ(r.query.name, "José Núñez");
  EXPECT_EQ(r.query.birth, (BirthDate{1980, 4, 12}));
  EXPECT_EQ(r.query.sex, Sex::kFemale);
  ASSERT_EQ(r.query.identifiers.size(), 1u);
  EXPECT_EQ(r.query.identifiers[0], (Identifier{"UIN", "847951632"}));
}

TEST(IbrPersonQuery, ExpressionReadsAndListAndBareValues) {
  Json q = {{"type", "ns:org:QueryType:NoSql"},
            {"value",
             {{"expression",
               {{"collection", "Beneficiary"},
                {"query",
                 {{"$and",
                   {{{"name", {{"$eq", "Amina Otieno"}}}},
                    {{"birth_date", "1975-02"}},
                    {{"location", {{"$eq", "KE-047-003"}}}}}}}}}}}}};
  PersonQueryResult r = read_expression_query(q);
  ASSERT_EQ(r.problem, "");
  EXPECT_EQ(r.query.name, "Amina Otieno");
  EXPECT_EQ(r.query.birth, (BirthDate{1975, 2, 0}));
  EXPECT_EQ(r.query.location, "KE-047-003");
  EXPECT_TRUE(r.query.identifiers.empty());
}

Json expression(Json query) {
  return {{"type", "ns:org:QueryType:NoSql"},
          {"value", {{"expression", {{"collection", "Person"}, {"query", std::move(query)}}}}}};
}

TEST(IbrPersonQuery, OrJoinsIdentifierConditionsOnly) {
  Json ids = {{{"identifier", {{"$eq", {{"identifier_type", "UIN"}, {"identifier_value", "U1"}}}}}},
              {{"BRN", "B1"}}};
  PersonQueryResult r =
      read_expression_query(expression({{"$and", {{{"$or", ids}}, {{"name", "Amina"}}}}}));
  ASSERT_EQ(r.problem, "");
  EXPECT_TRUE(r.query.identifiers.empty());
  ASSERT_EQ(r.query.identifier_alternatives.size(), 1u);
  EXPECT_EQ(r.query.identifier_alternatives[0],
            (std::vector<Identifier>{{"UIN", "U1"}, {"BRN", "B1"}}));
  EXPECT_EQ(r.query.name, "Amina");
  // An identifier held in an "$or" alone is enough to search from.
  EXPECT_EQ(read_expression_query(expression({{"$or", ids}})).problem, "");
  // Names are never or-ed; nor is an empty list.
  EXPECT_NE(read_expression_query(expression({{"$or", {{{"name", "A"}}, {{"UIN", "U1"}}}}}))
                .problem.find("query.value.expression.query.$or[0]: $or joins identifier"),
            std::string::npos);
  EXPECT_NE(read_expression_query(expression({{"$or", Json::array()}}))
                .problem.find("$or must be a non-empty list"),
            std::string::npos);
}

TEST(IbrPersonQuery, ProblemsNameTheMember) {
  auto problem = [](const Json& q) { return read_predicate_query(q).problem; };
  EXPECT_NE(problem(Json::array({{{"expression1", cond("YOB", 1980, "gt")}}}))
                .find("query[0].expression1.operator gt"),
            std::string::npos);
  EXPECT_NE(problem(Json::array({{{"seq_num", 1}}})).find("query[0].expression1 is required"),
            std::string::npos);
  EXPECT_NE(problem(Json::array({{{"expression1", cond("name", "A")},
                                  {"condition", "or"},
                                  {"expression2", cond("name", "B")}}}))
                .find("query[0].condition or"),
            std::string::npos);
  EXPECT_NE(problem(Json::array({{{"expression1", cond("birth_date", "12/04/1980")}}}))
                .find("query[0].expression1.birth_date"),
            std::string::npos);
  // Without a name or an identifier there is nothing to start a search from.
  EXPECT_NE(
      problem(Json::array({{{"expression1", cond("sex", "F")}}})).find("name or an identifier"),
      std::string::npos);
  EXPECT_NE(problem("r.age >= 18").find("CEL"), std::string::npos);
  EXPECT_NE(read_expression_query(
                {{"type", "x"}, {"value", {{"expression", {{"query", {{"name", {{"$lt", 3}}}}}}}}}})
                .problem.find("only $eq"),
            std::string::npos);
  EXPECT_NE(read_expression_query(Json::object()).problem, "");
  // Members of the wrong type are problems too, never a JSON type error (a 500).
  Json numeric_operator = cond("name", "A");
  numeric_operator["operator"] = 5;
  EXPECT_NE(problem(Json::array({{{"expression1", numeric_operator}}}))
                .find("query[0].expression1.operator must be a string"),
            std::string::npos);
  EXPECT_NE(problem(Json::array({{{"expression1", cond("name", "A")},
                                  {"condition", Json::array()},
                                  {"expression2", cond("name", "B")}}}))
                .find("query[0].condition must be a string"),
            std::string::npos);
}

TEST(IbrPersonQuery, SearchRequestCarriesThePersonOrTheRejection) {
  auto item = [](Json criteria) {
    return Json{{"reference_id", "r"},
                {"timestamp", "2024-01-01T00:00:00Z"},
                {"search_criteria", std::move(criteria)}};
  };
  Json msg = {{"transaction_id", "t"},
              {"search_request",
               {item({{"query_type", "predicate"},
                      {"query", Json::array({{{"expression1", cond("name", "Wang Wei")}}})}}),
                item({{"query_type", "predicate"}, {"query", "r.age >= 18"}}),
                item({{"query_type", "graphql"}, {"query", "{}"}})}}};
  SearchRequest r = parse_search_request(msg, 100);
  ASSERT_EQ(r.items.size(), 3u);
  EXPECT_EQ(r.items[0].reject_code, "");
  EXPECT_EQ(r.items[0].person.name, "Wang Wei");
  EXPECT_EQ(r.items[1].reject_code, "rjct.search_criteria.invalid");
  EXPECT_NE(r.items[1].reject_message.find("CEL"), std::string::npos);
  EXPECT_EQ(r.items[2].reject_message, "query_type graphql is not supported");
}

TEST(IbrPersonRecord, SpecBeneficiaryAndPersonShapes) {
  // processflow1: member.demographic_info.person.
  Json b =
      test::example("processflow1req.json")["message"]["receipt_information"]["beneficiaries"][0];
  PersonFields f = person_fields(b);
  EXPECT_EQ(f.name, "Test Test2 Test3");
  EXPECT_EQ(f.birth, (BirthDate{1980, 4, 12}));
  EXPECT_EQ(f.sex, Sex::kFemale);
  ASSERT_FALSE(f.identifiers.empty());
  EXPECT_EQ(f.identifiers[0].value, "0205202401");
  // The flat Person of the search examples, name parts in the spec's members.
  Json person = {{"name", {{"surname", "Otieno"}, {"given_name", "Amina"}, {"maiden_name", "X"}}},
                 {"sex", "female"},
                 {"birth_date", "1975-02"},
                 {"sub_region_code", "KE-047-003"}};
  f = person_fields(person);
  EXPECT_EQ(f.name, "Amina Otieno");  // maiden name left out
  EXPECT_EQ(f.birth, (BirthDate{1975, 2, 0}));
  EXPECT_EQ(f.location, "KE-047-003");
  EXPECT_FALSE(parse_birth_date("1980-13-01"));
  EXPECT_FALSE(parse_birth_date("80"));
  EXPECT_EQ(parse_sex("M"), Sex::kMale);
  EXPECT_FALSE(parse_sex("x"));
}

}  // namespace
}  // namespace registrar::ibr
