// IdsService against a real database (SQLite and PostgreSQL): group-commit issuance, returned IDs
// served first, status changes with audit entries, VID expiry, key protection, RIDs, sequence
// IDs and licences.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "core/config.h"
#include "core/random.h"
#include "identity/provided.h"
#include "ids/service.h"
#include "ids/store.h"
#include "store/audit.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::ids {
namespace {

using namespace std::chrono_literals;

IdsConfig test_config(std::string key = "test-issuance-key-0123456789") {
  core::ConfigSchema schema;
  declare_ids_config(schema);
  auto c = core::Config::defaults(schema);
  c.set("ids.issuance.key", key);
  c.set("ids.issuance.block_size", int64_t(5'000));
  c.set("ids.rid.sequence_length", int64_t(1));
  return read_ids_config(c);
}

class ServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  ServiceTest() : tdb_(GetParam()), clock_(core::SystemTime(std::chrono::seconds(1'800'000'000))) {
    db_ = open();
    store::migrate(*db_, {store::platform_schema(), {"ids", ids_migrations()}}, clock_);
  }
  std::unique_ptr<store::Database> open() {
    store::DatabaseOptions o;
    o.url = tdb_.url();
    o.pool_size = 4;
    return std::make_unique<store::Database>(o);
  }
  std::unique_ptr<IdsService> service(IdsConfig c = test_config()) {
    return std::make_unique<IdsService>(std::move(c), *db_, clock_, background_);
  }
  testing::TestDatabase tdb_;
  core::ManualClock clock_;
  core::Background background_{{}};
  std::unique_ptr<store::Database> db_;
};

TEST_P(ServiceTest, IssuedIdsAreValidUniqueAndRecorded) {
  auto svc = service();
  std::mutex mu;
  std::vector<std::string> all;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto o = svc->issue({IdType(t % 3), 1 + (i % 7), std::nullopt, "test"});
        ASSERT_TRUE(o.ok()) << o.error->what();
        std::lock_guard lk(mu);
        for (auto& id : o.ids) all.push_back(std::string(id_type_name(IdType(t % 3))) + ":" + id);
      }
    });
  for (auto& t : threads) t.join();
  std::set<std::string> unique(all.begin(), all.end());
  EXPECT_EQ(unique.size(), all.size());
  for (auto& x : all) {
    auto colon = x.find(':');
    IdType type = *parse_id_type(x.substr(0, colon));
    std::string id = x.substr(colon + 1);
    EXPECT_TRUE(svc->validator(type).valid(id)) << x;
    auto rec = svc->find(type, id);
    ASSERT_TRUE(rec) << x;
    EXPECT_EQ(rec->row.status, "ISSUED");
  }
  int64_t recorded = 0;
  for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid})
    recorded += db_->read([&](soci::session& s) { return count_issued(s, id_type_name(t)); });
  EXPECT_EQ(recorded, int64_t(all.size()));
}

// A group commit stores its rows in key order, not in the order the requests got their IDs:
// each stored row must still be the one of the request that received the ID (its counter, the
// request's actor and expiry).
TEST_P(ServiceTest, EachRecordedIdKeepsItsOwnCounterActorAndExpiry) {
  const IdsConfig config = test_config();
  auto svc = service(config);
  const int64_t expiry = clock_.now_seconds() * 1000 + 86'400'000;
  std::mutex mu;
  std::vector<std::pair<IssueRequest, IssueOutcome>> got;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        IssueRequest req{IdType(t % 3), 1 + (i * 7 + t) % 40, std::nullopt,
                         "actor-" + std::to_string(t)};
        if (req.type == IdType::kVid && i % 2) req.expires_ms = expiry + t * 1000 + i;
        auto o = svc->issue(req);
        std::lock_guard lk(mu);
        got.emplace_back(req, std::move(o));
      }
    });
  for (auto& t : threads) t.join();
  size_t checked = 0;
  for (const auto& [req, o] : got) {
    ASSERT_TRUE(o.ok()) << o.error->what();
    ASSERT_EQ(o.ids.size(), size_t(req.count));
    const IdGenerator gen(config.policy(req.type), config.issuance.key);
    for (const auto& id : o.ids) {
      auto rec = svc->find(req.type, id);
      ASSERT_TRUE(rec) << id;
      EXPECT_EQ(rec->row.issued_by, req.actor) << id;
      EXPECT_EQ(rec->row.expires_ms, req.expires_ms) << id;
      EXPECT_EQ(gen.counter_for_id(id), std::optional<uint64_t>(uint64_t(rec->row.counter))) << id;
      ++checked;
    }
  }
  EXPECT_GT(checked, size_t(500));
}

TEST_P(ServiceTest, ReturnedIdsAreServedFirst) {
  auto svc = service();
  auto first = svc->issue({IdType::kUin, 3, std::nullopt, "test"});
  ASSERT_TRUE(first.ok());
  auto r = svc->change_status(IdType::kUin, first.ids[1], "UNASSIGNED", "test", "req-1");
  EXPECT_EQ(r.outcome, StatusOutcome::kOk);
  auto again = svc->issue({IdType::kUin, 1, std::nullopt, "test"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.ids[0], first.ids[1]);
  EXPECT_EQ(svc->find(IdType::kUin, first.ids[1])->row.status, "ISSUED");
  auto fresh = svc->issue({IdType::kUin, 1, std::nullopt, "test"});
  EXPECT_NE(fresh.ids[0], first.ids[1]);
}

TEST_P(ServiceTest, StatusChangesFollowMosipAndAreAudited) {
  auto svc = service();
  auto o = svc->issue({IdType::kUin, 2, std::nullopt, "test"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(svc->change_status(IdType::kUin, "2345678901", "ASSIGNED", "a", "r").outcome,
            StatusOutcome::kNotFound);
  EXPECT_EQ(svc->change_status(IdType::kUin, o.ids[0], "USED", "a", "r").outcome,
            StatusOutcome::kBadStatus);
  EXPECT_EQ(svc->change_status(IdType::kUin, o.ids[0], "ASSIGNED", "alice", "req-7").outcome,
            StatusOutcome::kOk);
  auto again = svc->change_status(IdType::kUin, o.ids[0], "UNASSIGNED", "a", "r");
  EXPECT_EQ(again.outcome, StatusOutcome::kNotIssued);
  EXPECT_EQ(again.status, "ASSIGNED");
  auto audit = db_->read([&](soci::session& s) { return store::read_audit(s, o.ids[0], 10); });
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "alice");
  EXPECT_EQ(audit[0].action, "ids.uin.status");
  EXPECT_EQ(audit[0].request_id, "req-7");
  EXPECT_EQ(audit[0].detail["to"], "ASSIGNED");
}

TEST_P(ServiceTest, ExpiredVidsAreNeverServed) {
  auto svc = service();
  int64_t now = clock_.now_seconds() * 1000;
  auto v = svc->issue({IdType::kVid, 1, now + 60'000, "test"});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.expires_ms, now + 60'000);
  ASSERT_EQ(svc->change_status(IdType::kVid, v.ids[0], "UNASSIGNED", "t", "").outcome,
            StatusOutcome::kOk);
  clock_.advance(2min);
  EXPECT_EQ(svc->find(IdType::kVid, v.ids[0])->effective_status, "EXPIRED");
  auto next = svc->issue({IdType::kVid, 1, std::nullopt, "test"});
  ASSERT_TRUE(next.ok());
  EXPECT_NE(next.ids[0], v.ids[0]);  // the returned VID has expired: not served again

  auto w = svc->issue({IdType::kVid, 1, clock_.now_seconds() * 1000 + 1000, "test"});
  clock_.advance(5s);
  EXPECT_EQ(svc->find(IdType::kVid, w.ids[0])->effective_status, "EXPIRED");
  EXPECT_EQ(svc->change_status(IdType::kVid, w.ids[0], "ASSIGNED", "t", "").outcome,
            StatusOutcome::kNotIssued);
}

TEST_P(ServiceTest, ChangedKeyOrLengthIsRefusedOnceIdsWereIssued) {
  {
    auto svc = service();
    ASSERT_TRUE(svc->issue({IdType::kUin, 1, std::nullopt, "t"}).ok());
  }
  EXPECT_THROW(service(test_config("another-key-0123456789abcdef")), core::ConfigError);
  auto c = test_config();
  c.uin.length = 11;
  EXPECT_THROW(service(c), core::ConfigError);
  EXPECT_NO_THROW(service());
}

TEST_P(ServiceTest, GeneratedKeyIsSharedThroughTheDatabase) {
  IssuanceConfig none;
  std::string a = load_issuance_key(*db_, none);
  auto other = open();
  EXPECT_EQ(load_issuance_key(*other, none), a);
  EXPECT_GE(a.size(), 32u);
}

// The generated issuance key is sealed with the master key at rest (issue 17): whoever reads the
// database cannot predict future IDs. A plaintext key an older version stored keeps its value
// (issued IDs depend on it) and is sealed in place; another master key does not open it.
TEST_P(ServiceTest, GeneratedKeyIsSealedAtRest) {
  IssuanceConfig none;
  const std::string legacy = load_issuance_key(*db_, none);  // no sealing: as older versions
  identity::MasterKey master(core::random_bytes(32));
  identity::MasterKeySealing sealing(master);
  EXPECT_EQ(load_issuance_key(*db_, none, &sealing), legacy);
  auto settings = [&] {
    return db_->read([](soci::session& s) {
      std::map<std::string, std::string> out;
      soci::rowset<soci::row> rows = s.prepare << "SELECT name, value FROM ids_settings";
      for (const auto& r : rows) out[r.get<std::string>(0)] = r.get<std::string>(1);
      return out;
    });
  };
  auto stored = settings();
  EXPECT_EQ(stored.count("issuance_key"), 0u);  // the plaintext left the table
  ASSERT_EQ(stored.count("issuance_key_sealed"), 1u);
  EXPECT_EQ(stored["issuance_key_sealed"].find(legacy), std::string::npos);
  auto other = open();  // another instance, same master key
  EXPECT_EQ(load_issuance_key(*other, none, &sealing), legacy);
  identity::MasterKey wrong(core::random_bytes(32));
  identity::MasterKeySealing wrong_sealing(wrong);
  EXPECT_THROW(load_issuance_key(*db_, none, &wrong_sealing), core::Error);
  EXPECT_THROW(load_issuance_key(*db_, none), core::Error);  // sealed, and no key to open it
  // A new installation generates it sealed from the start.
  db_->write([](soci::session& s) { s << "DELETE FROM ids_settings"; });
  const std::string fresh = load_issuance_key(*db_, none, &sealing);
  EXPECT_NE(fresh, legacy);
  stored = settings();
  EXPECT_EQ(stored.count("issuance_key"), 0u);
  EXPECT_EQ(stored["issuance_key_sealed"].find(fresh), std::string::npos);
}

TEST_P(ServiceTest, TwoInstancesNeverCollide) {
  auto other_db = open();
  IdsService a(test_config(), *db_, clock_, background_),
      b(test_config(), *other_db, clock_, background_);
  std::vector<std::string> got_a, got_b;
  std::thread ta([&] {
    for (int i = 0; i < 40; ++i) {
      auto o = a.issue({IdType::kUin, 50, std::nullopt, "a"});
      ASSERT_TRUE(o.ok());
      got_a.insert(got_a.end(), o.ids.begin(), o.ids.end());
    }
  });
  std::thread tb([&] {
    for (int i = 0; i < 40; ++i) {
      auto o = b.issue({IdType::kUin, 50, std::nullopt, "b"});
      ASSERT_TRUE(o.ok());
      got_b.insert(got_b.end(), o.ids.begin(), o.ids.end());
    }
  });
  ta.join();
  tb.join();
  std::set<std::string> all(got_a.begin(), got_a.end());
  all.insert(got_b.begin(), got_b.end());
  EXPECT_EQ(all.size(), got_a.size() + got_b.size());
  EXPECT_EQ(all.size(), 4000u);
}

TEST_P(ServiceTest, RidSequenceWrapsPerCentreAndMachine) {
  auto svc = service();  // sequence length 1: 1..9 then 1 again
  std::vector<std::string> seqs;
  for (int i = 0; i < 10; ++i) {
    auto r = svc->next_rid("12345", " 67890 ");
    ASSERT_TRUE(r.ok()) << r.code;
    EXPECT_EQ(r.rid.substr(0, 10), "1234567890");
    seqs.push_back(r.rid.substr(10, 1));
  }
  EXPECT_EQ(seqs.front(), "1");
  EXPECT_EQ(seqs[8], "9");
  EXPECT_EQ(seqs[9], "1");
  EXPECT_EQ(svc->next_rid("11111", "67890").rid.substr(10, 1), "1");
  EXPECT_STREQ(svc->next_rid("", "67890").code, "KER-RIG-002");
  EXPECT_STREQ(svc->next_rid("123", "67890").code, "KER-RIG-003");
}

TEST_P(ServiceTest, SequenceIdsStartAtTheirFirstValue) {
  auto svc = service();
  EXPECT_EQ(svc->next_sequence_id(SequenceKind::kMachine, "t", ""), "10000");
  EXPECT_EQ(svc->next_sequence_id(SequenceKind::kMachine, "t", ""), "10001");
  EXPECT_EQ(svc->next_sequence_id(SequenceKind::kMisp, "t", ""), "100");
  EXPECT_EQ(svc->next_sequence_id(SequenceKind::kPartner, "t", ""), "1000");
}

TEST_P(ServiceTest, LicenceLifeCycle) {
  auto svc = service();
  auto l = svc->create_licence("tsp-1", std::nullopt, "t", "");
  EXPECT_EQ(l.row.key.size(), 16u);
  EXPECT_TRUE(svc->check_licence(l.row.key).first.ok());
  svc->licence_action(l.row.key, LicenceAction::kSuspend, std::nullopt, "t", "");
  EXPECT_STREQ(svc->check_licence(l.row.key).first.code(), "REG-IDV-602");
  svc->licence_action(l.row.key, LicenceAction::kBlock, std::nullopt, "t", "");
  EXPECT_THROW(svc->licence_action(l.row.key, LicenceAction::kReactivate, std::nullopt, "t", ""),
               core::Error);
  EXPECT_STREQ(svc->check_licence("AAAAAAAAAAAAAAAA").first.code(), "KER-LKM-004");
}

// Permissions are rows per key on each backend: added after the stored ones without duplicates,
// replaced as a whole, refused as a whole when one is not configured, audited, and bound to the
// licence's partner when one is named.
TEST_P(ServiceTest, LicencePermissionsAreStoredPerKey) {
  auto svc = service();
  auto a = svc->create_licence("tsp-1", std::nullopt, "t", "");
  auto b = svc->create_licence("tsp-2", std::nullopt, "t", "");
  const std::string otp = "OTP Trigger", auth = "OTP Authentication", kyc = "eKYC - Full";
  using V = std::vector<std::string>;
  auto r = svc->map_licence_permissions(a.row.key, std::string("tsp-1"), {otp, auth}, false, "t",
                                        "req-1");
  ASSERT_EQ(r.outcome, PermissionOutcome::kOk);
  EXPECT_EQ(r.permissions, (V{otp, auth}));
  r = svc->map_licence_permissions(a.row.key, std::nullopt, {kyc, otp}, false, "t", "");
  EXPECT_EQ(r.permissions, (V{otp, auth, kyc}));
  EXPECT_EQ(svc->licence_permissions(a.row.key, std::string("tsp-1")).permissions,
            (V{otp, auth, kyc}));
  EXPECT_TRUE(svc->licence_permissions(b.row.key, std::nullopt).permissions.empty());

  // The other partner's key, an unknown key: not found, nothing written.
  EXPECT_EQ(
      svc->map_licence_permissions(a.row.key, std::string("tsp-2"), {otp}, false, "t", "").outcome,
      PermissionOutcome::kNotFound);
  EXPECT_EQ(svc->licence_permissions(a.row.key, std::string("tsp-2")).outcome,
            PermissionOutcome::kNotFound);
  EXPECT_EQ(svc->licence_permissions("AAAAAAAAAAAAAAAA", std::nullopt).outcome,
            PermissionOutcome::kNotFound);
  // Only exact names of ids.licence.permissions; one refused leaves the set as it was.
  r = svc->map_licence_permissions(b.row.key, std::nullopt, {otp, "OTP Trigger "}, false, "t", "");
  EXPECT_EQ(r.outcome, PermissionOutcome::kNotAccepted);
  EXPECT_EQ(r.refused, "OTP Trigger ");
  EXPECT_TRUE(svc->licence_permissions(b.row.key, std::nullopt).permissions.empty());

  r = svc->map_licence_permissions(a.row.key, std::nullopt, {kyc}, true, "t", "");
  EXPECT_EQ(r.permissions, V{kyc});
  EXPECT_EQ(svc->licence_permissions(a.row.key, std::nullopt).permissions, V{kyc});
  r = svc->map_licence_permissions(a.row.key, std::nullopt, {}, true, "t", "");
  EXPECT_TRUE(svc->licence_permissions(a.row.key, std::nullopt).permissions.empty());

  // A configured list of our own replaces MOSIP's.
  IdsConfig custom = test_config();
  custom.licence_permissions = {"read", "write"};
  auto svc2 = service(custom);
  EXPECT_EQ(svc2->map_licence_permissions(b.row.key, std::nullopt, {otp}, false, "t", "").outcome,
            PermissionOutcome::kNotAccepted);
  EXPECT_EQ(
      svc2->map_licence_permissions(b.row.key, std::nullopt, {"write"}, false, "t", "").permissions,
      V{"write"});

  auto audit = db_->read(
      [&](soci::session& s) { return store::read_audit(s, a.row.key.substr(0, 4) + "…", 20); });
  size_t changes = 0;
  for (const auto& e : audit)
    if (e.action == "ids.licence.permissions") ++changes;
  EXPECT_EQ(changes, 4u);  // two additions, two replacements; refusals write nothing
}

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ids
