// The audit log on the real binary, on each backend: a request's row carries the client's
// X-Request-Id and the server's own id (which the response and the access log also show), and
// `registrar audit verify` passes an untouched log and names the row someone changed.
#include <gtest/gtest.h>

#include "store/audit.h"
#include "store/database.h"
#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar {
namespace {

using testing::RegistrarProcess;
using testing::run_registrar;
using Json = nlohmann::json;

class AuditTest : public ::testing::TestWithParam<std::string> {
 protected:
  AuditTest() : db_(GetParam()) {}
  std::unique_ptr<RegistrarProcess> start() {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    return std::make_unique<RegistrarProcess>(o);
  }
  store::Database database() { return store::Database(db_.options(1)); }
  testing::TestDatabase db_;
};

TEST_P(AuditTest, RowsCarryTheServersRequestIdAndVerify) {
  auto p = start();
  const std::string token = testing::issue_token(p->env(), "ops", "--scope ids:admin");
  http::Headers h;
  h.set("Authorization", "Bearer " + token);
  h.set("X-Request-Id", "client-chosen-1");
  auto r = p->post("/v1/ids/sequences/machine", "", "application/json", h);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string machine = Json::parse(r.body)["id"];
  EXPECT_EQ(r.headers.get("X-Request-Id"), "client-chosen-1");
  auto server_id = r.headers.get("X-Server-Request-Id");
  ASSERT_TRUE(server_id);
  EXPECT_NE(*server_id, "client-chosen-1");

  // Without X-Request-Id the generated request id is the server's own.
  h.set("X-Request-Id", "");
  auto r2 = p->post("/v1/ids/sequences/machine", "", "application/json", h);
  ASSERT_EQ(r2.status, 201) << r2.body;
  EXPECT_EQ(r2.headers.get("X-Request-Id"), r2.headers.get("X-Server-Request-Id"));

  auto db = database();
  auto rows = db.read([&](soci::session& s) { return store::read_audit(s, machine, 1); });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].action, "ids.machine.issue");
  EXPECT_EQ(rows[0].request_id, "client-chosen-1");
  EXPECT_EQ(rows[0].server_request_id, std::string(*server_id));
  EXPECT_NE(p->log().find("\"request_id\":\"client-chosen-1\",\"server_request_id\":\"" +
                          std::string(*server_id) + "\""),
            std::string::npos)
      << p->log();

  auto ok = run_registrar("audit verify", p->env());
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("rows verified"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("head: row "), std::string::npos) << ok.output;

  // Someone with the database's credentials lifts the triggers and edits the row.
  db.write([&](soci::session& s) {
    if (store::backend_of(s) == store::Backend::kPostgres) {
      s << "DROP TRIGGER audit_log_no_change ON audit_log";
    } else {
      s << "DROP TRIGGER audit_log_no_update";
    }
    s << "UPDATE audit_log SET actor = 'someone-else' WHERE id = :id", soci::use(rows[0].id);
  });
  auto broken = run_registrar("audit verify", p->env());
  EXPECT_EQ(broken.exit_code, 1) << broken.output;
  EXPECT_NE(broken.output.find("BROKEN at row " + std::to_string(rows[0].id) + " (hash)"),
            std::string::npos)
      << broken.output;
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar
