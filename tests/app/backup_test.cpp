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
  if (testing::test_backends().size() < 2) return;  // no PostgreSQL in this run
  testing::TestDatabase db("postgres");
  testing::TempDir dir;
  std::map<std::string, std::string> env{{"REGISTRAR_DATABASE_URL", db.url()}};
  auto r = testing::run_registrar("backup " + dir.file("x"), env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("pg_dump"), std::string::npos) << r.output;
  auto s = testing::run_registrar("restore " + dir.file("x"), env);
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.output.find("pg_restore"), std::string::npos) << s.output;
}

}  // namespace
}  // namespace registrar::app
