// identity v3: unix seconds become µs since the epoch. A database is built at v2, filled in the
// old encoding, migrated, and read back through the store (SQLite and PostgreSQL).
#include <gtest/gtest.h>

#include "identity/store.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::identity {
namespace {

class IdentityMigrationTest : public ::testing::TestWithParam<std::string> {
 protected:
  IdentityMigrationTest() : tdb_(GetParam()), db_(tdb_.options()) {}
  testing::TestDatabase tdb_;
  store::Database db_;
  core::ManualClock clock_{core::SystemTime(std::chrono::seconds(1'700'000'000))};
};

TEST_P(IdentityMigrationTest, V3ConvertsSecondsToMicroseconds) {
  auto v2 = identity_migrations();
  ASSERT_GE(v2.size(), 3u);
  ASSERT_EQ(v2[2].version, 3);
  v2.resize(2);
  store::migrate(db_, {store::platform_schema(), {"identity", v2}}, clock_);
  db_.write([](soci::session& s) {
    s << "INSERT INTO identity_keys (kid, alg, public_jwk, private_sealed, created_at, "
         "activate_at, retire_at, verify_until) VALUES ('k1', 'EdDSA', '{}', 'sealed', "
         "1700000000, 1700000300, NULL, NULL)";
    s << "INSERT INTO identity_keys (kid, alg, public_jwk, private_sealed, created_at, "
         "activate_at, retire_at, verify_until) VALUES ('k0', 'ES256', '{}', 'sealed', "
         "1600000000, 1600000000, 1700000300, 1700003960)";
    s << "INSERT INTO identity_clients (client_id, secret_hash, scopes, description, created_at, "
         "disabled) VALUES ('c1', 'h', 'a b', 'd', 1690000000, 0)";
    s << "INSERT INTO identity_users (username, password_hash, scopes, description, created_at, "
         "disabled) VALUES ('u1', 'h', '', 'd', 1690000001, 1)";
    s << "INSERT INTO identity_challenges (nonce, public_key, created_at, expires_at, consumed_at) "
         "VALUES ('n1', NULL, 1700000000, 1700000060, NULL)";
    s << "INSERT INTO identity_challenges (nonce, public_key, created_at, expires_at, consumed_at) "
         "VALUES ('n2', 'spki', 1700000000, 1700000060, 1700000030)";
  });
  auto v3 = identity_migrations();
  v3.resize(3);
  auto applied = store::migrate(db_, {store::platform_schema(), {"identity", v3}}, clock_);
  ASSERT_EQ(applied.applied.size(), 1u);
  EXPECT_EQ(applied.applied[0].rfind("identity v3", 0), 0u);

  auto sec = core::from_unix_seconds;
  auto keys = db_.read([](soci::session& s) { return all_keys(s); });
  ASSERT_EQ(keys.size(), 2u);  // ordered by activation
  EXPECT_EQ(keys[0].kid, "k0");
  EXPECT_EQ(keys[0].created, sec(1'600'000'000));
  EXPECT_EQ(keys[0].retire, sec(1'700'000'300));
  EXPECT_EQ(keys[0].verify_until, sec(1'700'003'960));
  EXPECT_EQ(keys[1].kid, "k1");
  EXPECT_EQ(keys[1].activate, sec(1'700'000'300));
  EXPECT_EQ(keys[1].retire, std::nullopt);  // NULL stays NULL
  EXPECT_EQ(keys[1].verify_until, std::nullopt);

  auto client = db_.read([](soci::session& s) { return find_client(s, "c1"); });
  ASSERT_TRUE(client);
  EXPECT_EQ(client->created, sec(1'690'000'000));
  auto user = db_.read([](soci::session& s) { return find_user(s, "u1"); });
  ASSERT_TRUE(user);
  EXPECT_EQ(user->created, sec(1'690'000'001));
  EXPECT_TRUE(user->disabled);

  auto n1 = db_.read([](soci::session& s) { return find_challenge(s, "n1"); });
  auto n2 = db_.read([](soci::session& s) { return find_challenge(s, "n2"); });
  ASSERT_TRUE(n1 && n2);
  EXPECT_EQ(n1->public_key, std::nullopt);
  EXPECT_EQ(n1->expires, sec(1'700'000'060));
  EXPECT_EQ(n1->consumed, std::nullopt);
  EXPECT_EQ(n2->public_key, std::optional<std::string>("spki"));
  EXPECT_EQ(n2->consumed, sec(1'700'000'030));

  // The raw columns hold µs, and the renamed expiry index still serves the purge.
  long long raw = 0;
  db_.read([&](soci::session& s) {
    s << "SELECT created_us FROM identity_keys WHERE kid = 'k1'", soci::into(raw);
  });
  EXPECT_EQ(raw, 1'700'000'000'000'000);
  db_.write([&](soci::session& s) { delete_challenges_expired_before(s, sec(1'700'000'061)); });
  EXPECT_FALSE(db_.read([](soci::session& s) { return find_challenge(s, "n1"); }));
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityMigrationTest,
                         ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::identity
