// Machine moves in the cursor pull (docs/sync.md, "Machine moves"), on real databases: a client
// that was served one centre and is moved to another is brought over by the catch-up (departures
// for the scopes it left, the rows of the scopes it entered, the changes of those it kept) and
// ends with exactly the server's rows of its new scopes — written out below — in pages of two,
// with writes before, between and after; also a second move in the middle of a catch-up, a
// change of the centre's holiday location, and moves while writers run.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "core/error.h"
#include "cursor_fixture.h"
#include "sync/cursor_pull.h"

namespace registrar::sync {
namespace {

// A client as docs/sync.md tells one to be: applies each page, keeps the cursor.
struct Client {
  std::string cursor = "0";
  std::map<std::string, int64_t> rows;  // entity|id|lang -> version (deleted rows included)
  std::set<std::string> deleted;
  std::vector<Json> received;  // every change, in order
  int pages = 0;
  // (key, version) of every upsert/delete received: a re-delivery shows as a repeat.
  std::vector<std::pair<std::string, int64_t>> versions;

  void apply(const Json& page) {
    ++pages;
    int64_t last = 0;
    for (const auto& c : page["changes"]) {
      EXPECT_GT(c["seq"].get<int64_t>(), last) << "a page is in sequence order";
      last = c["seq"];
      std::string key = c["entity"].get<std::string>() + "|" + c["id"].get<std::string>() + "|" +
                        (c["langCode"].is_null() ? "" : c["langCode"].get<std::string>());
      received.push_back(c);
      if (c["op"] == "depart") {
        rows.erase(key);
        deleted.erase(key);
        continue;
      }
      rows[key] = c["version"];
      versions.emplace_back(key, c["version"]);
      if (c["op"] == "delete")
        deleted.insert(key);
      else
        deleted.erase(key);
    }
    cursor = page["cursor"];
  }
};

class MoveTest : public testing::CursorFixture {
 protected:
  MoveTest() {
    // Centre C shares A's holiday location: a machine moved from A to C keeps l:LA.
    put("registration_centers", {{"id", "C"},
                                 {"name", "C"},
                                 {"centerTypeCode", "T"},
                                 {"holidayLocationCode", "LA"},
                                 {"langCode", "eng"}});
  }
  Json user(const std::string& id, const std::string& centre, const std::string& name = "n") {
    return {{"id", id}, {"name", name}, {"regCenterId", centre}};
  }
  Json holiday(const std::string& id, const std::string& loc) {
    return {{"holidayId", id},
            {"holidayDate", "2027-01-01"},
            {"holidayName", id},
            {"locationCode", loc},
            {"langCode", "eng"}};
  }
  void move(const std::string& machine_id, const std::string& centre) {
    auto row =
        *db_.read([&](soci::session& s) { return db::find_row(s, "machines", machine_id, ""); });
    Json body = Json::parse(row.data);
    body["regCenterId"] = centre;
    put("machines", body);
  }
  void set_holiday_location(const std::string& centre, const std::string& loc) {
    put("registration_centers", {{"id", centre},
                                 {"name", centre},
                                 {"centerTypeCode", "T"},
                                 {"holidayLocationCode", loc},
                                 {"langCode", "eng"}});
  }
  void remove(const std::string& entity, const std::string& id, const std::string& lang = "") {
    service_.remove(*find_entity(entity), id, lang, "tester");
  }
  // Pulls until `more` is false.
  void catch_up(Client& c, const std::string& machine_id, int limit = 2) {
    for (int i = 0; i < 10000; ++i) {
      Json page = pull(machine_id, c.cursor, limit);
      c.apply(page);
      if (!page["more"].get<bool>()) return;
    }
    FAIL() << "the pull never ended";
  }
  // Every entity|id|lang -> version of the rows in `scopes`, deleted ones included, and which
  // are deleted.
  std::pair<std::map<std::string, int64_t>, std::set<std::string>> server_state(
      const std::vector<std::string>& scopes) {
    std::map<std::string, int64_t> rows;
    std::set<std::string> deleted;
    db_.read([&](soci::session& s) {
      for (const auto& e : catalogue())
        for (const auto& scope : scopes) {
          db::ListQuery q;
          q.entity = e.name;
          q.scope = scope;
          q.include_deleted = true;
          q.limit = 100000;
          for (const auto& r : db::list_rows(s, q)) {
            std::string key = r.entity + "|" + r.id + "|" + r.lang;
            rows[key] = r.version;
            if (r.deleted) deleted.insert(key);
          }
        }
    });
    return {rows, deleted};
  }
  void expect_server_state(const Client& c, const std::string& machine_id) {
    auto [rows, deleted] = server_state(machine(machine_id).scopes);
    EXPECT_EQ(c.rows, rows);
    EXPECT_EQ(c.deleted, deleted);
  }
};

TEST_P(MoveTest, AMovedMachinesClientEndsWithExactlyItsNewCentresRows) {
  put("users", user("uA1", "A"));
  put("users", user("uA2", "A"));
  put("users", user("uC1", "C"));
  put("users", user("uC2", "C"));
  put("users", user("uB1", "B"));
  put("holidays", holiday("hLA1", "LA"));
  put("holidays", holiday("hLB1", "LB"));
  put("languages", {{"code", "eng"}, {"name", "English"}, {"langCode", "eng"}});
  remove("users", "uC2");

  Client client;
  catch_up(client, "mA");
  EXPECT_EQ(client.rows.count("users|uA1|"), 1u);
  EXPECT_EQ(client.rows.count("users|uC1|"), 0u);
  const std::string before_move = client.cursor;

  // Between the pulls: changes in the centre it leaves, the one it enters and the scopes it
  // keeps; a user moves from A to C, another from B to A.
  put("users", user("uA1", "A", "renamed"));
  put("users", user("uC1", "C", "renamed"));
  put("users", user("uC3", "C"));
  put("users", user("uA2", "C"));
  put("users", user("uB1", "A"));
  put("holidays", holiday("hLA2", "LA"));
  put("languages", {{"code", "fra"}, {"name", "French"}, {"langCode", "fra"}});
  move("mA", "C");
  // After the move, before the client pulls.
  put("users", user("uC4", "C"));
  put("users", user("uA3", "A"));
  remove("holidays", "hLA1", "eng");

  const size_t moved_at = client.received.size();
  Json first = pull("mA", client.cursor, 2);
  EXPECT_EQ(first["scopes"], Json({"", "m:mA", "c:C", "l:LA"}));
  // The catch-up's cursor names the client's base, the switch and its progress.
  EXPECT_EQ(first["cursor"].get<std::string>().rfind(before_move + ".", 0), 0u) << first["cursor"];
  EXPECT_EQ(first["more"], true);
  client.apply(first);
  catch_up(client, "mA");

  // Written out: the rows of scopes "", m:mA, c:C and l:LA, with their versions.
  const std::map<std::string, int64_t> expected = {
      {"registration_center_types|T|eng", 1},
      {"locations|LA|eng", 1},
      {"locations|LB|eng", 1},
      {"registration_centers|C|eng", 1},
      {"machines|mA|", 2},
      {"users|uC1|", 2},
      {"users|uC2|", 2},  // deleted before the move: the client deletes it too
      {"users|uC3|", 1},
      {"users|uA2|", 2},  // moved from A to C
      {"users|uC4|", 1},
      {"holidays|hLA1|eng", 2},  // deleted after the move
      {"holidays|hLA2|eng", 1},
      {"languages|eng|", 1},
      {"languages|fra|", 1}};
  EXPECT_EQ(client.rows, expected);
  EXPECT_EQ(client.deleted, (std::set<std::string>{"users|uC2|", "holidays|hLA1|eng"}));
  expect_server_state(client, "mA");
  // Nothing was delivered twice at the same version, and nothing of A or B arrived.
  std::set<std::pair<std::string, int64_t>> once(client.versions.begin(), client.versions.end());
  EXPECT_EQ(once.size(), client.versions.size());
  for (size_t i = moved_at; i < client.received.size(); ++i) {
    const Json& c = client.received[i];
    if (c.contains("row") && c["row"].contains("regCenterId"))
      EXPECT_EQ(c["row"]["regCenterId"], "C") << c;
  }

  // Afterwards the client is an ordinary one: a change comes once, with a plain cursor.
  put("users", user("uC5", "C"));
  Json next = pull("mA", client.cursor, 10);
  ASSERT_EQ(next["changes"].size(), 1u);
  EXPECT_EQ(next["changes"][0]["id"], "uC5");
  EXPECT_EQ(next["cursor"].get<std::string>().find('.'), std::string::npos);
  EXPECT_EQ(next["more"], false);
}

TEST_P(MoveTest, ASecondMoveDuringTheCatchUpRestartsItTowardsTheLatestScopes) {
  for (int i = 0; i < 6; ++i) {
    put("users", user("uA" + std::to_string(i), "A"));
    put("users", user("uC" + std::to_string(i), "C"));
    put("users", user("uB" + std::to_string(i), "B"));
  }
  Client client;
  catch_up(client, "mA");
  move("mA", "C");
  client.apply(pull("mA", client.cursor, 3));  // a part of the catch-up to C
  ASSERT_NE(client.cursor.find('.'), std::string::npos);
  move("mA", "B");
  put("users", user("uB9", "B"));
  catch_up(client, "mA", 3);
  EXPECT_EQ(machine("mA").scopes, (std::vector<std::string>{"", "m:mA", "c:B", "l:LB"}));
  expect_server_state(client, "mA");
  EXPECT_EQ(client.rows.count("users|uC0|"), 0u);
  EXPECT_EQ(client.rows.count("users|uB9|"), 1u);
}

// The client departs some of A's rows in a catch-up towards C, then the machine is moved back
// to A: A's rows it departed must come again.
TEST_P(MoveTest, AMoveBackDuringTheCatchUpBringsBackWhatWasDeparted) {
  for (int i = 0; i < 6; ++i) {
    put("users", user("uA" + std::to_string(i), "A"));
    put("users", user("uC" + std::to_string(i), "C"));
  }
  Client client;
  catch_up(client, "mA");
  const auto held = client.rows;
  move("mA", "C");
  client.apply(pull("mA", client.cursor, 4));
  ASSERT_NE(client.cursor.find('.'), std::string::npos);
  bool departed_some = false;
  for (const auto& [key, version] : held) departed_some = departed_some || !client.rows.count(key);
  ASSERT_TRUE(departed_some) << "the first page departs some of A's rows";
  move("mA", "A");
  catch_up(client, "mA", 4);
  expect_server_state(client, "mA");
  EXPECT_EQ(client.rows.count("users|uA0|"), 1u);
  EXPECT_EQ(client.rows.count("users|uC0|"), 0u);
}

// Moved to C and back to A before its client pulled: it held A all along, so it gets only A's
// changes (nothing twice, nothing of C).
TEST_P(MoveTest, AMoveAwayAndBackBetweenTwoPullsSendsOnlyTheChanges) {
  put("users", user("uA0", "A"));
  put("users", user("uC0", "C"));
  Client client;
  catch_up(client, "mA");
  const size_t before = client.received.size();
  move("mA", "C");
  put("users", user("uA1", "A"));
  move("mA", "A");
  catch_up(client, "mA");
  expect_server_state(client, "mA");
  std::vector<std::string> got;
  for (size_t i = before; i < client.received.size(); ++i)
    got.push_back(client.received[i]["op"].get<std::string>() + " " +
                  client.received[i]["id"].get<std::string>());
  EXPECT_EQ(got, (std::vector<std::string>{"upsert uA1", "upsert mA"}));
}

TEST_P(MoveTest, TheCentresNewHolidayLocationBringsItsHolidaysAndDepartsTheOld) {
  put("holidays", holiday("hLA", "LA"));
  put("holidays", holiday("hLB", "LB"));
  Client client;
  catch_up(client, "mA");
  EXPECT_EQ(client.rows.count("holidays|hLA|eng"), 1u);
  set_holiday_location("A", "LB");
  catch_up(client, "mA");
  EXPECT_EQ(client.rows.count("holidays|hLA|eng"), 0u);
  EXPECT_EQ(client.rows.count("holidays|hLB|eng"), 1u);
  expect_server_state(client, "mA");
}

// Writers change users and holidays of A, B and C while a client pulls in small pages and
// machine A moves between the three centres every third page (so mostly during the catch-up of
// the previous move): when all stop, pulling to the end leaves the client with exactly the rows
// of the machine's final scopes.
TEST_P(MoveTest, MovesWhileWritersRunEndWithTheServersRows) {
  constexpr int kWriters = 2, kOpsEach = 50, kMoves = 6;
  const std::vector<std::string> centres = {"A", "B", "C"};
  std::atomic<int> running{kWriters};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < kOpsEach; ++i) {
        std::string id = "u" + std::to_string(t) + "_" + std::to_string(rng() % 15);
        const std::string& centre = centres[rng() % 3];
        if (rng() % 6 == 0) {
          try {
            remove("users", id);
          } catch (const core::Error&) {  // never written yet
          }
          continue;
        }
        put("users", user(id, centre, "n" + std::to_string(i)));
        if (rng() % 4 == 0) put("holidays", holiday("h" + id, rng() % 2 ? "LA" : "LB"));
      }
      --running;
    });
  Client client;
  int retries = 0, moves = 0, catch_up_pages = 0;
  try {
    for (int i = 0; i < 100000; ++i) {
      bool stopped = running.load() == 0;
      Json page;
      try {
        page = pull("mA", client.cursor, 3);
      } catch (const core::Error& e) {
        // The machine changed under the pull more often than it retries: the client pulls again.
        if (e.kind() != core::ErrorKind::kUnavailable) throw;
        ++retries;
        continue;
      }
      client.apply(page);
      if (client.cursor.find('.') != std::string::npos) ++catch_up_pages;
      // Every third page the machine moves: often in the middle of the previous catch-up.
      if (client.pages % 3 == 1 && moves < kMoves) move("mA", centres[++moves % 3]);
      stopped = stopped && moves == kMoves;
      if (stopped && !page["more"].get<bool>()) break;
    }
  } catch (...) {
    for (auto& t : threads) t.join();
    throw;
  }
  for (auto& t : threads) t.join();
  EXPECT_LT(retries, 50);
  EXPECT_EQ(moves, kMoves);
  EXPECT_GT(catch_up_pages, kMoves);
  EXPECT_GT(client.pages, 5);
  expect_server_state(client, "mA");
}

INSTANTIATE_TEST_SUITE_P(Backends, MoveTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::sync
