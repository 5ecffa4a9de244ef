// Which v2 entries are URLs, and what their detail says (pure).
#include "sync/mosip_url_entries.h"

#include <gtest/gtest.h>

namespace registrar::sync {
namespace {

TEST(MosipUrlEntriesTest, FileNamesAreV2EntitiesOrTheDynamicFieldsFile) {
  EXPECT_EQ(canonical_file_name("template"), "Template");
  EXPECT_EQ(canonical_file_name("dynamicfielddto"), "DynamicFieldDto");
  EXPECT_EQ(canonical_file_name("DynamicField"), std::nullopt);  // grouped per field name
  EXPECT_EQ(canonical_file_name("TemplateType"), std::nullopt);  // v1 only
  EXPECT_EQ(canonical_file_name("users"), std::nullopt);         // no MOSIP name
}

TEST(MosipUrlEntriesTest, UrlOnFullSyncsAndOnDeltasOnlyWhenConfigured) {
  UrlEntrySettings s;
  s.entities = {"Template", "Location"};
  s.on_delta = {"Location"};
  EXPECT_TRUE(sent_as_url(s, "Template", false));
  EXPECT_FALSE(sent_as_url(s, "Template", true));
  EXPECT_TRUE(sent_as_url(s, "Location", true));
  EXPECT_FALSE(sent_as_url(s, "Holiday", false));
  s.entities.clear();  // on_delta alone does nothing
  EXPECT_FALSE(sent_as_url(s, "Location", true));
}

TEST(MosipUrlEntriesTest, DetailsAreMosipsStrings) {
  UrlEntrySettings s;
  s.base_url = "https://sync.example.org/";
  s.encrypted = false;
  EXPECT_EQ(Json::parse(entity_url_detail(s, "Template")),
            Json::parse(R"({"url": "https://sync.example.org/v1/syncdata/clientsettings/Template",
                            "auth-required": "true", "auth-token": "Authorization:OAUTH",
                            "encrypted": "false", "headers": ""})"));
  s.encrypted = true;
  Json script = Json::parse(script_url_detail(s, "applicanttype.mvel"));
  EXPECT_EQ(script["url"], "https://sync.example.org/v1/syncdata/scripts/applicanttype.mvel");
  EXPECT_EQ(script["encrypted"], "false");
}

TEST(MosipUrlEntriesTest, ScriptNamesAreFileNames) {
  EXPECT_TRUE(valid_script_name("applicanttype.mvel"));
  EXPECT_TRUE(valid_script_name("a-b_c.1"));
  for (const char* bad : {"", ".hidden", "../x", "a/b", "a\\b", "a b"})
    EXPECT_FALSE(valid_script_name(bad)) << bad;
}

}  // namespace
}  // namespace registrar::sync
