// The statements of a clientsettings answer: every entity the route sends is selected once, in
// its scope and window, and entities that share both share a statement.
#include "sync/mosip_selection.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace registrar::sync {
namespace {

MachineContext machine(const std::string& holiday_location = "KTA") {
  MachineContext m;
  m.id = "10011";
  m.centre = "10001";
  m.holiday_location = holiday_location;
  return m;
}

// entity -> "scope@from" for every entity the queries select.
std::map<std::string, std::string> selected(const std::vector<db::WindowQuery>& qs) {
  std::map<std::string, std::string> out;
  for (const auto& q : qs)
    for (const auto& e : q.entities) {
      EXPECT_TRUE(out.emplace(e, q.scope + "@" + std::to_string(q.from_us)).second)
          << e << " is selected twice";
    }
  return out;
}

TEST(ClientSettingsQueries, EachSentEntityOnceInItsScopeAndOneStatementPerScopeAndWindow) {
  for (bool v2 : {false, true}) {
    const SyncWindow window{500, 900, false};
    auto qs = client_settings_queries(machine(), v2, {}, window);
    auto got = selected(qs);
    size_t sent = 0;
    for (const Entity& e : catalogue()) {
      if (e.mosip_name.empty() || !(v2 ? e.in_v2 : e.in_v1)) {
        EXPECT_EQ(got.count(e.name), 0u) << e.name;
        continue;
      }
      ++sent;
      auto scopes = entity_scopes(e, machine());
      ASSERT_EQ(scopes.size(), 1u) << e.name;  // clientsettings entities live in one scope
      EXPECT_EQ(got[e.name], scopes[0] + "@500") << e.name;
    }
    EXPECT_EQ(got.size(), sent);
    std::set<std::string> keys;
    for (const auto& q : qs) {
      EXPECT_EQ(q.to_us, 900);
      EXPECT_TRUE(keys.insert(q.scope + "@" + std::to_string(q.from_us)).second);
    }
    EXPECT_LE(qs.size(), 4u);  // global, centre, machine, holiday location
    EXPECT_GT(sent, qs.size() * 3);
  }
}

TEST(ClientSettingsQueries, FullSyncEntitiesFromZeroAndAnEmptyDeltaSelectsNothingElse) {
  const Entity* forced = nullptr;  // the first entity v2 sends
  for (const Entity& e : catalogue())
    if (!forced && !e.mosip_name.empty() && e.in_v2) forced = &e;
  ASSERT_NE(forced, nullptr);
  // A client that synced after the last boundary: from > to, only the forced entity.
  const std::string scope = entity_scopes(*forced, machine()).at(0);
  auto got = selected(client_settings_queries(machine(), true, {forced}, {950, 900, false}));
  EXPECT_EQ(got, (std::map<std::string, std::string>{{forced->name, scope + "@0"}}));
  // Within a delta, the forced entity gets its own window.
  got = selected(client_settings_queries(machine(), true, {forced}, {500, 900, false}));
  EXPECT_EQ(got[forced->name], scope + "@0");
  EXPECT_GT(got.size(), 1u);
  for (const auto& [e, where] : got)
    if (e != forced->name) EXPECT_NE(where.find("@500"), std::string::npos) << e;
}

TEST(ClientSettingsQueries, NoHolidayLocationNoLocationEntities) {
  auto got = selected(client_settings_queries(machine(""), false, {}, {0, 900, true}));
  for (const auto& [e, where] : got) EXPECT_NE(where.rfind("l:", 0), 0u) << e;
  auto with = selected(client_settings_queries(machine("KTA"), false, {}, {0, 900, true}));
  EXPECT_GT(with.size(), got.size());
}

}  // namespace
}  // namespace registrar::sync
