// A database that cannot take writes (docs/reliability.md, "Full disk and read-only database"):
// a SQLite file at its size cap (database.sqlite_max_size_mib: the same SQLITE_FULL a full disk
// gives) and a database opened read-only (database.read_only, on each backend). Writes through
// the HTTP API of three modules (ids issuance, IBR enrollment, authz events) are refused with 503,
// Retry-After and a message naming the cause; nothing is half-written (the counts and the audit
// chain say so); reads are still served; and once space is free again writes succeed without a
// restart.
#include <gtest/gtest.h>

#include <soci/soci.h>

#include <cstdio>
#include <string>

#include "ibr/api_fixture.h"
#include "store/database.h"
#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar {
namespace {

using Json = nlohmann::json;
using testing::run_registrar;

constexpr const char* kSecret = "ev3nt-s3cret";
constexpr const char* kEstate = "11111111111";
constexpr const char* kHeir = "22222222211";
constexpr const char* kHeir2 = "33333333311";
constexpr const char* kProbate = "urn:domstolene:digitaltdodsbo:skifteattest";

// An estate case event as the authz event handler takes it (a CloudEvent, data as a string).
Json case_event(int n) {
  Json heir = Json::object();
  heir["type"] = "Person";
  heir["nin"] = kHeir;
  heir["role"] = kProbate;
  heir["relation"] = "urn:digitaltdodsbo:arving:barn";
  heir["probateCertificateRecipient"] = false;
  heir["signedDate"] = nullptr;
  // Odd events name two heirs, even ones one: each event changes the estate's roles.
  Json heirs = Json::array();
  heirs.push_back(heir);
  if (n % 2) {
    heir["nin"] = kHeir2;
    heirs.push_back(heir);
  }
  const std::string time =
      "2025-08-01T18:" + std::string(n < 10 ? "0" : "") + std::to_string(n) + ":00+00:00";
  Json data = {{"time", time},
               {"caseId", "3f1c2d1e-0000-4000-8000-000000000001"},
               {"caseNumber", "abc123"},
               {"caseStatus", "MOTTATT"},
               {"districtCourtName", "Oslo tingrett"},
               {"probateDeadline", "2025-10-01T00:00:00+00:00"},
               {"heirRolesV2", heirs}};
  return {{"id", "evt-" + std::to_string(n)},
          {"specversion", "1.0"},
          {"source", "https://platform.tt02.altinn.no/dd"},
          {"type", "no.altinn.events.digitalt-dodsbo.v1.case-status-update-validated"},
          {"subject", std::string("/person/") + kEstate},
          {"resource", "urn:altinn:resource:dd"},
          {"time", time},
          {"data", data.dump()}};
}

class StorageTest : public ibr::test::IbrProcessTest {
 protected:
  // The first instance: migrations, the IBR sender, tokens, one write of each kind.
  void start_first() {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    o.env["REGISTRAR_AUTHZ_EVENT_SECRET"] = kSecret;
    p_ = std::make_unique<testing::RegistrarProcess>(o);
    admin_ = token("ibr:admin");
    ASSERT_EQ(admin_post("/v1/ibr/senders", Json{{"sender_id", "sp-mis"},
                                                 {"name", "SP-MIS"},
                                                 {"public_key", ibr::test::raw_key(key_)}})
                  .status,
              201);
    ids_ = token("ids:admin");
    pip_ = token("altinn:dd:internal");
    ASSERT_EQ(issue().status, 201);
    ASSERT_EQ(enroll("100").status, 200);
    ASSERT_EQ(event(1).status, 200);
  }
  // The same database, master key and port, with `env` added (REGISTRAR_DATABASE_*).
  void restart_with(const std::map<std::string, std::string>& env) {
    const uint16_t port = p_->port();
    const std::string master = p_->env().at("REGISTRAR_IDENTITY_MASTER_KEY_FILE");
    p_->terminate();
    testing::ProcessOptions o;
    o.port = port;
    o.database_url = db_.url();
    o.env = env;
    o.env["REGISTRAR_AUTHZ_EVENT_SECRET"] = kSecret;
    o.env["REGISTRAR_IDENTITY_MASTER_KEY_FILE"] = master;
    auto next = std::make_unique<testing::RegistrarProcess>(o);
    old_.push_back(std::move(p_));  // its temp dir holds the master key
    p_ = std::move(next);
  }

  http::Response issue() {
    return p_->post("/v1/ids/sequences/machine", "", "application/json", testing::bearer(ids_));
  }
  http::Response enroll(const std::string& nid) {
    return post(ibr::test::kUpdates, signed_body("notify", ibr::test::updates_message(nid)));
  }
  http::Response event(int n) {
    return p_->post(std::string("/api/v1/eventhandler?auth=") + kSecret, case_event(n).dump());
  }
  // Reads: the PIP's role assignments of the estate (JSON, as the PIP sorts them).
  std::string roles() {
    auto r = p_->post("/api/v1/pip", Json{{"from", kEstate}}.dump(), "application/json",
                      testing::bearer(pip_));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Json::parse(r.body)["roleAssignments"].dump() : "";
  }
  // Whether the PIP names `nin` as a recipient in the estate.
  bool has_role(const std::string& nin) { return roles().find(nin) != std::string::npos; }

  int64_t scalar(const std::string& sql) { return db_.scalar(sql); }
  int64_t audit_rows(const std::string& action) {
    return scalar("SELECT COUNT(*) FROM audit_log WHERE action = '" + action + "'");
  }

  // A refused write: 503, Retry-After, and the cause in the message.
  static void expect_refused(const http::Response& r, const std::string& cause) {
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_TRUE(r.headers.get("Retry-After")) << r.body;
    EXPECT_NE(r.body.find(cause), std::string::npos) << r.body;
  }
  void expect_audit_verifies() {
    auto verify = run_registrar("audit verify", p_->env());
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
  }

  std::string ids_, pip_;
};

class SqliteStorageTest : public StorageTest {};

// The SQLite file capped just above what it holds: writes fill it, are refused while it is full
// with nothing half-written, reads go on, and a write succeeds again as soon as pages are free
// (here: a table of filler the test drops, as an operator frees a full disk) — no restart.
TEST_P(SqliteStorageTest, FullDatabaseRefusesWritesAndRecoversWithoutRestart) {
  start_first();
  // The cap: 2 MiB above the file's size; the filler, a table of blobs, takes all of that room
  // but about 200 KiB, so that dropping it frees room again.
  constexpr int64_t kMiB = 1024 * 1024;
  const int64_t page_size = scalar("PRAGMA page_size");
  const int64_t cap_mib = scalar("PRAGMA page_count") * page_size / kMiB + 3;
  {
    store::Database db(db_.options(1));
    db.write([&](soci::session& s) {
      s << "CREATE TABLE reliability_filler (b BLOB)";
      long long pages = 0;
      s << "PRAGMA page_count", soci::into(pages);
      const int64_t fill = cap_mib * kMiB - pages * page_size - 200 * 1024;
      for (int64_t done = 0; done < fill; done += 16 * 1024)
        s << "INSERT INTO reliability_filler VALUES (zeroblob(16000))";
    });
  }
  const int64_t room = cap_mib * kMiB - scalar("PRAGMA page_count") * page_size;
  ASSERT_GT(room, 64 * 1024);
  ASSERT_LT(room, 400 * 1024);
  restart_with({{"REGISTRAR_DATABASE_SQLITE_MAX_SIZE_MIB", std::to_string(cap_mib)}});

  // Issue IDs until the database is full (200 KiB of room: a few hundred).
  int issued = 1;  // by start_first
  http::Response refused;
  for (int i = 0; i < 20000; ++i) {
    auto r = issue();
    if (r.status != 201) {
      refused = r;
      break;
    }
    ++issued;
  }
  expect_refused(refused, "the database is full");
  std::printf("identifiers issued before the database was full: %d\n", issued);
  const int64_t audited = audit_rows("ids.machine.issue");
  EXPECT_EQ(audited, issued);  // every 201 has its audit row, the refused one none

  // Every kind of write is refused the same way while full.
  const std::string roles_before = roles();
  EXPECT_TRUE(has_role(kHeir2));  // event 1's second heir
  const int64_t events_audited =
      scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'authz.%'");
  expect_refused(event(2), "the database is full");
  auto ibr = enroll("200");
  EXPECT_EQ(ibr.status, 503) << ibr.body;
  EXPECT_NE(ibr.body.find("the database is full"), std::string::npos) << ibr.body;
  expect_refused(issue(), "the database is full");

  // Nothing half-written; reads still served.
  EXPECT_EQ(audit_rows("ids.machine.issue"), audited);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'authz.%'"), events_audited);
  EXPECT_EQ(roles(), roles_before);
  EXPECT_EQ(count("100"), 1);
  EXPECT_EQ(count("200"), 0);
  EXPECT_EQ(p_->get("/readyz").status, 200);
  expect_audit_verifies();

  // Space freed: writes succeed again on the same process.
  {
    store::Database db(db_.options(1));
    db.write([](soci::session& s) { s << "DROP TABLE reliability_filler"; });
  }
  auto again = issue();
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(enroll("200").status, 200);
  EXPECT_EQ(event(2).status, 200);
  EXPECT_FALSE(has_role(kHeir2));  // event 2 dropped the second heir
  EXPECT_EQ(count("200"), 1);
  EXPECT_EQ(audit_rows("ids.machine.issue"), audited + 1);
  expect_audit_verifies();
}

INSTANTIATE_TEST_SUITE_P(reliability, SqliteStorageTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

// database.read_only on each backend: writes refused, reads served, nothing written; the next
// start without it writes again.
TEST_P(StorageTest, ReadOnlyDatabaseRefusesWritesAndServesReads) {
  start_first();
  const int64_t issued = audit_rows("ids.machine.issue");
  const int64_t all_audit = scalar("SELECT COUNT(*) FROM audit_log");
  const std::string roles_before = roles();
  restart_with({{"REGISTRAR_DATABASE_READ_ONLY", "true"}});

  expect_refused(issue(), "the database is read-only");
  expect_refused(event(2), "the database is read-only");
  auto ibr = enroll("200");
  EXPECT_EQ(ibr.status, 503) << ibr.body;
  EXPECT_NE(ibr.body.find("the database is read-only"), std::string::npos) << ibr.body;

  EXPECT_TRUE(has_role(kHeir2));
  EXPECT_EQ(roles(), roles_before);
  EXPECT_EQ(count("100"), 1);
  EXPECT_EQ(count("200"), 0);
  EXPECT_EQ(p_->get("/readyz").status, 200);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_log"), all_audit);
  expect_audit_verifies();

  restart_with({});
  EXPECT_EQ(issue().status, 201);
  EXPECT_EQ(event(2).status, 200);
  EXPECT_FALSE(has_role(kHeir2));  // event 2 dropped the second heir
  EXPECT_EQ(enroll("200").status, 200);
  EXPECT_EQ(count("200"), 1);
  EXPECT_EQ(audit_rows("ids.machine.issue"), issued + 1);
  expect_audit_verifies();
}

INSTANTIATE_TEST_SUITE_P(reliability, StorageTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar
