// The target side's group commit (intercoop/receiver.h) on real databases (SQLite, and PostgreSQL
// when REGISTRAR_TEST_PG_URL is set) and a real Background: packages submitted from several
// threads at once, accepted and refused mixed, are each answered with their own outcome; exactly
// the accepted ones are stored, each with its audit entry; a transaction that fails stores none
// of its batch and answers each with a 500; after stop, a package is refused with a 503.
#include "intercoop/receiver.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "intercoop/hardened.h"
#include "intercoop/hardened_store.h"
#include "intercoop/migrations.h"
#include "intercoop/package.h"
#include "intercoop/source_store.h"
#include "intercoop/target_store.h"
#include "intercoop/yaml_parse.h"
#include "key_fixture.h"
#include "store/audit.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::intercoop {
namespace {

// One package's answer, as the route's Responder would deliver it.
struct Answer {
  std::promise<http::Response> promise;
  std::future<http::Response> future = promise.get_future();
  http::Responder responder() {
    return http::Responder([this](http::Response r) { promise.set_value(std::move(r)); });
  }
};

class ReceiverTest : public ::testing::TestWithParam<std::string> {
 protected:
  ReceiverTest() : tdb_(GetParam()), db_(tdb_.options()) {
    store::migrate(db_, {store::platform_schema(), {"intercoop", intercoop_migrations()}}, clock_);
    db_.write([&](soci::session& s) {
      db::insert_peer(s, peer("somillusio", true), clock_.now());
      db::insert_peer(s, peer("retired", false), clock_.now());
      Service contract;
      contract.name = "contract";
      contract.fields = {"nif", "name"};
      db::insert_service(s, contract, clock_.now());
    });
    settings_.token_ttl = std::chrono::seconds(3600);
  }

  static Peer peer(const std::string& id, bool active) {
    Peer p;
    p.id = id;
    p.name = id;
    p.description = "";
    p.url = "";
    p.public_key_pem = testing::test_key().public_key().to_pem();
    p.versions = {"1.0"};
    p.active = active;
    p.descriptor = nullptr;
    return p;
  }

  static std::string package(const std::string& origin, const std::string& nif,
                             const crypto::PrivateKey& key = testing::test_key(),
                             bool with_name = true) {
    yaml::Value v = yaml::Value::object();
    v["originpeer"] = origin;
    v["nif"] = nif;
    if (with_name) v["name"] = "Maria Puig";
    return make_package(v, key);
  }

  int64_t count(const std::string& table) {
    return db_.read([&](soci::session& s) {
      int n = 0;
      s << "SELECT COUNT(*) FROM " + table, soci::into(n);
      return int64_t{n};
    });
  }

  registrar::testing::TestDatabase tdb_;
  core::ManualClock clock_{core::from_unix_seconds(1'800'000'000)};
  store::Database db_;
  TargetSettings settings_;
  core::Background background_{{2, "recv-test", nullptr}};
};

TEST_P(ReceiverTest, ConcurrentPackagesAreEachAnsweredAndExactlyTheAcceptedStored) {
  Receiver receiver(db_, clock_, background_, settings_);
  // Case i % 5: accepted; signed by another key; an inactive peer; no such service; a required
  // field missing.
  const int kPackages = 200;
  std::vector<std::string> bodies(kPackages), services(kPackages, "contract");
  for (int i = 0; i < kPackages; ++i) {
    std::string nif = "NIF" + std::to_string(i);
    switch (i % 5) {
      case 0:
        bodies[i] = package("somillusio", nif);
        break;
      case 1:
        bodies[i] = package("somillusio", nif, testing::other_key());
        break;
      case 2:
        bodies[i] = package("retired", nif);
        break;
      case 3:
        bodies[i] = package("somillusio", nif), services[i] = "nosuch";
        break;
      case 4:
        bodies[i] = package("somillusio", nif, testing::test_key(), false);
        break;
    }
  }
  std::vector<Answer> answers(kPackages);
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t)
    senders.emplace_back([&, t] {
      for (int i = t; i < kPackages; i += 4)
        receiver.submit({services[i], bodies[i], "req-" + std::to_string(i), "http://target.test",
                         answers[i].responder()});
    });
  for (auto& s : senders) s.join();

  const int want_status[] = {200, 403, 403, 404, 400};
  int accepted = 0;
  for (int i = 0; i < kPackages; ++i) {
    http::Response r = answers[i].future.get();
    ASSERT_EQ(r.status, want_status[i % 5]) << i << ": " << r.body;
    EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "application/yaml");
    if (r.status != 200) continue;
    ++accepted;
    yaml::Value answer = yaml::load(r.body);
    std::string uuid = answer["uuid"].get<std::string>();
    EXPECT_EQ(answer["continuationUrl"].get<std::string>(),
              "http://target.test/intercoop/continuation/" + uuid);
    auto t = db_.read([&](soci::session& s) { return db::find_transfer(s, uuid); });
    ASSERT_TRUE(t) << uuid;
    EXPECT_EQ(t->data["nif"].get<std::string>(), "NIF" + std::to_string(i));
    EXPECT_EQ(t->service, "contract");
  }
  EXPECT_EQ(accepted, kPackages / 5);
  EXPECT_EQ(count("intercoop_transfers"), accepted);
  EXPECT_EQ(count("audit_log"), accepted);
  // The audit chain holds over the batches.
  auto chain = db_.read([](soci::session& s) { return store::verify_audit_chain(s); });
  EXPECT_FALSE(chain.broken_id) << chain.message;
  EXPECT_EQ(chain.verified, static_cast<size_t>(accepted));
}

TEST_P(ReceiverTest, APeersNewKeyAndItsDisablingTakeEffectOnTheNextPackage) {
  Receiver receiver(db_, clock_, background_, settings_);
  auto send = [&](const std::string& body) {
    Answer a;
    receiver.submit({"contract", body, "req", "http://t", a.responder()});
    return a.future.get().status;
  };
  EXPECT_EQ(send(package("somillusio", "A")), 200);  // its key is now parsed and kept
  Peer rekeyed = peer("somillusio", true);
  rekeyed.public_key_pem = testing::other_key().public_key().to_pem();
  db_.write([&](soci::session& s) { db::upsert_peer(s, rekeyed, clock_.now()); });
  EXPECT_EQ(send(package("somillusio", "B")), 403);  // the old key no longer verifies
  EXPECT_EQ(send(package("somillusio", "C", testing::other_key())), 200);
  // A package checked on submit against the keys the last batch read is checked again when the
  // peer's row no longer gives the same entry: here its versions changed (WrongVersion).
  Peer v2_only = rekeyed;
  v2_only.versions = {"2.0"};
  db_.write([&](soci::session& s) { db::upsert_peer(s, v2_only, clock_.now()); });
  EXPECT_EQ(send(package("somillusio", "C2", testing::other_key())), 400);
  db_.write([&](soci::session& s) { db::upsert_peer(s, rekeyed, clock_.now()); });
  EXPECT_EQ(send(package("somillusio", "C3", testing::other_key())), 200);
  db_.write([&](soci::session& s) { db::set_peer_active(s, "somillusio", false, clock_.now()); });
  EXPECT_EQ(send(package("somillusio", "D", testing::other_key())), 403);
  EXPECT_EQ(count("intercoop_transfers"), 3);
}

TEST_P(ReceiverTest, AFailedTransactionStoresNoneOfItsBatchAndAnswersEachWithA500) {
  db_.write([](soci::session& s) { s << "DROP TABLE intercoop_transfers"; });
  Receiver receiver(db_, clock_, background_, settings_);
  Answer a;
  receiver.submit({"contract", package("somillusio", "X1"), "req-1", "http://t", a.responder()});
  http::Response r = a.future.get();
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_NE(r.body.find("could not be stored"), std::string::npos) << r.body;
  EXPECT_EQ(count("audit_log"), 0);
}

TEST_P(ReceiverTest, AfterStopAPackageIsRefusedWithA503) {
  Receiver receiver(db_, clock_, background_, settings_);
  Answer first;
  receiver.submit(
      {"contract", package("somillusio", "X1"), "req-1", "http://t", first.responder()});
  receiver.stop();  // answers what was queued
  EXPECT_EQ(first.future.get().status, 200);
  Answer late;
  receiver.submit({"contract", package("somillusio", "X2"), "req-2", "http://t", late.responder()});
  EXPECT_EQ(late.future.get().status, 503);
  EXPECT_EQ(count("intercoop_transfers"), 1);
}

// intercoop 2.0: the nonce goes in with the batch's transaction, so a copy queued in the same
// batch is refused like one that arrives later; a package is only valid until it expires.
TEST_P(ReceiverTest, ACopyInTheSameBatchIsAReplayAndAnExpiredPackageIsRefused) {
  settings_.peer_id = "somacme";
  const auto ed = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  Peer hard = peer("hard", true);
  hard.public_key_pem = "";
  hard.ed25519_key_pem = ed.public_key().to_pem();
  hard.versions = {"2.0"};
  db_.write([&](soci::session& s) { db::insert_peer(s, hard, clock_.now()); });
  Receiver receiver(db_, clock_, background_, settings_);

  const int64_t now = 1'800'000'000;
  Envelope e{"hard", "somacme", "contract", now, now + 300, "nonce-0123456789abcdef"};
  yaml::Value fields = {{"nif", "1"}, {"name", "Maria Puig"}};
  const std::string copy = make_hardened_package(e, fields, ed);
  e.nonce = "nonce-another-0123456789";
  const std::string other = make_hardened_package(e, fields, ed);

  // Both Background threads held until everything is queued: the three go as one batch.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(background_.schedule([gate] { gate.wait(); }));
  Answer first, second, third;
  receiver.submit({"contract", copy, "r1", "http://t", first.responder()});
  receiver.submit({"contract", copy, "r2", "http://t", second.responder()});
  receiver.submit({"contract", other, "r3", "http://t", third.responder()});
  release.set_value();
  EXPECT_EQ(first.future.get().status, 200);
  http::Response replay = second.future.get();
  EXPECT_EQ(replay.status, 409) << replay.body;
  EXPECT_EQ(replay.body,
            "error: ReplayedMessage\nmessage: Message 'nonce-0123456789abcdef' from 'hard' was "
            "already received\narguments:\n- nonce-0123456789abcdef\n- hard\n");
  EXPECT_EQ(third.future.get().status, 200);
  EXPECT_EQ(count("intercoop_transfers"), 2);
  EXPECT_EQ(count("intercoop_nonces"), 2);

  // At its expiry, a fresh package is refused too, and leaves nothing behind.
  e.nonce = "nonce-late-0123456789ab";
  const std::string late = make_hardened_package(e, fields, ed);
  clock_.advance(std::chrono::seconds(300));
  Answer expired;
  receiver.submit({"contract", late, "r4", "http://t", expired.responder()});
  http::Response r = expired.future.get();
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("error: ExpiredMessage"), std::string::npos) << r.body;
  EXPECT_EQ(count("intercoop_nonces"), 2);
  // The purge drops the nonces of expired packages.
  EXPECT_EQ(db_.write([&](soci::session& s) { return db::purge_nonces(s, clock_.now()); }), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReceiverTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::intercoop
