// The audit log's hash chain: the encoding against vectors computed independently (Python's
// hashlib, from docs/security.md's description), and on each backend an untouched log verifying,
// a changed field and a removed row found at their row, a rolled-back append leaving no link, two
// processes appending at once, and the server's request id stored beside the client's.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "core/request_context.h"
#include "store/audit.h"
#include "store/audit_chain.h"
#include "store/database.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::store {
namespace {

using testing::TestDatabase;

// hashlib.sha256 over the documented encoding (/usr/bin/python3, once, by hand).
TEST(AuditChain, HashMatchesAnIndependentComputation) {
  AuditChainFields a{1'700'000'000'000'000,   "alice", "widgets.create", "w-1", "req-1", "srv-1",
                     R"({"name":"sprocket"})"};
  const std::string h1 = audit_hash(a, kAuditGenesisHash);
  EXPECT_EQ(h1, "7691f5c1a09d9b62383f8866d27dc2980653e88847228d0f4b280d1572cce189");
  AuditChainFields b{1'700'000'000'000'001, "bob", "widgets.delete", "w-2", "", std::nullopt, "{}"};
  const std::string h2 = audit_hash(b, h1);
  EXPECT_EQ(h2, "678fb99a2341f01d770a51678e7c085b3128d88a611622ddda1010223adb5d84");
  AuditChainFields c{-5, "\xc3\xa9", "a", "", "", "", "{}"};
  EXPECT_EQ(audit_hash(c, h2), "f61877952ddb36e0a539d30ec84da608a2656148bf08d6d266d141ca35e97ddb");
  // NULL and "" differ; so do fields whose bytes only move across a boundary.
  c.server_request_id = std::nullopt;
  EXPECT_NE(audit_hash(c, h2), "f61877952ddb36e0a539d30ec84da608a2656148bf08d6d266d141ca35e97ddb");
  AuditChainFields d1{0, "ab", "c", "", "", std::nullopt, "{}"};
  AuditChainFields d2{0, "a", "bc", "", "", std::nullopt, "{}"};
  EXPECT_NE(audit_hash(d1, kAuditGenesisHash), audit_hash(d2, kAuditGenesisHash));
}

TEST(AuditChain, VerifierNamesTheFirstBreak) {
  AuditChainFields f{1, "a", "b", "c", "", std::nullopt, "{}"};
  const std::string h1 = audit_hash(f, kAuditGenesisHash), h2 = audit_hash(f, h1);
  {
    AuditChainVerifier v;
    EXPECT_FALSE(v.add({1, f, std::nullopt, std::nullopt}));  // older than the chain
    EXPECT_FALSE(v.add({2, f, kAuditGenesisHash, h1}));
    EXPECT_FALSE(v.add({4, f, h1, h2}));  // a gap in ids (a rolled-back insert) is fine
    EXPECT_EQ(v.verified(), 2u);
    EXPECT_EQ(v.unchained(), 1u);
    EXPECT_EQ(v.head_id(), 4);
    EXPECT_EQ(v.head_hash(), h2);
    auto b = v.add({5, f, std::nullopt, std::nullopt});  // unchained after the chain began
    ASSERT_TRUE(b);
    EXPECT_EQ(b->id, 5);
    EXPECT_EQ(b->field, "chain");
  }
  {
    AuditChainVerifier v;
    AuditChainFields changed = f;
    changed.subject = "d";
    auto b = v.add({1, changed, kAuditGenesisHash, h1});
    ASSERT_TRUE(b);
    EXPECT_EQ(b->field, "hash");
    EXPECT_FALSE(v.add({2, f, h1, h2}) == std::nullopt);  // stays at the first break
    EXPECT_EQ(v.failure()->id, 1);
  }
  {
    AuditChainVerifier v;
    auto b = v.add({2, f, h1, h2});  // the first chained row is gone
    ASSERT_TRUE(b);
    EXPECT_EQ(b->field, "prev_hash");
  }
}

class AuditChainTest : public ::testing::TestWithParam<std::string> {
 protected:
  AuditChainTest() : tdb_(GetParam()) {
    db_ = std::make_unique<Database>(tdb_.options(4));
    migrate(*db_, {platform_schema()}, clock_);
  }
  void append(const std::string& subject, std::string request_id = "") {
    clock_.advance(std::chrono::milliseconds(1));
    db_->write([&](soci::session& s) {
      append_audit(s, {"alice", "widgets.touch", subject, request_id, {{"n", subject}}},
                   clock_.now());
    });
  }
  AuditChainReport verify() {
    return db_->read([](soci::session& s) { return verify_audit_chain(s); });
  }
  // What someone with write access to the database can do: lift the append-only triggers.
  void tamper(const std::string& sql) {
    db_->write([&](soci::session& s) {
      if (backend_of(s) == Backend::kPostgres) {
        s << "DROP TRIGGER audit_log_no_change ON audit_log";
      } else {
        s << "DROP TRIGGER audit_log_no_update";
        s << "DROP TRIGGER audit_log_no_delete";
      }
      s << sql;
    });
  }
  long long id_of(const std::string& subject) {
    return db_->read([&](soci::session& s) { return read_audit(s, subject, 1).at(0).id; });
  }

  TestDatabase tdb_;
  core::ManualClock clock_{core::SystemTime(std::chrono::seconds(1'700'000'000))};
  std::unique_ptr<Database> db_;
};

TEST_P(AuditChainTest, AnUntouchedLogVerifies) {
  EXPECT_EQ(verify().verified, 0u);
  EXPECT_FALSE(verify().broken_id);
  for (int i = 0; i < 5; ++i) append("w-" + std::to_string(i));
  // Several entries in one transaction chain on from each other.
  db_->write([&](soci::session& s) {
    AuditWriter w(s);
    for (int i = 5; i < 10; ++i)
      w.append({"bob", "widgets.bulk", "w-" + std::to_string(i), "", {}}, clock_.now());
  });
  AuditChainReport r = verify();
  EXPECT_FALSE(r.broken_id) << r.message;
  EXPECT_EQ(r.verified, 10u);
  EXPECT_EQ(r.unchained, 0u);
  EXPECT_EQ(r.head_id, id_of("w-9"));
  EXPECT_EQ(r.head_hash.size(), 64u);
}

TEST_P(AuditChainTest, AChangedFieldIsFoundAtItsRow) {
  for (int i = 0; i < 5; ++i) append("w-" + std::to_string(i));
  const long long target = id_of("w-2");
  tamper("UPDATE audit_log SET actor = 'mallory' WHERE id = " + std::to_string(target));
  AuditChainReport r = verify();
  ASSERT_TRUE(r.broken_id);
  EXPECT_EQ(*r.broken_id, target);
  EXPECT_EQ(r.broken_field, "hash");
  EXPECT_EQ(r.verified, 2u);

  // Recomputing that row's hash moves the break to the next row, whose prev_hash no longer
  // matches: rewriting history means rewriting every later row (and the head recorded elsewhere).
  db_->write([&](soci::session& s) {
    std::string prev, detail, rid;
    long long at = 0;
    s << "SELECT prev_hash, detail, request_id, at_us FROM audit_log WHERE id = :id",
        soci::use(target), soci::into(prev), soci::into(detail), soci::into(rid), soci::into(at);
    std::string h =
        audit_hash({at, "mallory", "widgets.touch", "w-2", rid, std::nullopt, detail}, prev);
    s << "UPDATE audit_log SET hash = :h WHERE id = :id", soci::use(h), soci::use(target);
  });
  r = verify();
  ASSERT_TRUE(r.broken_id);
  EXPECT_EQ(*r.broken_id, id_of("w-3"));
  EXPECT_EQ(r.broken_field, "prev_hash");
}

TEST_P(AuditChainTest, ADeletedMiddleRowIsFound) {
  for (int i = 0; i < 5; ++i) append("w-" + std::to_string(i));
  tamper("DELETE FROM audit_log WHERE id = " + std::to_string(id_of("w-2")));
  AuditChainReport r = verify();
  ASSERT_TRUE(r.broken_id);
  EXPECT_EQ(*r.broken_id, id_of("w-3"));
  EXPECT_EQ(r.broken_field, "prev_hash");
  EXPECT_EQ(r.verified, 2u);
}

TEST_P(AuditChainTest, ARolledBackAppendLeavesNoLink) {
  append("w-0");
  EXPECT_THROW(db_->write([&](soci::session& s) {
    append_audit(s, {"alice", "widgets.touch", "w-lost", "", {}}, clock_.now());
    throw std::runtime_error("the change failed");
  }),
               std::runtime_error);
  append("w-1");
  AuditChainReport r = verify();
  EXPECT_FALSE(r.broken_id) << r.message;
  EXPECT_EQ(r.verified, 2u);
}

// Rows written before platform v3 stay as they are (NULL hash); the chain starts after them.
TEST_P(AuditChainTest, TheChainStartsAfterOlderRows) {
  TestDatabase other(GetParam());
  Database db(other.options(2));
  ModuleSchema v2 = platform_schema();
  v2.migrations.resize(2);
  migrate(db, {v2}, clock_);
  db.write([&](soci::session& s) {
    s << "INSERT INTO audit_log (at_us, actor, action, subject, request_id, detail) VALUES "
         "(1, 'old', 'a.b', 'w-old', '', '{}')";
  });
  migrate(db, {platform_schema()}, clock_);
  db.write([&](soci::session& s) {
    append_audit(s, {"new", "a.c", "w-new", "", {}}, clock_.now());
  });
  AuditChainReport r = db.read([](soci::session& s) { return verify_audit_chain(s); });
  EXPECT_FALSE(r.broken_id) << r.message;
  EXPECT_EQ(r.unchained, 1u);
  EXPECT_EQ(r.verified, 1u);
  auto rows = db.read([](soci::session& s) { return read_audit(s, "", 10); });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[1].server_request_id);  // the older row keeps NULL
}

TEST_P(AuditChainTest, TheServersRequestIdIsStoredBesideTheClients) {
  const std::string server_id = "Ab3dEf-1f";
  {
    core::ServerRequestScope scope(server_id);
    append("w-in-request", "client-id-1");
  }
  append("w-outside", "");
  db_->write([&](soci::session& s) {
    AuditEntry e{"system", "widgets.later", "w-explicit", "client-id-2", {}};
    e.server_request_id = "Ab3dEf-20";  // captured before the work left the request's thread
    append_audit(s, e, clock_.now());
  });
  auto in = db_->read([](soci::session& s) { return read_audit(s, "w-in-request", 1); });
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].request_id, "client-id-1");
  EXPECT_EQ(in[0].server_request_id, server_id);
  auto out = db_->read([](soci::session& s) { return read_audit(s, "w-outside", 1); });
  EXPECT_FALSE(out.at(0).server_request_id);
  auto ex = db_->read([](soci::session& s) { return read_audit(s, "w-explicit", 1); });
  EXPECT_EQ(ex.at(0).server_request_id, "Ab3dEf-20");
  EXPECT_FALSE(verify().broken_id);
  // The server id is covered by the hash.
  tamper("UPDATE audit_log SET server_request_id = 'x' WHERE subject = 'w-in-request'");
  EXPECT_EQ(verify().broken_id, id_of("w-in-request"));
}

// Two processes (fork: separate connections, as two instances have) append at once; every row
// lands in one chain, none forks it.
TEST_P(AuditChainTest, TwoProcessesAppendingConcurrentlyLeaveOneChain) {
  constexpr int kTransactions = 60;
  const std::string url = tdb_.url();
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      try {
        DatabaseOptions o;
        o.url = url;
        o.pool_size = 1;
        Database db(o);
        for (int t = 0; t < kTransactions; ++t) {
          db.write([&](soci::session& s) {
            AuditWriter w(s);
            for (int k = 0; k <= t % 3; ++k)
              w.append({"proc-" + std::to_string(p), "widgets.touch", std::to_string(t), "", {}},
                       core::SystemTime(std::chrono::seconds(1'700'000'000 + t)));
          });
        }
      } catch (const std::exception& e) {
        fprintf(stderr, "child %d: %s\n", p, e.what());
        code = 1;
      }
      _exit(code);  // no destructors of the parent's objects in the child
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  AuditChainReport r = verify();
  EXPECT_FALSE(r.broken_id) << r.message;
  EXPECT_EQ(r.verified, size_t(2 * (kTransactions / 3) * (1 + 2 + 3)));
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditChainTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::store
