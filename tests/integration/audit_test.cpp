// The audit log on the real binary, on each backend: a request's row carries the client's
// X-Request-Id and the server's own id (which the response and the access log also show), and
// `registrar audit verify` passes an untouched log and names the row someone changed.
#include <gtest/gtest.h>

#include "store/audit.h"
#include "store/database.h"
#include "support/databases.h"
#include "support/python_runner.h"
#include "support/registrar_process.h"

namespace registrar {
namespace {

using testing::RegistrarProcess;
using testing::run_registrar;
using Json = nlohmann::json;

// docs/security.md's recomputation, in Debian's Python (hashlib, sqlite3): the input line is a
// SQLite file; the answer is "verified N head HASH" or the assertion that failed.
constexpr const char* kPythonChainCheck = R"PY(
import hashlib, sqlite3, sys
path = open(sys.argv[1]).read().strip()
cur = sqlite3.connect(path).cursor()
def F(v):
    if v is None: return b"\xff" * 8
    b = v.encode("utf-8"); return len(b).to_bytes(8, "big") + b
prev, n = "0" * 64, 0
try:
    for (id, at_us, actor, action, subject, rid, srid, detail, ph, h) in cur.execute(
            "SELECT id, at_us, actor, action, subject, request_id, server_request_id, detail,"
            " prev_hash, hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id"):
        data = b"registrar-audit-v1\n" + b"".join(
            F(x) for x in (str(at_us), actor, action, subject, rid)) + F(srid) + F(detail) + F(ph)
        assert ph == prev, f"row {id}: prev_hash"
        assert hashlib.sha256(data).hexdigest() == h, f"row {id}: hash"
        prev, n = h, n + 1
    answer = f"verified {n} head {prev}"
except AssertionError as e:
    answer = str(e)
open(sys.argv[2], "w").write(answer + "\n")
)PY";

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
  const auto head_at = ok.output.find("head: row ");
  ASSERT_NE(head_at, std::string::npos) << ok.output;
  const auto hash_at = ok.output.find(" hash ", head_at);
  ASSERT_NE(hash_at, std::string::npos) << ok.output;
  const std::string head = ok.output.substr(hash_at + 6, 64);
  if (GetParam() == "sqlite") {  // an independent recomputation reaches the same head
    auto answers = testing::run_python("audit_chain", kPythonChainCheck,
                                       {db_.url().substr(std::string("sqlite:").size())});
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].rfind("verified ", 0), 0u) << answers[0];
    EXPECT_NE(answers[0].find(" head " + head), std::string::npos) << answers[0];
  }

  // The head kept outside the database: still in the chain after more rows were appended.
  const std::string recorded = ok.output.substr(head_at + 10, hash_at - head_at - 10) + ":" + head;
  ASSERT_EQ(p->post("/v1/ids/sequences/machine", "", "application/json", h).status, 201);
  auto anchored = run_registrar("audit verify --expect-head " + recorded, p->env());
  EXPECT_EQ(anchored.exit_code, 0) << anchored.output;
  EXPECT_NE(anchored.output.find("is in the chain"), std::string::npos) << anchored.output;
  EXPECT_EQ(run_registrar("audit verify --expect-head 12abc", p->env()).exit_code, 2);

  // Someone with the database's credentials lifts the triggers and cuts the tail from the
  // recorded head on: what is left is a valid chain, which only the recorded head shows to be
  // short.
  db.write([&](soci::session& s) {
    if (store::backend_of(s) == store::Backend::kPostgres) {
      s << "DROP TRIGGER audit_log_no_change ON audit_log";
    } else {
      s << "DROP TRIGGER audit_log_no_update";
      s << "DROP TRIGGER audit_log_no_delete";
    }
    long long from = std::stoll(recorded.substr(0, recorded.find(':')));
    s << "DELETE FROM audit_log WHERE id >= :id", soci::use(from);
  });
  EXPECT_EQ(run_registrar("audit verify", p->env()).exit_code, 0);
  auto cut = run_registrar("audit verify --expect-head " + recorded, p->env());
  EXPECT_EQ(cut.exit_code, 1) << cut.output;
  EXPECT_NE(cut.output.find("no longer in the chain"), std::string::npos) << cut.output;

  // And edits a row.
  db.write([&](soci::session& s) {
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
