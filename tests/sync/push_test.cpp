// push_changes on real databases: each change applied on its own with its answer remembered
// (replays get the same answer), conflicts show the server's row, and a machine changes only
// its own scopes and only isActive of its own machine row.
#include <gtest/gtest.h>

#include <thread>

#include "core/error.h"
#include "cursor_fixture.h"
#include "support/refusal.h"
#include "sync/cursor_api.h"

namespace registrar::sync {
namespace {

class PushTest : public testing::CursorFixture {
 protected:
  PushTest() {
    put("users", {{"id", "uA"}, {"regCenterId", "A"}});
    put("users", {{"id", "uB"}, {"regCenterId", "B"}});
  }
  Json push(const Json& changes, const std::string& machine_id = "mA") {
    return push_changes(service_, machine(machine_id), CursorSettings{}.push_entities,
                        {{"changes", changes}});
  }
  static Json change(const std::string& id, const std::string& entity, Json row, int64_t base = 0,
                     const std::string& op = "upsert") {
    return {{"changeId", id},
            {"entity", entity},
            {"op", op},
            {"baseVersion", base},
            {"row", std::move(row)}};
  }
  static Json holiday(const std::string& id, const std::string& loc, const std::string& name) {
    return {{"holidayId", id},
            {"holidayDate", "2027-05-01"},
            {"holidayName", name},
            {"locationCode", loc},
            {"langCode", "eng"}};
  }
  int64_t head() {
    return db_.read([](soci::session& s) { return db::head_seq(s); });
  }
};

TEST_P(PushTest, AppliesEachChangeAndReplaysTheStoredAnswer) {
  Json r = push(Json::array({change("c1", "holidays", holiday("h1", "LA", "Labour day")),
                             change("c2", "registration_center_user_machines",
                                    {{"regCntrId", "A"}, {"machineId", "mA"}, {"usrId", "uA"}})}));
  ASSERT_EQ(r["results"].size(), 2u);
  EXPECT_EQ(r["results"][0]["changeId"], "c1");
  EXPECT_EQ(r["results"][0]["status"], "applied");
  EXPECT_EQ(r["results"][0]["version"], 1);
  EXPECT_EQ(r["results"][1]["status"], "applied");
  int64_t seq = r["results"][0]["seq"];
  auto row = *db_.read([](soci::session& s) { return db::find_row(s, "holidays", "h1", "eng"); });
  EXPECT_EQ(row.seq, seq);
  EXPECT_EQ(row.created_by, "machine:mA");

  // The same change id again: the stored answer, nothing written.
  int64_t before = head();
  Json again = push(Json::array({change("c1", "holidays", holiday("h1", "LA", "Other"))}));
  EXPECT_EQ(again["results"][0]["status"], "applied");
  EXPECT_EQ(again["results"][0]["seq"], seq);
  EXPECT_EQ(again["results"][0]["replayed"], true);
  EXPECT_EQ(head(), before);

  // Same data at the current version: unchanged.
  Json same = push(Json::array({change("c3", "holidays", holiday("h1", "LA", "Labour day"), 1)}));
  EXPECT_EQ(same["results"][0]["status"], "unchanged");
  EXPECT_EQ(same["results"][0]["version"], 1);
  // Update, then delete at the new version.
  Json upd = push(Json::array(
      {change("c4", "holidays", holiday("h1", "LA", "May day"), 1),
       change("c5", "holidays", {{"holidayId", "h1"}, {"langCode", "eng"}}, 2, "delete")}));
  EXPECT_EQ(upd["results"][0]["status"], "applied");
  EXPECT_EQ(upd["results"][0]["version"], 2);
  EXPECT_EQ(upd["results"][1]["status"], "applied");
  EXPECT_EQ(upd["results"][1]["version"], 3);
  EXPECT_TRUE(
      db_.read([](soci::session& s) { return db::find_row(s, "holidays", "h1", "eng"); })->deleted);
}

TEST_P(PushTest, TheSameChangeIdPushedConcurrentlyIsAppliedOnce) {
  // Both requests may miss each other's record before writing; the second record's unique key
  // rolls its write back and it answers with the first one's result.
  for (int round = 0; round < 4; ++round) {
    std::string id = "cc" + std::to_string(round);
    Json changes = Json::array({change(id, "holidays", holiday("h" + id, "LA", "x"))});
    Json a, b;
    std::thread t1([&] { a = push(changes); });
    std::thread t2([&] { b = push(changes); });
    t1.join();
    t2.join();
    Json ra = a["results"][0], rb = b["results"][0];
    EXPECT_EQ(ra["status"], "applied");
    EXPECT_EQ(rb["status"], "applied");
    EXPECT_EQ(ra["seq"], rb["seq"]);
    EXPECT_NE(ra.contains("replayed"), rb.contains("replayed")) << ra << rb;
    EXPECT_EQ(
        db_.read([&](soci::session& s) { return db::find_row(s, "holidays", "h" + id, "eng"); })
            ->version,
        1);
  }
}

TEST_P(PushTest, AConflictShowsWhatTheServerHolds) {
  put("holidays", holiday("h1", "LA", "Server name"));
  put("holidays", holiday("h1", "LA", "Server name 2"));
  Json r = push(Json::array({change("c1", "holidays", holiday("h1", "LA", "Client name"), 1)}));
  EXPECT_EQ(r["results"][0]["status"], "conflict");
  EXPECT_EQ(r["results"][0]["version"], 2);
  EXPECT_EQ(r["results"][0]["row"]["holidayName"], "Server name 2");
  // A create of a row that exists is a conflict too.
  r = push(Json::array({change("c2", "holidays", holiday("h1", "LA", "Client name"), 0)}));
  EXPECT_EQ(r["results"][0]["status"], "conflict");
  EXPECT_EQ(r["results"][0]["version"], 2);
  EXPECT_EQ(
      db_.read([](soci::session& s) { return db::find_row(s, "holidays", "h1", "eng"); })->version,
      2);
}

TEST_P(PushTest, RejectsRowsOutsideTheMachinesScopesAndRemembersTheRejection) {
  put("holidays", holiday("hB", "LB", "B's"));
  int64_t before = head();
  Json r = push(Json::array({
      change("r1", "holidays", holiday("h2", "LB", "another location")),
      change("r2", "registration_center_user_machines",
             {{"regCntrId", "B"}, {"machineId", "mB"}, {"usrId", "uB"}}),
      change("r3", "languages", {{"code", "x"}, {"name", "X"}, {"langCode", "eng"}}),
      change("r4", "holidays", holiday("hB", "LA", "pulled into A"), 1),
      change("r5", "holidays", {{"holidayId", "hB"}, {"langCode", "eng"}}, 1, "delete"),
      change("r6", "nonsense", Json::object()),
      change("r7", "holidays", {{"holidayId", "h3"}}),
  }));
  ASSERT_EQ(r["results"].size(), 7u);
  for (const auto& res : r["results"]) EXPECT_EQ(res["status"], "rejected") << res.dump();
  EXPECT_EQ(r["results"][0]["error"]["field"], "row");
  EXPECT_EQ(r["results"][2]["error"]["field"], "entity");
  EXPECT_EQ(r["results"][3]["error"]["message"],
            "the row is not in this machine's centre, location or machine row");
  EXPECT_EQ(r["results"][5]["error"]["field"], "entity");
  EXPECT_EQ(r["results"][6]["error"]["field"], "holidayDate");  // validation names the field
  EXPECT_EQ(head(), before);
  Json again = push(Json::array({change("r1", "holidays", holiday("h2", "LA", "now fine"))}));
  EXPECT_EQ(again["results"][0]["status"], "rejected");
  EXPECT_EQ(again["results"][0]["replayed"], true);
  // Machine B may push into B.
  Json b = push(Json::array({change("b1", "holidays", holiday("h2", "LB", "fine"))}), "mB");
  EXPECT_EQ(b["results"][0]["status"], "applied");
}

TEST_P(PushTest, AMachineChangesOnlyIsActiveOfItsOwnRow) {
  auto own = *db_.read([](soci::session& s) { return db::find_row(s, "machines", "mA", ""); });
  Json body = Json::parse(own.data);
  body["isActive"] = false;
  Json renamed = Json::parse(own.data);
  renamed["name"] = "renamed";
  auto other = *db_.read([](soci::session& s) { return db::find_row(s, "machines", "mB", ""); });
  Json theirs = Json::parse(other.data);
  theirs["isActive"] = false;
  Json r = push(Json::array({change("m1", "machines", renamed, own.version),
                             change("m2", "machines", theirs, other.version),
                             change("m3", "machines", {{"id", "mA"}}, own.version, "delete"),
                             change("m4", "machines", body, own.version)}));
  EXPECT_EQ(r["results"][0]["status"], "rejected");
  EXPECT_EQ(r["results"][0]["error"]["message"],
            "a machine may change only isActive of its machine row");
  EXPECT_EQ(r["results"][1]["status"], "rejected");
  EXPECT_EQ(r["results"][2]["status"], "rejected");
  EXPECT_EQ(r["results"][3]["status"], "applied");
  EXPECT_FALSE(machine("mA").active);
  EXPECT_TRUE(machine("mB").active);
}

TEST_P(PushTest, AMalformedBodyIsRefusedWhole) {
  auto field_of = [&](const Json& changes) {
    return registrar::testing::refused_field([&] { push(changes); });
  };
  Json bad_op = change("c1", "holidays", holiday("h", "LA", "x"));
  bad_op["op"] = "replace";
  EXPECT_EQ(field_of(Json::array({change("c0", "holidays", holiday("h", "LA", "x")), bad_op})),
            "changes[1].op");
  Json no_id = change("", "holidays", holiday("h", "LA", "x"));
  EXPECT_EQ(field_of(Json::array({no_id})), "changes[0].changeId");
  EXPECT_EQ(field_of(Json::array({change("c", "holidays", holiday("h", "LA", "x"), -1)})),
            "changes[0].baseVersion");
  EXPECT_EQ(field_of(Json::array({change("c", "holidays", "row")})), "changes[0].row");
  EXPECT_EQ(field_of(Json::object()), "changes");
  Json many = Json::array();
  for (int i = 0; i < 501; ++i) many.push_back(change("c" + std::to_string(i), "holidays", {}));
  EXPECT_EQ(field_of(many), "changes");
  // Nothing of the first, well-formed change was applied.
  EXPECT_FALSE(db_.read([](soci::session& s) { return db::find_row(s, "holidays", "h", "eng"); }));
}

INSTANTIATE_TEST_SUITE_P(Backends, PushTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::sync
