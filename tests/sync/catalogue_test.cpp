// The entity catalogue: every entity is well formed (keys are fields, references name entities),
// rows are checked field by field, and scopes follow MOSIP's selection rules (spec §6.3).
#include <gtest/gtest.h>

#include <set>

#include "sync/catalogue.h"

namespace registrar::sync {
namespace {

TEST(CatalogueTest, EveryEntityIsWellFormed) {
  std::set<std::string> names, mosip_names;
  for (const auto& e : catalogue()) {
    EXPECT_TRUE(names.insert(e.name).second) << e.name;
    if (!e.mosip_name.empty()) EXPECT_TRUE(mosip_names.insert(e.mosip_name).second) << e.name;
    EXPECT_FALSE(e.key_fields.empty()) << e.name;
    for (const auto& k : e.key_fields) {
      const Field* f = e.field(k);
      ASSERT_NE(f, nullptr) << e.name << "." << k;
      // Optional key parts only where a level is optional (configurations).
      if (e.scope != ScopeRule::kConfigLevel) EXPECT_TRUE(f->required) << e.name << "." << k;
    }
    for (const auto& f : e.fields)
      if (!f.references.empty()) EXPECT_NE(find_entity(f.references), nullptr) << f.references;
    if (e.scope == ScopeRule::kCentreField || e.scope == ScopeRule::kLocationField ||
        e.scope == ScopeRule::kMachineId)
      EXPECT_NE(e.field(e.scope_field), nullptr) << e.name;
  }
  // The list: every one of these is in the catalogue.
  for (const char* n : {"registration_center_types",
                        "registration_centers",
                        "template_file_formats",
                        "template_types",
                        "templates",
                        "reason_categories",
                        "reasons",
                        "document_categories",
                        "document_types",
                        "applicant_valid_documents",
                        "machine_types",
                        "machine_specifications",
                        "machines",
                        "device_types",
                        "device_specifications",
                        "devices",
                        "location_hierarchy_levels",
                        "locations",
                        "languages",
                        "genders",
                        "biometric_types",
                        "biometric_attributes",
                        "registration_center_machines",
                        "registration_center_devices",
                        "registration_center_machine_devices",
                        "registration_center_user_machines",
                        "registration_center_users",
                        "sync_job_definitions",
                        "holidays"})
    EXPECT_NE(find_entity(n), nullptr) << n;
}

TEST(CatalogueTest, FindsMosipNamesWhateverTheirCase) {
  ASSERT_NE(find_entity_by_mosip_name("machine"), nullptr);
  EXPECT_EQ(find_entity_by_mosip_name("MACHINE")->name, "machines");
  EXPECT_EQ(find_entity_by_mosip_name("RegistrationCenter")->name, "registration_centers");
  EXPECT_EQ(find_entity_by_mosip_name("Nothing"), nullptr);
  EXPECT_EQ(find_entity_by_mosip_name(""), nullptr);
}

TEST(CatalogueTest, ParsesAValidRowAndBuildsItsKey) {
  const Entity& e = *find_entity("applicant_valid_documents");
  RowInput row;
  auto bad = parse_row(e,
                       {{"appTypeCode", "001"},
                        {"docCatCode", "POA"},
                        {"docTypeCode", "CIN"},
                        {"langCode", "eng"},
                        {"isActive", false},
                        {"isDeleted", true}},
                       row);
  ASSERT_FALSE(bad) << bad->field << " " << bad->message;
  EXPECT_EQ(row.id, "001|POA|CIN");
  EXPECT_EQ(row.lang, "");  // not per language: ignored
  EXPECT_FALSE(row.active);
  EXPECT_EQ(row.data,
            (Json{{"appTypeCode", "001"}, {"docCatCode", "POA"}, {"docTypeCode", "CIN"}}));
}

// Configurations: one key per level; an absent or empty level is the same key, so the global row
// of a name is one row whatever way a client writes it.
TEST(CatalogueTest, ConfigurationKeysNameTheirLevel) {
  const Entity& e = *find_entity("configurations");
  EXPECT_EQ(e.mosip_name, "");  // not in clientsettings
  RowInput row;
  auto parse = [&](Json body) {
    auto bad = parse_row(e, body, row);
    EXPECT_FALSE(bad) << body.dump() << ": " << (bad ? bad->field + " " + bad->message : "");
    return row.id;
  };
  EXPECT_EQ(parse({{"name", "timeout"}, {"value", "30"}}), "timeout||");
  EXPECT_EQ(parse({{"name", "timeout"}, {"value", "30"}, {"regCenterId", ""}, {"machineId", ""}}),
            "timeout||");
  EXPECT_EQ(row.data, (Json{{"name", "timeout"}, {"value", "30"}}));
  EXPECT_EQ(parse({{"name", "timeout"}, {"value", "30"}, {"regCenterId", "10001"}}),
            "timeout|10001|");
  EXPECT_EQ(parse({{"name", "timeout"}, {"value", "30"}, {"machineId", "10011"}}),
            "timeout||10011");
  EXPECT_TRUE(parse_row(e, {{"value", "30"}}, row));                  // name is required
  EXPECT_TRUE(parse_row(e, {{"name", ""}, {"value", "30"}}, row));    // and not empty
  EXPECT_TRUE(parse_row(e, {{"name", "a"}, {"value", 30}}, row));     // values are strings
  EXPECT_TRUE(parse_row(e, {{"name", "a|b"}, {"value", "1"}}, row));  // no '|' in a key
}

TEST(CatalogueTest, RejectsBadRowsNamingTheField) {
  const Entity& g = *find_entity("genders");
  RowInput row;
  auto expect_bad = [&](const Entity& e, Json body, const std::string& field) {
    auto bad = parse_row(e, body, row);
    ASSERT_TRUE(bad) << body.dump();
    EXPECT_EQ(bad->field, field) << body.dump() << ": " << bad->message;
  };
  expect_bad(g, {{"code", "MLE"}, {"genderName", "Male"}}, "langCode");  // per language
  expect_bad(g, {{"code", "MLE"}, {"langCode", "eng"}}, "genderName");   // required
  expect_bad(g, {{"code", 7}, {"genderName", "Male"}, {"langCode", "eng"}}, "code");
  expect_bad(g, {{"code", ""}, {"genderName", "Male"}, {"langCode", "eng"}}, "code");
  expect_bad(g, {{"code", "A|B"}, {"genderName", "Male"}, {"langCode", "eng"}}, "code");
  expect_bad(g, {{"code", "M"}, {"genderName", "Male"}, {"langCode", "eng"}, {"colour", "x"}},
             "colour");
  expect_bad(g, {{"code", "M"}, {"genderName", "Male"}, {"langCode", "eng"}, {"isActive", 1}},
             "isActive");
  expect_bad(*find_entity("locations"),
             {{"code", "K"}, {"name", "K"}, {"hierarchyLevel", "2"}, {"langCode", "eng"}},
             "hierarchyLevel");
  expect_bad(g, Json::array(), "");
}

// Arrays' items are checked too, the fault named as a JSON pointer into the row: dynamic field
// values as MOSIP's DynamicFieldValueDto (code and value strings, langCode a string when
// present), identity schema fields objects, user roles strings.
TEST(CatalogueTest, ChecksEachArrayItemNamingItsIndex) {
  const Entity& d = *find_entity("dynamic_fields");
  const Entity& s = *find_entity("id_schemas");
  const Entity& u = *find_entity("users");
  RowInput row;
  auto field_of = [&](const Entity& e, const Json& body) -> std::string {
    auto bad = parse_row(e, body, row);
    return bad ? bad->field : "accepted";
  };
  auto dynamic = [](Json values) {
    return Json{{"id", "residenceStatus"},
                {"name", "residenceStatus"},
                {"langCode", "eng"},
                {"fieldVal", std::move(values)}};
  };
  const Json fr = {{"code", "FR"}, {"value", "Foreigner"}, {"langCode", "eng"}};
  const Json nfr = {{"code", "NFR"}, {"value", "National"}};  // the sync DTO's shape
  const Json extra = {{"code", "X"}, {"value", "x"}, {"isActive", true}, {"order", 3}};
  EXPECT_EQ(field_of(d, dynamic({fr, nfr, extra})), "accepted");
  EXPECT_EQ(row.data["fieldVal"], (Json{fr, nfr, extra}));  // stored as sent
  EXPECT_EQ(field_of(d, dynamic(Json::array())), "accepted");
  EXPECT_EQ(field_of(d, dynamic({fr, nfr, "FR"})), "fieldVal/2");
  EXPECT_EQ(field_of(d, dynamic({fr, nullptr})), "fieldVal/1");
  EXPECT_EQ(field_of(d, dynamic(Json::array({Json::array()}))), "fieldVal/0");
  EXPECT_EQ(field_of(d, dynamic({fr, nfr, {{"code", 7}, {"value", "x"}}})), "fieldVal/2/code");
  EXPECT_EQ(field_of(d, dynamic({{{"code", "A"}, {"value", Json::object()}}})), "fieldVal/0/value");
  EXPECT_EQ(field_of(d, dynamic({{{"value", "x"}}})), "fieldVal/0/code");
  EXPECT_EQ(field_of(d, dynamic({{{"code", "A"}, {"value", nullptr}}})), "fieldVal/0/value");
  EXPECT_EQ(field_of(d, dynamic({{{"code", "A"}, {"value", "x"}, {"langCode", 1}}})),
            "fieldVal/0/langCode");

  auto schema = [](Json fields) {
    return Json{{"idVersion", "0.1"}, {"schemaJson", "{}"}, {"schema", std::move(fields)}};
  };
  const Json name = {{"id", "fullName"}, {"type", "simpleType"}, {"required", true}};
  EXPECT_EQ(field_of(s, schema({name, {{"id", 7}}})), "accepted");  // members: MOSIP's JsonNode
  EXPECT_EQ(field_of(s, schema({name, "fullName"})), "schema/1");
  EXPECT_EQ(field_of(s, schema({name, nullptr})), "schema/1");
  EXPECT_EQ(field_of(s, schema(Json::array({Json::array()}))), "schema/0");

  const Json user = {{"id", "officer1"}, {"roles", {"REGISTRATION_OFFICER", "SUPERVISOR"}}};
  EXPECT_EQ(field_of(u, user), "accepted");
  EXPECT_EQ(field_of(u, {{"id", "officer1"}, {"roles", {"REGISTRATION_OFFICER", 7}}}), "roles/1");
  EXPECT_EQ(field_of(u, {{"id", "officer1"}, {"roles", {nullptr}}}), "roles/0");
}

TEST(CatalogueTest, ScopesFollowMosipsSelectionRules) {
  EXPECT_EQ(scope_of(*find_entity("genders"), {{"code", "M"}}, "10002"), "");
  EXPECT_EQ(scope_of(*find_entity("registration_centers"), {{"id", "10001"}}, "10002"), "c:10001");
  EXPECT_EQ(
      scope_of(*find_entity("machines"), {{"id", "10011"}, {"regCenterId", "10001"}}, "10002"),
      "m:10011");
  EXPECT_EQ(scope_of(*find_entity("holidays"), {{"locationCode", "KTA"}}, "10002"), "l:KTA");
  EXPECT_EQ(scope_of(*find_entity("templates"), {{"moduleId", "10002"}}, "10002"), "");
  EXPECT_EQ(scope_of(*find_entity("templates"), {{"moduleId", "10003"}}, "10002"), kNoScope);
  EXPECT_EQ(scope_of(*find_entity("devices"), {{"id", "d"}}, "10002"), kNoScope);
  const Entity& config = *find_entity("configurations");
  EXPECT_EQ(scope_of(config, {{"name", "a"}, {"value", "1"}}, "10002"), "");
  EXPECT_EQ(scope_of(config, {{"name", "a"}, {"regCenterId", "10001"}}, "10002"), "c:10001");
  EXPECT_EQ(
      scope_of(config, {{"name", "a"}, {"regCenterId", "10001"}, {"machineId", "10011"}}, "10002"),
      "m:10011");
  EXPECT_EQ(scope_of(config, {{"name", "a"}, {"machineId", "10011"}}, "10002"), "m:10011");
  EXPECT_EQ(machine_scopes("10011", "10001", "KTA"),
            (std::vector<std::string>{"", "m:10011", "c:10001", "l:KTA"}));
  EXPECT_EQ(machine_scopes("10011", "", ""), (std::vector<std::string>{"", "m:10011"}));
}

}  // namespace
}  // namespace registrar::sync
