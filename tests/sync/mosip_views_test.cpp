// The pure parts of the MOSIP routes: configuration levels, user details and identity schema
// versions compared as numbers.
#include <gtest/gtest.h>

#include "sync/mosip_views.h"

namespace registrar::sync {
namespace {

TEST(MosipViewsTest, MachineOverridesCentreOverridesGlobalInAnyOrder) {
  Json global = {{"name", "t"}, {"value", "1"}};
  Json centre = {{"name", "t"}, {"value", "2"}, {"regCenterId", "C"}};
  Json machine = {{"name", "t"}, {"value", "3"}, {"regCenterId", "C"}, {"machineId", "M"}};
  Json other = {{"name", "u"}, {"value", "x"}, {"regCenterId", "C"}};
  EXPECT_EQ(merge_configurations({global, centre, machine, other}), (Json{{"t", "3"}, {"u", "x"}}));
  EXPECT_EQ(merge_configurations({machine, centre, global}), (Json{{"t", "3"}}));
  EXPECT_EQ(merge_configurations({centre, global}), (Json{{"t", "2"}}));
  EXPECT_EQ(merge_configurations({}), Json::object());
}

TEST(MosipViewsTest, UserDetailHasMosipsFieldsAndNoPassword) {
  Json u = user_detail({{"id", "op1"}, {"regCenterId", "C"}}, true, false, "");
  EXPECT_EQ(u["userName"], "op1");
  EXPECT_TRUE(u["userPassword"].is_null());
  EXPECT_TRUE(u["langCode"].is_null());
  EXPECT_EQ(u["roles"], Json::array());
  EXPECT_EQ(u.size(), 10u);
}

TEST(MosipViewsTest, IdVersionsCompareAsDecimalNumbers) {
  EXPECT_EQ(compare_id_versions("0.9", "0.10"), 1);
  EXPECT_EQ(compare_id_versions("0.1", "0.10"), 0);
  EXPECT_EQ(compare_id_versions("9.0", "10"), -1);
  EXPECT_EQ(compare_id_versions("010.5", "10.50"), 0);
  EXPECT_EQ(compare_id_versions("0", "0.0"), 0);
  EXPECT_EQ(compare_id_versions("1.2", "1.19"), 1);
  for (const char* bad : {"", ".", "1.", ".5", "1.2.3", "a", "-1", "1e3", " 1"}) {
    EXPECT_FALSE(is_id_version(bad)) << bad;
    EXPECT_EQ(compare_id_versions(bad, "1"), std::nullopt) << bad;
  }
}

TEST(MosipViewsTest, PicksTheLatestOrTheWantedSchema) {
  std::vector<SchemaCandidate> rows = {{{{"idVersion", "0.9"}}, 0},
                                       {{{"idVersion", "10.0"}, {"domain", "other"}}, 1},
                                       {{{"idVersion", "9.0"}, {"domain", "reg"}}, 2},
                                       {{{"idVersion", "x"}}, 3}};
  EXPECT_EQ(pick_id_schema(rows, "0", "", ""), 1u);
  EXPECT_EQ(pick_id_schema(rows, "0.0", "reg", ""), 2u);  // 10.0 names another domain
  EXPECT_EQ(pick_id_schema(rows, "0.90", "", ""), 0u);
  EXPECT_EQ(pick_id_schema(rows, "7", "", ""), std::nullopt);
  EXPECT_EQ(pick_id_schema({}, "0", "", ""), std::nullopt);
}

}  // namespace
}  // namespace registrar::sync
