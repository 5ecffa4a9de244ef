// `registrar backup` / `restore` on SQLite: a backup taken while identifiers are being issued
// holds every one acknowledged before it started and passes the audit chain check; restored
// into a new place, a server on it (with the same master key) finds them. Refusals: overwriting,
// a file that is not a registrar database, restoring over a database without --force.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "support/databases.h"
#include "support/registrar_process.h"
#include "support/temp_dir.h"

namespace registrar::app {
namespace {

using Json = nlohmann::json;
using testing::RegistrarProcess;

TEST(Backup, AnOnlineBackupHoldsWhatWasAcknowledgedAndRestoresElsewhere) {
  testing::TempDir keep;
  std::string master = keep.file("master.key");
  testing::ProcessOptions o;
  o.env["REGISTRAR_IDENTITY_MASTER_KEY_FILE"] = master;
  auto p = std::make_unique<RegistrarProcess>(o);
  std::string token = testing::issue_token(p->env(), "t", "--scope ids:issue --scope ids:validate");
  auto issue = [&](int count) {
    auto r = p->post("/v1/ids/uin/issue", Json{{"count", count}}.dump(), "application/json",
                     testing::bearer(token));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Json::parse(r.body)["ids"].get<std::vector<std::string>>()
                           : std::vector<std::string>{};
  };
  std::vector<std::string> before = issue(50);
  ASSERT_EQ(before.size(), 50u);

  // Writers keep going while the backup runs: it must not stop them, nor tear what it copies.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop) issue(10);
  });
  std::string file = keep.file("registrar.backup");
  auto b = p->cli("backup " + file);
  stop = true;
  writer.join();
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_NE(b.output.find("master key"), std::string::npos) << b.output;
  EXPECT_EQ(std::filesystem::status(file).permissions() &
                (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
  auto again = p->cli("backup " + file);
  EXPECT_NE(again.exit_code, 0) << "a backup never overwrites";
  p.reset();

  // Restore into a new place, with the same master key.
  testing::TempDir elsewhere;
  std::map<std::string, std::string> env{
      {"REGISTRAR_DATABASE_URL", "sqlite:" + elsewhere.file("restored.db")},
      {"REGISTRAR_IDENTITY_MASTER_KEY_FILE", master}};
  auto r = testing::run_registrar("restore " + file, env);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto verify = testing::run_registrar("audit verify", env);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  auto over = testing::run_registrar("restore " + file, env);
  EXPECT_NE(over.exit_code, 0);
  EXPECT_NE(over.output.find("--force"), std::string::npos) << over.output;
  EXPECT_EQ(testing::run_registrar("restore --force " + file, env).exit_code, 0);

  testing::ProcessOptions restored;
  restored.database_url = env["REGISTRAR_DATABASE_URL"];
  restored.env["REGISTRAR_IDENTITY_MASTER_KEY_FILE"] = master;
  RegistrarProcess q(restored);
  std::string t2 = testing::issue_token(q.env(), "t", "--scope ids:issue");
  for (const auto& id : before) {
    auto rec = q.get("/v1/ids/uin/" + id, testing::bearer(t2));
    ASSERT_EQ(rec.status, 200) << id;
    EXPECT_EQ(Json::parse(rec.body)["status"], "ISSUED");
  }
  // Issuing goes on after the restored IDs, never repeating one.
  auto more =
      q.post("/v1/ids/uin/issue", R"({"count":20})", "application/json", testing::bearer(t2));
  ASSERT_EQ(more.status, 201) << more.body;
  Json issued = Json::parse(more.body);
  for (const auto& id : issued["ids"])
    EXPECT_EQ(std::find(before.begin(), before.end(), id.get<std::string>()), before.end());
}

// The IDs handed out after the backup are lost from the database, not from the world: after a
// restore none of them is issued again. Small lease blocks and a small prefilled pool, so that
// the server leases new counters after the backup (IDs generated before it would hide the
// hazard), and more issued before the backup than after (the skip is sized from the backup's
// last day).
TEST(Backup, IdsIssuedAfterTheBackupAreNeverIssuedAgainAfterARestore) {
  testing::TempDir keep;
  testing::ProcessOptions o;
  o.env["REGISTRAR_IDENTITY_MASTER_KEY_FILE"] = keep.file("master.key");
  o.env["REGISTRAR_IDS_ISSUANCE_BLOCK_SIZE"] = "1000";  // the least allowed
  o.env["REGISTRAR_IDS_ISSUANCE_BATCH_MAX"] = "100";    // the issuer keeps this many ready
  auto p = std::make_unique<RegistrarProcess>(o);
  const std::string db_url = "sqlite:" + p->dir().file("registrar.db");
  std::string token = testing::issue_token(
      p->env(), "t", "--scope ids:issue --scope ids:validate --scope ids:admin");
  auto issue = [&](RegistrarProcess& on, int count) {
    auto r = on.post("/v1/ids/uin/issue", Json{{"count", count}}.dump(), "application/json",
                     testing::bearer(token));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Json::parse(r.body)["ids"].get<std::vector<std::string>>()
                           : std::vector<std::string>{};
  };
  std::vector<std::string> before;
  for (int i = 0; i < 6; ++i)
    for (auto& id : issue(*p, 100)) before.push_back(id);
  // One ID goes back to the pool before the backup and is reissued after it.
  auto back = p->request(http::Method::kPut, "/v1/ids/uin/" + before[0] + "/status",
                         R"({"status":"UNASSIGNED"})", testing::bearer(token));
  ASSERT_EQ(back.status, 200) << back.body;
  std::string file = keep.file("registrar.backup");
  ASSERT_EQ(p->cli("backup " + file).exit_code, 0);
  std::vector<std::string> after;
  for (int i = 0; i < 3; ++i)
    for (auto& id : issue(*p, 100)) after.push_back(id);
  ASSERT_NE(std::find(after.begin(), after.end(), before[0]), after.end())
      << "the pooled ID is handed out again after the backup";
  const auto env = p->env();
  ASSERT_EQ(p->terminate(), 0);

  auto r = testing::run_registrar("restore --force " + file, env);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("uin counters moved forward"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 UNASSIGNED IDs set back to ISSUED"), std::string::npos) << r.output;

  testing::ProcessOptions again = o;
  again.database_url = db_url;
  RegistrarProcess q(again);
  std::set<std::string> lost(after.begin(), after.end());
  for (int i = 0; i < 6; ++i)
    for (auto& id : issue(q, 100)) {
      EXPECT_EQ(lost.count(id), 0u) << id << " was issued after the backup and again now";
      EXPECT_EQ(std::find(before.begin(), before.end(), id), before.end()) << id;
    }
  auto held = q.get("/v1/ids/uin/" + before[0], testing::bearer(token));
  ASSERT_EQ(held.status, 200) << held.body;
  EXPECT_EQ(Json::parse(held.body)["status"], "ISSUED");

  // An operator who knows more moves further; unknown kinds are refused. Audited either way.
  auto skip = q.cli("ids skip-ahead uin --by 1000");
  EXPECT_EQ(skip.exit_code, 0) << skip.output;
  EXPECT_NE(skip.output.find("moved forward by 1000"), std::string::npos) << skip.output;
  EXPECT_NE(q.cli("ids skip-ahead nonsense --by 5").exit_code, 0);
  auto events = q.cli("audit verify");
  EXPECT_EQ(events.exit_code, 0) << events.output;
}

TEST(Backup, RestoreRefusesWhatIsNotARegistrarDatabase) {
  testing::TempDir dir;
  std::string junk = dir.write("junk.db", "not a database at all");
  std::map<std::string, std::string> env{
      {"REGISTRAR_DATABASE_URL", "sqlite:" + dir.file("r.db")},
      {"REGISTRAR_IDENTITY_MASTER_KEY_FILE", dir.file("master.key")}};
  auto r = testing::run_registrar("restore " + junk, env);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("r.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("r.db.restoring")));

  std::string empty = dir.file("empty.db");
  ASSERT_EQ(std::system(("sqlite3 " + empty + " 'CREATE TABLE t (x)'").c_str()), 0);
  auto e = testing::run_registrar("restore " + empty, env);
  EXPECT_NE(e.exit_code, 0);
  EXPECT_NE(e.output.find("not a registrar database"), std::string::npos) << e.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("r.db")));
}

TEST(Backup, OnPostgresItNamesTheProcedure) {
  testing::TestDatabase db("postgres");
  testing::TempDir dir;
  std::map<std::string, std::string> env{{"REGISTRAR_DATABASE_URL", db.url()}};
  auto r = testing::run_registrar("backup " + dir.file("x"), env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("pg_dump"), std::string::npos) << r.output;
  auto s = testing::run_registrar("restore " + dir.file("x"), env);
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.output.find("pg_restore"), std::string::npos) << s.output;
  EXPECT_NE(s.output.find("registrar after-restore"), std::string::npos) << s.output;
  // Its last step runs on PostgreSQL: it migrates an empty database and moves a used counter.
  auto after = testing::run_registrar("after-restore", env);
  EXPECT_EQ(after.exit_code, 0) << after.output;
  ASSERT_EQ(testing::run_registrar("ids issue uin --count 3", env).exit_code, 0);
  auto moved = testing::run_registrar("after-restore", env);
  EXPECT_EQ(moved.exit_code, 0) << moved.output;
  EXPECT_NE(moved.output.find("uin counters moved forward by 1000000"), std::string::npos)
      << moved.output;
}

}  // namespace
}  // namespace registrar::app
