// /v1/ibr/enrollments (the console's IBR page) over real HTTP on the real binary, on each
// backend: filters and keyset paging on the server, one enrollment, and duplicate candidates
// with their scores and matched fields; the admin scope; problem+json errors.
#include <gtest/gtest.h>

#include "ibr/api_fixture.h"

namespace registrar::ibr::test {
namespace {

Json person(const std::string& ref, const std::string& nid, const std::string& given,
            const std::string& surname, const std::string& birth, const std::string& programme) {
  return {{"reference_id", ref},
          {"@type", "Beneficiary"},
          {"member",
           {{"demographic_info",
             {{"person",
               {{"name", {{"first_name", given}, {"surname", surname}}},
                {"sex", "F"},
                {"birth_date", birth},
                {"identifier", {{{"identifier_type", "NID"}, {"identifier_value", nid}}}}}}}},
            {"programme_identifier",
             {{"programme", {{"programme_identifier", programme}, {"programme_name", programme}}},
              {"enrolment_status", "Active"}}}}}};
}

class IbrRegistryApi : public IbrProcessTest {
 protected:
  void SetUp() override {
    start();
    Json people = Json::array({
        person("a1", "111", "Amina", "Otieno", "1990-04-12", "CT"),
        person("b1", "111", "Grace", "Mutua", "1985-01-01", "FOOD"),    // shares A's NID
        person("c1", "555", "Aminah", "Otieno", "1990-04-12", "FOOD"),  // A, spelt otherwise
        person("d1", "777", "Joseph", "Kamau", "1961-07-30", "CT"),
    });
    Json upd = {{"transaction_id", "t-1"}, {"enrolled_updates", {{"beneficiaries", people}}}};
    auto r = post(kUpdates, signed_body("notify", upd));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  http::Response get(const std::string& path, const std::string& bearer) {
    http::Headers h;
    h.set("Authorization", "Bearer " + bearer);
    return p_->request(http::Method::kGet, path, "", h);
  }
  Json ok(const std::string& path) {
    auto r = get(path, admin_);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.status == 200 ? Json::parse(r.body) : Json();
  }
  static std::vector<std::string> refs(const Json& page) {
    std::vector<std::string> out;
    for (const auto& i : page["items"]) out.push_back(i["reference_id"]);
    return out;
  }
};

TEST_P(IbrRegistryApi, ListsFiltersAndPagesOnTheServer) {
  Json all = ok("/v1/ibr/enrollments");
  EXPECT_EQ(refs(all), (std::vector<std::string>{"a1", "b1", "c1", "d1"}));
  EXPECT_TRUE(all["next"].is_null());
  const Json& a = all["items"][0];
  EXPECT_EQ(a["sender_id"], "sp-mis");
  EXPECT_EQ(a["name"], "Amina Otieno");
  EXPECT_EQ(a["birth_date"], "1990-04-12");
  EXPECT_EQ(a["sex"], "F");
  EXPECT_EQ(a["identifiers"], (Json::array({{{"type", "NID"}, {"value", "111"}}})));
  EXPECT_EQ(a["enrollments"][0]["programme_id"], "CT");
  EXPECT_EQ(a["enrollments"][0]["status"], "Active");

  // Pages of two, each naming the next.
  Json first = ok("/v1/ibr/enrollments?limit=2");
  EXPECT_EQ(refs(first), (std::vector<std::string>{"a1", "b1"}));
  ASSERT_TRUE(first["next"].is_string());
  Json second = ok("/v1/ibr/enrollments?limit=2&after=" + first["next"].get<std::string>());
  EXPECT_EQ(refs(second), (std::vector<std::string>{"c1", "d1"}));
  Json third = ok("/v1/ibr/enrollments?limit=2&after=" + second["next"].get<std::string>());
  EXPECT_TRUE(third["items"].empty());

  EXPECT_EQ(refs(ok("/v1/ibr/enrollments?identifier=111")), (std::vector<std::string>{"a1", "b1"}));
  EXPECT_EQ(refs(ok("/v1/ibr/enrollments?programme=FOOD")), (std::vector<std::string>{"b1", "c1"}));
  EXPECT_EQ(refs(ok("/v1/ibr/enrollments?programme=CT&identifier=777")),
            (std::vector<std::string>{"d1"}));
  EXPECT_TRUE(ok("/v1/ibr/enrollments?sender=nobody")["items"].empty());
  EXPECT_EQ(refs(ok("/v1/ibr/enrollments?sender=sp-mis&limit=1")),
            (std::vector<std::string>{"a1"}));

  Json one = ok("/v1/ibr/enrollments/sp-mis/d1");
  EXPECT_EQ(one["name"], "Joseph Kamau");
  EXPECT_EQ(one["record"]["reference_id"], "d1");
}

TEST_P(IbrRegistryApi, DuplicatesNameSharedIdentifiersAndFuzzyMatchesWithScores) {
  Json d = ok("/v1/ibr/enrollments/sp-mis/a1/duplicates");
  EXPECT_EQ(d["beneficiary"]["reference_id"], "a1");
  const Json& c = d["candidates"];
  ASSERT_EQ(c.size(), 2u) << d.dump();
  // The shared NID first (score 1), then the fuzzy match on name and birth date.
  EXPECT_EQ(c[0]["reference_id"], "b1");
  EXPECT_EQ(c[0]["score"], 1.0);
  EXPECT_EQ(c[0]["level"], "confirmed");
  EXPECT_EQ(c[0]["matched_fields"][0], "identifier");
  EXPECT_EQ(c[1]["reference_id"], "c1");
  EXPECT_LT(c[1]["score"].get<double>(), 1.0);
  EXPECT_GT(c[1]["score"].get<double>(), 0.5);
  std::string fields = c[1]["matched_fields"].dump();
  EXPECT_NE(fields.find("birth_date"), std::string::npos) << fields;
  EXPECT_EQ(fields.find("identifier"), std::string::npos) << fields;
  EXPECT_EQ(c[1]["enrollments"][0]["programme_id"], "FOOD");

  Json none = ok("/v1/ibr/enrollments/sp-mis/d1/duplicates");
  EXPECT_TRUE(none["candidates"].empty()) << none.dump();
}

TEST_P(IbrRegistryApi, RefusesWithoutTheScopeAndNamesTheBadField) {
  EXPECT_EQ(get("/v1/ibr/enrollments", "not-a-token").status, 401);
  std::string other = token("dci:checks.read");
  EXPECT_EQ(get("/v1/ibr/enrollments", other).status, 403);
  EXPECT_EQ(get("/v1/ibr/enrollments/sp-mis/a1/duplicates", other).status, 403);

  // Not the `next` of a page: base64url of text without the key separator.
  auto bad = get("/v1/ibr/enrollments?after=bm9uZXdsaW5l", admin_);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(std::string(bad.headers.get("Content-Type").value_or("")).find("problem+json"),
            std::string::npos);
  EXPECT_EQ(Json::parse(bad.body)["field"], "after") << bad.body;
  auto limit = get("/v1/ibr/enrollments?limit=0", admin_);
  EXPECT_EQ(limit.status, 400);
  EXPECT_EQ(Json::parse(limit.body)["field"], "limit") << limit.body;
  auto missing = get("/v1/ibr/enrollments/sp-mis/zz/duplicates", admin_);
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_NE(missing.body.find("no enrollment of sender sp-mis under reference zz"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, IbrRegistryApi, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr::test
