// Pure-logic tests: identifiers, vocabulary, the collective rule (§5) step by step including the
// worked example (§10), lookups and the response shapes (§4, §6).
#include <gtest/gtest.h>

#include "authz/authz_fixture.h"
#include "authz/identifiers.h"
#include "authz/model.h"
#include "core/error.h"

namespace registrar::authz::test {
namespace {

Assignment row(const std::string& recipient, const std::string& role,
               const std::string& heir = "") {
  static int64_t next = 1;
  Assignment a;
  a.id = next++;
  a.estate = kEstate;
  a.recipient = recipient;
  a.role = role;
  if (!heir.empty()) a.heir = heir;
  a.created = at("2023-02-20T10:00:06.401416Z");
  return a;
}

// Applies a plan to the rows, as the service does.
std::vector<Assignment> apply_plan(std::vector<Assignment> rows, const CollectivePlan& plan) {
  auto drop = [&](const Assignment& a) {
    std::erase_if(rows, [&](const Assignment& r) { return r.id == a.id; });
  };
  for (const auto& r : plan.revoke_individual) drop(r);
  for (const auto& x : plan.grant_collective) rows.push_back(row(x, kCollective));
  for (const auto& r : plan.revoke_collective) drop(r);
  return rows;
}

std::vector<std::string> collective_holders(const std::vector<Assignment>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows)
    if (r.role == kCollective) out.push_back(r.recipient);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Assignment> derive(std::vector<Assignment> rows) {
  auto plan = plan_collective(rows, kRoles);
  rows = apply_plan(std::move(rows), plan);
  EXPECT_TRUE(plan_collective(rows, kRoles).empty()) << "the rule must reach a fixed point";
  return rows;
}

TEST(SsnTest, ElevenAsciiDigitsOnly) {
  for (const char* ok : {"12345678901", "00000000000", "99999999999"})
    EXPECT_TRUE(is_valid_ssn(ok)) << ok;
  for (const char* bad :
       {"", "1", "1234567890", "123456789012", "1234567890a", "12345 78901", " 2345678901",
        "1234567890 ", "12345-78901", "+2345678901", "\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9",
        "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc"})
    EXPECT_FALSE(is_valid_ssn(bad)) << bad;
  EXPECT_EQ(truncate_ssn("12345678901"), "123456");
  EXPECT_EQ(truncate_ssn("1234"), "1234");
}

TEST(SsnTest, SubjectParsing) {
  for (const char* s : {"12345678901", "/person/12345678901", "person/12345678901",
                        "/person/12345678901/", "person / 12345678901"})
    EXPECT_EQ(estate_from_subject(std::string(s)), "12345678901") << s;
  for (const char* s : {"not-an-ssn", "1234567890", "/party/12345678901", "/person/1234",
                        "/person/12345678901/extra", "/person", "   ", ""}) {
    try {
      estate_from_subject(std::string(s));
      ADD_FAILURE() << s;
    } catch (const core::Error& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument);
      EXPECT_EQ(std::string(e.what()), "Subject must be SSN with '/person/' prefix");
      EXPECT_EQ(e.field(), "subject");
    }
  }
  EXPECT_THROW(estate_from_subject(std::nullopt), core::Error);
}

TEST(VocabularyTest, DefaultsPartialOverridesAndChecks) {
  RoleVocabulary v = RoleVocabulary::from_json(Json::object());
  EXPECT_EQ(v.probate_certificate, "urn:domstolene:digitaltdodsbo:skifteattest");
  EXPECT_EQ(v.unrestricted.size(), 3u);
  EXPECT_TRUE(v.is_court_role(kAsset));
  EXPECT_FALSE(v.is_court_role(kIndividual));
  EXPECT_TRUE(v.is_proxy_role(kCollective));
  EXPECT_TRUE(v.is_restricted(kAsset, true));
  EXPECT_FALSE(v.is_restricted(kAsset, false));
  EXPECT_FALSE(v.is_restricted(kIndividual, true));
  EXPECT_TRUE(v.is_restricted(kSuperadmin, true));

  Json other = {{"court_prefix", "urn:court:"},
                {"probate_certificate", "urn:court:probate"},
                {"proxy_prefix", "urn:registry:proxy:"},
                {"individual_proxy", "urn:registry:proxy:one"},
                {"collective_proxy", "urn:registry:proxy:all"},
                {"superadmin", ""},
                {"unrestricted", {"urn:court:probate"}}};
  RoleVocabulary o = RoleVocabulary::from_json(other);
  EXPECT_EQ(o.to_json(), other);

  auto bad = [](Json j, const std::string& field) {
    try {
      RoleVocabulary::from_json(j);
      ADD_FAILURE() << j.dump();
    } catch (const core::Error& e) {
      EXPECT_EQ(e.field(), field) << e.what();
    }
  };
  bad({{"colective_proxy", "x"}}, "authz.roles.colective_proxy");
  bad({{"probate_certificate", "urn:other:skifteattest"}}, "authz.roles.probate_certificate");
  bad({{"collective_proxy", kIndividual}}, "authz.roles.collective_proxy");
  bad({{"proxy_prefix", "urn:domstolene:"}}, "authz.roles.proxy_prefix");
  bad({{"individual_proxy", std::string(61, 'u')}}, "authz.roles.individual_proxy");
  bad({{"unrestricted", "x"}}, "authz.roles.unrestricted");
}

TEST(VocabularyTest, ConfigDeclaresKeysWithDefaults) {
  core::ConfigSchema schema;
  declare_config(schema);
  core::Config c = core::Config::defaults(schema);
  AuthzSettings s = settings_from_config(c);
  EXPECT_EQ(s.lookup_scope, "altinn:dd:authlookup");
  EXPECT_EQ(s.internal_scope, "altinn:dd:internal");
  EXPECT_EQ(s.event_auth_parameter, "auth");
  EXPECT_EQ(s.event_secret, "");
  EXPECT_TRUE(schema.find("authz.event_secret")->secret);
  EXPECT_EQ(s.roles.to_json(), kRoles.to_json());
  EXPECT_THROW(core::Config::from_toml(
                   schema, "[authz.roles]\nsuperadmin = \"urn:domstolene:digitaltdodsbo:x\"\n"),
               core::ConfigError);
}

// ---- §5 -------------------------------------------------------------------------------------

TEST(CollectiveRuleTest, NoProbateHeirsMeansNobodyAndInvalidGrantsGo) {
  auto grant = row(kX, kIndividual, kA);
  auto old = row(kX, kCollective);
  auto plan = plan_collective({row(kA, kAsset), grant, old}, kRoles);
  ASSERT_EQ(plan.revoke_individual.size(), 1u);
  EXPECT_EQ(plan.revoke_individual[0].id, grant.id);
  EXPECT_TRUE(plan.grant_collective.empty());
  ASSERT_EQ(plan.revoke_collective.size(), 1u);
  EXPECT_EQ(plan.revoke_collective[0].id, old.id);
  EXPECT_TRUE(plan.eligible.empty());
}

TEST(CollectiveRuleTest, SoleProbateHeirGetsCollectiveAutomatically) {
  auto rows = derive({row(kA, kProbate), row(kC, kAsset)});
  EXPECT_EQ(collective_holders(rows), std::vector<std::string>{kA});
  auto plan = plan_collective(rows, kRoles);
  ASSERT_EQ(plan.eligible.size(), 1u);
  EXPECT_EQ(plan.eligible[0].rule, CollectiveReason::Rule::kAllOtherProbateHeirs);
  EXPECT_EQ(plan.eligible[0].describe(), "collective proxy: sole probate heir");
}

TEST(CollectiveRuleTest, WithOneProbateHeirOneGrantSuffices) {
  auto rows = derive({row(kA, kProbate), row(kX, kIndividual, kA)});
  EXPECT_EQ(collective_holders(rows), (std::vector<std::string>{kA, kX}));
}

TEST(CollectiveRuleTest, NonHeirNeedsGrantsFromAllProbateHeirs) {
  std::vector<Assignment> base{row(kA, kProbate), row(kB, kProbate), row(kC, kAsset)};
  auto one = base;
  one.push_back(row(kX, kIndividual, kA));
  EXPECT_TRUE(collective_holders(derive(one)).empty());
  auto both = one;
  both.push_back(row(kX, kIndividual, kB));
  EXPECT_EQ(collective_holders(derive(both)), std::vector<std::string>{kX});
  // A formuesfullmakt-only heir is a non-heir for the rule.
  auto asset_heir = base;
  asset_heir.push_back(row(kC, kIndividual, kA));
  EXPECT_TRUE(collective_holders(derive(asset_heir)).empty());
  asset_heir.push_back(row(kC, kIndividual, kB));
  EXPECT_EQ(collective_holders(derive(asset_heir)), std::vector<std::string>{kC});
}

TEST(CollectiveRuleTest, ProbateHeirNeedsOnlyTheOthers) {
  std::vector<Assignment> rows{row(kA, kProbate), row(kB, kProbate), row(kC, kProbate),
                               row(kA, kIndividual, kB)};
  EXPECT_TRUE(collective_holders(derive(rows)).empty());
  rows.push_back(row(kA, kIndividual, kC));
  auto derived = derive(rows);
  EXPECT_EQ(collective_holders(derived), std::vector<std::string>{kA});
  auto plan = plan_collective(derived, kRoles);
  EXPECT_EQ(plan.eligible[0].granted_by, (std::vector<std::string>{kB, kC}));
}

TEST(CollectiveRuleTest, TwoProbateHeirsGrantingEachOtherBothQualify) {
  auto rows = derive(
      {row(kA, kProbate), row(kB, kProbate), row(kA, kIndividual, kB), row(kB, kIndividual, kA)});
  EXPECT_EQ(collective_holders(rows), (std::vector<std::string>{kA, kB}));
}

TEST(CollectiveRuleTest, SelfGrantIsCountedOnceEligibleIsASet) {
  // h -> h plus grants from every other heir: eligible by (a) and by (b); one row, not two.
  std::vector<Assignment> rows{row(kA, kProbate), row(kB, kProbate), row(kA, kIndividual, kA),
                               row(kA, kIndividual, kB)};
  auto plan = plan_collective(rows, kRoles);
  EXPECT_EQ(plan.grant_collective, std::vector<std::string>{kA});
  ASSERT_EQ(plan.eligible.size(), 1u);
  EXPECT_EQ(plan.eligible[0].rule, CollectiveReason::Rule::kAllProbateHeirs);
}

TEST(CollectiveRuleTest, RevokingANeededGrantRemovesCollective) {
  auto grant_b = row(kX, kIndividual, kB);
  auto rows = derive({row(kA, kProbate), row(kB, kProbate), row(kX, kIndividual, kA), grant_b});
  EXPECT_EQ(collective_holders(rows), std::vector<std::string>{kX});
  std::erase_if(rows, [&](const Assignment& r) { return r.id == grant_b.id; });
  auto plan = plan_collective(rows, kRoles);
  ASSERT_EQ(plan.revoke_collective.size(), 1u);
  EXPECT_EQ(plan.revoke_collective[0].recipient, kX);
  EXPECT_TRUE(collective_holders(apply_plan(rows, plan)).empty());
}

TEST(CollectiveRuleTest, ExistingCollectiveIsKeptNotRegranted) {
  auto rows = derive({row(kA, kProbate)});
  auto plan = plan_collective(rows, kRoles);
  EXPECT_TRUE(plan.empty());
  EXPECT_EQ(plan.eligible.size(), 1u);
}

// ---- §10 worked example, on the model ---------------------------------------------------------

TEST(CollectiveRuleTest, WorkedExample) {
  std::vector<Assignment> rows = derive({row(kA, kProbate), row(kB, kProbate), row(kC, kAsset)});
  EXPECT_TRUE(collective_holders(rows).empty());
  rows.push_back(row(kX, kIndividual, kA));
  rows = derive(rows);
  EXPECT_TRUE(collective_holders(rows).empty());
  rows.push_back(row(kX, kIndividual, kB));
  rows = derive(rows);
  EXPECT_EQ(collective_holders(rows), std::vector<std::string>{kX});
  rows.push_back(row(kA, kIndividual, kB));
  rows = derive(rows);
  EXPECT_EQ(collective_holders(rows), (std::vector<std::string>{kA, kX}));
  // The court drops B's probate certificate: B's grants go, A and X keep the collective.
  std::erase_if(rows, [](const Assignment& r) { return r.recipient == kB && r.role == kProbate; });
  auto plan = plan_collective(rows, kRoles);
  EXPECT_EQ(plan.revoke_individual.size(), 2u);
  EXPECT_TRUE(plan.grant_collective.empty());
  EXPECT_TRUE(plan.revoke_collective.empty());
  rows = apply_plan(rows, plan);
  EXPECT_EQ(collective_holders(rows), (std::vector<std::string>{kA, kX}));
  for (const auto& r : rows) EXPECT_NE(r.heir.value_or(""), kB);
}

// ---- lookups and shapes ----------------------------------------------------------------------

TEST(LookupTest, ParsingAndValidation) {
  Lookup l = parse_search_request({{"estateSsn", kEstate}, {"recipientSsn", nullptr}});
  EXPECT_EQ(l.estate, kEstate);
  EXPECT_FALSE(l.recipient);
  EXPECT_NO_THROW(validate_lookup(l));
  auto field_of = [](auto f) -> std::string {
    try {
      f();
    } catch (const core::Error& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument);
      return e.field() + ": " + e.what();
    }
    return "no error";
  };
  EXPECT_EQ(field_of([] {
              parse_search_request({{"recipientSsn", kA}});
            }),
            "estateSsn: estateSsn is required");
  EXPECT_EQ(field_of([] {
              parse_search_request({{"estateSsn", "  "}});
            }),
            "estateSsn: estateSsn must not be empty");
  EXPECT_EQ(field_of([] {
              parse_search_request({{"estateSsn", 11111111111}});
            }),
            "estateSsn: estateSsn must be a string");
  EXPECT_EQ(field_of([] { parse_search_request(Json::array()); }),
            ": request body must be a JSON object");
  EXPECT_EQ(field_of([] {
              validate_lookup(parse_search_request({{"estateSsn", "1111"}}));
            }),
            "estateSsn: Invalid EstateSsn");
  EXPECT_EQ(field_of([] {
              validate_lookup(parse_search_request({{"estateSsn", kEstate}, {"recipientSsn", ""}}));
            }),
            "recipientSsn: Invalid RecipientSsn");
  EXPECT_EQ(field_of([] {
              validate_lookup(parse_pip_request({{"from", kEstate}, {"to", "x"}}));
            }),
            "to: Invalid RecipientSsn");
  EXPECT_EQ(field_of([] { parse_pip_request({{"to", kA}}); }), "from: from is required");
}

TEST(LookupTest, ProxyChangeValidationOrder) {
  Json body = {{"add",
                {{"estateSsn", "bad"},
                 {"heirSsn", "bad"},
                 {"recipientSsn", "bad"},
                 {"urn:digitaltdodsbo:rolecode", kCollective},
                 {"created", "2023-02-20T10:00:06.401416+00:00"}}}};
  auto check = [&](const std::string& field, const std::string& message) {
    try {
      validate_proxy_change(parse_proxy_change(body, "add"), kRoles);
      ADD_FAILURE() << "expected " << field;
    } catch (const core::Error& e) {
      EXPECT_EQ(e.field(), field);
      EXPECT_EQ(std::string(e.what()), message);
    }
  };
  check("add.urn:digitaltdodsbo:rolecode", "Can only assign " + kIndividual);
  body["add"]["urn:digitaltdodsbo:rolecode"] = kIndividual;
  check("add.estateSsn", "Invalid EstateSsn");
  body["add"]["estateSsn"] = kEstate;
  check("add.recipientSsn", "Invalid RecipientSsn");
  body["add"]["recipientSsn"] = kX;
  check("add.heirSsn", "Invalid HeirSsn");
  body["add"]["heirSsn"] = kA;
  EXPECT_NO_THROW(validate_proxy_change(parse_proxy_change(body, "add"), kRoles));
  EXPECT_THROW(parse_proxy_change(body, "remove"), core::Error);
  body["add"].erase("heirSsn");
  check("add.heirSsn", "add.heirSsn is required");
}

TEST(ShapeTest, CreatedIsPrintedLikeSystemTextJson) {
  EXPECT_EQ(format_created(at("2023-02-20T10:00:06.401416Z")), "2023-02-20T10:00:06.401416+00:00");
  EXPECT_EQ(format_created(at("2025-08-01T18:00:00Z")), "2025-08-01T18:00:00+00:00");
  EXPECT_EQ(format_created(at("2025-08-01T20:00:00.5+02:00")), "2025-08-01T18:00:00.5+00:00");
}

TEST(ShapeTest, SearchesAndPip) {
  std::vector<Assignment> rows{row(kA, kProbate), row(kC, kAsset), row(kX, kIndividual, kA),
                               row(kX, kCollective), row(kB, kSuperadmin)};
  Lookup all;
  all.estate = kEstate;
  auto views = search_roles(rows, all, false, kRoles);
  ASSERT_EQ(views.size(), 4u);  // superadmin hidden
  EXPECT_EQ(search_roles(rows, all, true, kRoles).size(), 5u);
  Json j = roles_search_response(views);
  EXPECT_EQ(j["roleAssignments"][0], Json({{"estateSsn", kEstate},
                                           {"recipientSsn", kA},
                                           {"role", kProbate},
                                           {"created", "2023-02-20T10:00:06.401416+00:00"},
                                           {"isRestricted", false}}));
  EXPECT_TRUE(j["roleAssignments"][1]["isRestricted"]);  // formuesfullmakt after probate
  EXPECT_FALSE(j["roleAssignments"][2]["isRestricted"]);
  // Restriction is computed over the whole estate even when filtering by recipient.
  Lookup c = all;
  c.recipient = kC;
  auto only_c = search_roles(rows, c, false, kRoles);
  ASSERT_EQ(only_c.size(), 1u);
  EXPECT_TRUE(only_c[0].restricted);
  EXPECT_FALSE(search_roles({row(kC, kAsset)}, all, false, kRoles)[0].restricted);

  Json p = proxies_search_response(search_proxies(rows, all, kRoles));
  ASSERT_EQ(p["proxyAssignments"].size(), 2u);
  EXPECT_EQ(p["proxyAssignments"][0]["heirSsn"], kA);
  EXPECT_EQ(p["proxyAssignments"][1], Json({{"estateSsn", kEstate},
                                            {"heirSsn", nullptr},
                                            {"recipientSsn", kX},
                                            {"urn:digitaltdodsbo:rolecode", kCollective},
                                            {"created", "2023-02-20T10:00:06.401416+00:00"}}));
  Json pip = pip_response(rows);
  ASSERT_EQ(pip["roleAssignments"].size(), 5u);  // every role, superadmin included
  EXPECT_EQ(pip["roleAssignments"][1], Json({{"from", kEstate},
                                             {"to", kC},
                                             {"urn:digitaltdodsbo:rolecode", kAsset},
                                             {"created", "2023-02-20T10:00:06.401416+00:00"}}));
  EXPECT_EQ(roles_search_response({}).dump(), R"({"roleAssignments":[]})");
}

}  // namespace
}  // namespace registrar::authz::test
