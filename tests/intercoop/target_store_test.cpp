// The target side's tables on real databases (SQLite, and PostgreSQL when REGISTRAR_TEST_PG_URL
// is set), with a manual clock: peers import and re-import, ids and names are unique, a transfer
// keeps its payload's order, is consumed once and never after its expiry, and the purge deletes
// exactly the expired ones.
#include <gtest/gtest.h>

#include "core/error.h"
#include "intercoop/hardened_store.h"
#include "intercoop/migrations.h"
#include "intercoop/source_store.h"
#include "intercoop/target_store.h"
#include "intercoop/yaml_parse.h"
#include "key_fixture.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::intercoop {
namespace {

using namespace std::chrono_literals;

class TargetStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  TargetStoreTest() : tdb_(GetParam()), db_(tdb_.options()) {
    store::migrate(db_, {store::platform_schema(), {"intercoop", intercoop_migrations()}}, clock_);
  }

  Peer peer(const std::string& id) {
    Peer p;
    p.id = id;
    p.name = "Peer " + id;
    p.description = {{"es", "desc"}};
    p.url = "https://x";
    p.public_key_pem = testing::test_key().public_key().to_pem();
    p.versions = {"1.0"};
    p.descriptor = nullptr;
    return p;
  }

  Transfer transfer(const std::string& uuid, std::chrono::seconds ttl) {
    Transfer t;
    t.uuid = uuid;
    t.peer = "somillusio";
    t.service = "contract";
    t.data = yaml::load("originpeer: somillusio\nnif: 12345678Z\nemail: [a@b.c]\nproxynif:\n");
    t.received = clock_.now();
    t.expires = t.received + ttl;
    return t;
  }

  registrar::testing::TestDatabase tdb_;
  core::ManualClock clock_{core::from_unix_seconds(1'800'000'000)};
  store::Database db_;
};

TEST_P(TargetStoreTest, PeersRoundTripAndReimportKeepsTheActiveFlag) {
  db_.write([&](soci::session& s) {
    EXPECT_TRUE(db::upsert_peer(s, peer("b"), clock_.now()));
    db::insert_peer(s, peer("a"), clock_.now());
  });
  // Its own transaction: PostgreSQL aborts the whole transaction on the violation.
  EXPECT_THROW(db_.write([&](soci::session& s) { db::insert_peer(s, peer("a"), clock_.now()); }),
               core::Error);
  db_.write(
      [&](soci::session& s) { EXPECT_TRUE(db::set_peer_active(s, "b", false, clock_.now())); });
  Peer renamed = peer("b");
  renamed.name = "Renamed";
  db_.write([&](soci::session& s) { EXPECT_FALSE(db::upsert_peer(s, renamed, clock_.now())); });
  auto all = db_.read([](soci::session& s) { return db::all_peers(s); });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "a");
  EXPECT_EQ(all[1].name, "Renamed");
  EXPECT_FALSE(all[1].active);  // a re-import does not re-enable a disabled peer
  EXPECT_EQ(all[0].description, (yaml::Value{{"es", "desc"}}));
  EXPECT_EQ(all[0].public_key_pem, peer("a").public_key_pem);
  EXPECT_TRUE(all[0].descriptor.is_null());
  EXPECT_FALSE(db_.read([](soci::session& s) { return db::find_peer(s, "zzz"); }));
  EXPECT_FALSE(db_.write(
      [&](soci::session& s) { return db::set_peer_active(s, "zzz", true, clock_.now()); }));
}

TEST_P(TargetStoreTest, ServicesRoundTripAndNamesAreUnique) {
  Service sv;
  sv.name = "contract";
  sv.description = {{"es", "Contrato"}, {"en", "Contract"}};
  sv.fields = {"originpeer", "nif"};
  sv.peers = {"somillusio"};
  db_.write([&](soci::session& s) { db::insert_service(s, sv, clock_.now()); });
  EXPECT_THROW(db_.write([&](soci::session& s) { db::insert_service(s, sv, clock_.now()); }),
               core::Error);
  auto found = db_.read([](soci::session& s) { return db::find_service(s, "contract"); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->fields, sv.fields);
  EXPECT_EQ(found->peers, sv.peers);
  EXPECT_EQ(found->description, sv.description);
  EXPECT_TRUE(found->active);
}

TEST_P(TargetStoreTest, ATransferIsConsumedOnceAndNeverAfterItsExpiry) {
  const std::string a = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const std::string b = "1f8fad5b-d9cb-469f-a165-70867728950e";
  db_.write([&](soci::session& s) {
    db::insert_transfer(s, transfer(a, 60s));
    db::insert_transfer(s, transfer(b, 60s));
  });
  auto found = db_.read([&](soci::session& s) { return db::find_transfer(s, a); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->data.dump(), transfer(a, 60s).data.dump());  // order kept
  EXPECT_FALSE(found->consumed);
  EXPECT_TRUE(
      db_.write([&](soci::session& s) { return db::consume_transfer(s, a, clock_.now()); }));
  EXPECT_FALSE(
      db_.write([&](soci::session& s) { return db::consume_transfer(s, a, clock_.now()); }));
  EXPECT_TRUE(db_.read([&](soci::session& s) { return db::find_transfer(s, a); })->consumed);
  clock_.advance(60s);
  EXPECT_FALSE(
      db_.write([&](soci::session& s) { return db::consume_transfer(s, b, clock_.now()); }));
}

TEST_P(TargetStoreTest, ThePurgeDeletesExactlyTheExpired) {
  const std::string soon = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const std::string later = "2f8fad5b-d9cb-469f-a165-70867728950e";
  db_.write([&](soci::session& s) {
    db::insert_transfer(s, transfer(soon, 10s));
    db::insert_transfer(s, transfer(later, 20s));
  });
  auto purge = [&] {
    return db_.write([&](soci::session& s) { return db::purge_expired(s, clock_.now()); });
  };
  EXPECT_EQ(purge(), 0);
  clock_.advance(10s);
  EXPECT_EQ(purge(), 1);
  EXPECT_FALSE(db_.read([&](soci::session& s) { return db::find_transfer(s, soon); }));
  EXPECT_TRUE(db_.read([&](soci::session& s) { return db::find_transfer(s, later); }));
  clock_.advance(10s);
  EXPECT_EQ(purge(), 1);
}

// Keyset paging (store::KeysetPage) by a text key: every row once, in order, whatever is added
// behind the cursor meanwhile; a cursor need not name a row that still exists.
TEST_P(TargetStoreTest, PeersAndServicesPageByKeyWithoutRepeatsOrGaps) {
  db_.write([&](soci::session& s) {
    for (const char* id : {"d", "a", "e", "c", "b"}) {
      db::insert_peer(s, peer(id), clock_.now());
      Service sv;
      sv.name = std::string("svc_") + id;
      sv.description = {{"es", "x"}};
      db::insert_service(s, sv, clock_.now());
    }
  });
  auto peer_ids = [&](std::optional<std::string> after, int limit) {
    std::vector<std::string> ids;
    for (const auto& p :
         db_.read([&](soci::session& s) { return db::peers_page(s, after, limit); }))
      ids.push_back(p.id);
    return ids;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(peer_ids(std::nullopt, 2), (V{"a", "b"}));
  // Added before the cursor: not on a later page, which neither repeats nor shifts.
  db_.write([&](soci::session& s) { db::insert_peer(s, peer("ab"), clock_.now()); });
  EXPECT_EQ(peer_ids("b", 2), (V{"c", "d"}));
  EXPECT_EQ(peer_ids("d", 2), (V{"e"}));
  EXPECT_EQ(peer_ids("e", 2), V{});
  EXPECT_EQ(peer_ids("cz", 10), (V{"d", "e"})) << "a cursor between rows";
  EXPECT_EQ(peer_ids(std::nullopt, 10), (V{"a", "ab", "b", "c", "d", "e"}));
  EXPECT_EQ(db_.read([](soci::session& s) { return db::all_peers(s); }).size(), 6u);

  auto names = [&](std::optional<std::string> after, int limit) {
    std::vector<std::string> out;
    for (const auto& sv :
         db_.read([&](soci::session& s) { return db::services_page(s, after, limit); }))
      out.push_back(sv.name);
    return out;
  };
  EXPECT_EQ(names(std::nullopt, 3), (V{"svc_a", "svc_b", "svc_c"}));
  EXPECT_EQ(names("svc_c", 3), (V{"svc_d", "svc_e"}));
  EXPECT_EQ(db_.read([](soci::session& s) { return db::all_services(s); }).size(), 5u);
}

// Keyset paging newest first by (time, uuid): rows of the same microsecond are split across
// pages by their uuid, never repeated or lost; a filter applies with the cursor.
TEST_P(TargetStoreTest, ReceivedTransfersPageNewestFirstAcrossTies) {
  std::vector<std::string> uuids;
  db_.write([&](soci::session& s) {
    for (int i = 0; i < 5; ++i) {
      if (i == 2) clock_.advance(1s);  // 0 and 1 share a time; 2, 3 and 4 share a later one
      Transfer t = transfer(std::to_string(i) + "f8fad5b-d9cb-469f-a165-70867728950e", 60s);
      if (i == 3) t.peer = "other";
      db::insert_transfer(s, t);
      uuids.push_back(t.uuid);
    }
  });
  auto page = [&](const TransferQuery& q) {
    return db_.read([&](soci::session& s) { return db::received_transfers(s, q); });
  };
  std::vector<std::string> seen;
  TransferQuery q;
  q.limit = 2;
  for (int n = 0; n < 4; ++n) {
    auto rows = page(q);
    for (const auto& t : rows) seen.push_back(t.uuid);
    if (rows.size() < 2u) break;
    q.before = PageCursor{core::to_unix_us(rows.back().received), rows.back().uuid};
  }
  EXPECT_EQ(seen, (std::vector<std::string>{uuids[4], uuids[3], uuids[2], uuids[1], uuids[0]}));

  TransferQuery mine;
  mine.peer = "somillusio";
  mine.limit = 2;
  mine.before = PageCursor{core::to_unix_us(page(mine)[1].received), page(mine)[1].uuid};
  auto rest = page(mine);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].uuid, uuids[1]);
  EXPECT_EQ(rest[1].uuid, uuids[0]);
}

INSTANTIATE_TEST_SUITE_P(Backends, TargetStoreTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::intercoop
