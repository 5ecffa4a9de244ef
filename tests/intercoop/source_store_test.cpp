// The source side's tables on real databases (SQLite, and PostgreSQL when REGISTRAR_TEST_PG_URL
// is set), with a manual clock: one key per installation, members keep their fields' order, a
// descriptor's services replace a peer's catalogue, and the consent log row is written before
// its answer and read back newest first.
#include <gtest/gtest.h>

#include <map>

#include "core/error.h"
#include "intercoop/hardened_store.h"
#include "intercoop/migrations.h"
#include "intercoop/source_side.h"
#include "intercoop/source_store.h"
#include "intercoop/target_store.h"
#include "store/audit.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::intercoop {
namespace {

using namespace std::chrono_literals;

class SourceStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  SourceStoreTest() : tdb_(GetParam()), db_(tdb_.options()) {
    store::migrate(db_, {store::platform_schema(), {"intercoop", intercoop_migrations()}}, clock_);
  }

  Consent consent(const std::string& id) {
    Consent c;
    c.id = id;
    c.member = "m1";
    c.peer = "targetcoop";
    c.service = "contract";
    c.fields = yaml::Value::parse(R"({"originpeer":"sourcecoop","nif":"1","name":"B"})");
    c.url = "http://t/intercoop/activateService";
    c.sent = clock_.now();
    return c;
  }

  registrar::testing::TestDatabase tdb_;
  core::ManualClock clock_{core::from_unix_seconds(1'800'000'000)};
  store::Database db_;
};

TEST_P(SourceStoreTest, OneKeyPerInstallation) {
  db_.write([&](soci::session& s) { db::insert_own_key(s, {"PUB1", "SEALED1"}, clock_.now()); });
  // A second process's key loses; the first one stays.
  try {
    db_.write([&](soci::session& s) { db::insert_own_key(s, {"PUB2", "SEALED2"}, clock_.now()); });
    FAIL() << "a second key was stored";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kConflict);
  }
  auto key = db_.read([](soci::session& s) { return db::find_own_key(s); });
  ASSERT_TRUE(key);
  EXPECT_EQ(key->public_pem, "PUB1");
  EXPECT_EQ(key->sealed_private, "SEALED1");
}

TEST_P(SourceStoreTest, MembersKeepTheirFieldsOrderAndAreReplaced) {
  Member m;
  m.id = "m1";
  m.fields = yaml::Value::parse(R"({"nif":"1","name":"B","email":["a@b.c"]})");
  db_.write([&](soci::session& s) { EXPECT_TRUE(db::upsert_member(s, m, clock_.now())); });
  clock_.advance(5s);
  m.lang = "ca";
  m.fields = yaml::Value::parse(R"({"name":"C","nif":"2"})");
  db_.write([&](soci::session& s) { EXPECT_FALSE(db::upsert_member(s, m, clock_.now())); });
  auto got = db_.read([](soci::session& s) { return db::find_member(s, "m1"); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->fields.dump(), R"({"name":"C","nif":"2"})");
  EXPECT_EQ(got->lang, "ca");
  EXPECT_EQ(got->updated - got->created, 5s);
  EXPECT_TRUE(db_.write([](soci::session& s) { return db::delete_member(s, "m1"); }));
  EXPECT_FALSE(db_.read([](soci::session& s) { return db::find_member(s, "m1"); }));
}

TEST_P(SourceStoreTest, ADescriptorsServicesReplaceThePeersCatalogue) {
  db_.write([&](soci::session& s) {
    db::upsert_remote_service(s, {"p", "old", {"nif"}, "", ""}, clock_.now());
    db::upsert_remote_service(s, {"q", "other", {"nif"}, "", ""}, clock_.now());
    db::replace_remote_services(s, "p", {{"", "new", {"nif", "name"}, "Nou", ""}}, clock_.now());
  });
  auto all = db_.read([](soci::session& s) { return db::remote_services(s); });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].peer, "p");
  EXPECT_EQ(all[0].name, "new");
  EXPECT_EQ(all[0].fields, (std::vector<std::string>{"nif", "name"}));
  EXPECT_EQ(all[0].title, "Nou");
  EXPECT_EQ(all[1].peer, "q");  // another peer's entries stay
}

TEST_P(SourceStoreTest, TheConsentIsLoggedBeforeItsAnswer) {
  db_.write([&](soci::session& s) { db::insert_consent(s, consent("c1")); });
  auto pending = db_.read([](soci::session& s) { return db::consents_of(s, "m1"); });
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].outcome, "pending");
  EXPECT_TRUE(pending[0].answer.is_null());
  EXPECT_FALSE(pending[0].answered);
  EXPECT_EQ(pending[0].fields.dump(), R"({"originpeer":"sourcecoop","nif":"1","name":"B"})");

  clock_.advance(2s);
  db_.write([&](soci::session& s) {
    db::record_answer(s, "c1", "refused",
                      yaml::Value::parse(R"({"status":400,"error":"MissingField"})"), clock_.now());
    db::insert_consent(s, consent("c2"));
  });
  auto log = db_.read([](soci::session& s) { return db::consents_of(s, "m1"); });
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].id, "c2");  // newest first
  EXPECT_EQ(log[1].outcome, "refused");
  EXPECT_EQ(log[1].answer["error"], "MissingField");
  ASSERT_TRUE(log[1].answered);
  EXPECT_EQ(*log[1].answered - log[1].sent, 2s);
  EXPECT_TRUE(db_.read([](soci::session& s) { return db::consents_of(s, "m2"); }).empty());
}

// A row left `pending` by a sender that stopped (a crash between sending and recording the
// answer) becomes `unanswered` once the send timeout and a minute have passed, and is audited;
// one still within that time, and answered ones, are left alone.
TEST_P(SourceStoreTest, PendingRowsOfAStoppedSenderBecomeUnanswered) {
  SourceSettings settings;
  settings.timeout = 10s;
  SourceSide source(db_, clock_, nullptr, nullptr, settings);
  db_.write([&](soci::session& s) {
    db::insert_consent(s, consent("stale"));
    db::insert_consent(s, consent("answered"));
    db::record_answer(s, "answered", "accepted", yaml::Value::parse(R"({"status":200})"),
                      clock_.now());
  });
  clock_.advance(69s);
  EXPECT_EQ(source.reconcile(), 0) << "within the timeout and a minute";
  db_.write([&](soci::session& s) { db::insert_consent(s, consent("recent")); });
  clock_.advance(2s);
  EXPECT_EQ(source.reconcile(), 1);
  EXPECT_EQ(source.reconcile(), 0) << "once";
  std::map<std::string, Consent> by_id;
  for (auto& c : db_.read([](soci::session& s) { return db::consents_of(s, "m1"); }))
    by_id[c.id] = c;
  EXPECT_EQ(by_id["stale"].outcome, "unanswered");
  EXPECT_EQ(by_id["stale"].answer["error"], "BackendError");
  EXPECT_EQ(by_id["recent"].outcome, "pending");
  EXPECT_EQ(by_id["answered"].outcome, "accepted");
  auto audit = db_.read([](soci::session& s) { return store::read_audit(s, "m1", 10); });
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "intercoop.transfer.unanswered");
}

INSTANTIATE_TEST_SUITE_P(Backends, SourceStoreTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::intercoop
