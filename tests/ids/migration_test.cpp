// ids v2: unix ms become µs since the epoch. A database is built at v1, filled in the old
// encoding, migrated (v2, then v3's partial index of UNASSIGNED rows), and read back through the
// store (SQLite and PostgreSQL).
#include <gtest/gtest.h>

#include "ids/store.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::ids {
namespace {

class IdsMigrationTest : public ::testing::TestWithParam<std::string> {
 protected:
  IdsMigrationTest() : tdb_(GetParam()), db_(tdb_.options()) {}
  testing::TestDatabase tdb_;
  store::Database db_;
  core::ManualClock clock_{core::SystemTime(std::chrono::seconds(1'800'000'000))};
};

TEST_P(IdsMigrationTest, V2ConvertsMillisecondsToMicroseconds) {
  auto v1 = ids_migrations();
  ASSERT_EQ(v1.size(), 4u);
  v1.resize(1);
  store::migrate(db_, {store::platform_schema(), {"ids", v1}}, clock_);
  db_.write([](soci::session& s) {
    s << "INSERT INTO ids_issued (id_type, id, counter, status, created_at, updated_at, "
         "expires_at, issued_by) VALUES ('uin', '1234', 7, 'ISSUED', 1800000000123, "
         "1800000000456, NULL, 'alice')";
    s << "INSERT INTO ids_issued (id_type, id, counter, status, created_at, updated_at, "
         "expires_at, issued_by) VALUES ('vid', '5678', 8, 'UNASSIGNED', 1800000000000, "
         "1800000000001, 1800000060000, 'bob')";
    s << "INSERT INTO ids_licences (licence_key, partner, status, expires_at, created_at, "
         "updated_at) VALUES ('lk', 'p', 'ACTIVE', 1900000000999, 1800000000000, 1800000000001)";
    s << "INSERT INTO ids_rid_sequences (centre, machine, current_seq, updated_at) VALUES "
         "('10001', '20001', 5, 1800000000000)";
    s << "INSERT INTO ids_sequences (kind, last_value, updated_at) VALUES "
         "('machine', 10005, 1800000000000)";
  });
  auto applied = store::migrate(db_, {store::platform_schema(), {"ids", ids_migrations()}}, clock_);
  ASSERT_EQ(applied.applied.size(), 3u);
  EXPECT_EQ(applied.applied[0].rfind("ids v2", 0), 0u);
  EXPECT_EQ(applied.applied[1].rfind("ids v3", 0), 0u);  // the UNASSIGNED-only index
  EXPECT_EQ(applied.applied[2].rfind("ids v4", 0), 0u);  // licence permissions

  auto uin = db_.read(
      [&](soci::session& s) { return find_issued(s, db_.backend(), "uin", "1234", false); });
  ASSERT_TRUE(uin);
  EXPECT_EQ(uin->created_ms, 1'800'000'000'123);
  EXPECT_EQ(uin->updated_ms, 1'800'000'000'456);
  EXPECT_EQ(uin->expires_ms, std::nullopt);  // NULL stays NULL
  auto vid = db_.read(
      [&](soci::session& s) { return find_issued(s, db_.backend(), "vid", "5678", false); });
  ASSERT_TRUE(vid);
  EXPECT_EQ(vid->expires_ms, std::optional<int64_t>(1'800'000'060'000));
  auto lic =
      db_.read([&](soci::session& s) { return find_licence(s, db_.backend(), "lk", false); });
  ASSERT_TRUE(lic);
  EXPECT_EQ(lic->expires_ms, 1'900'000'000'999);
  EXPECT_EQ(lic->created_ms, 1'800'000'000'000);
  // v4: a licence that existed before gets permissions like a new one.
  db_.write([](soci::session& s) { set_licence_permissions(s, "lk", {"OTP Trigger"}); });
  EXPECT_EQ(db_.read([](soci::session& s) { return licence_permissions(s, "lk"); }),
            std::vector<std::string>{"OTP Trigger"});

  // The converted expiry still decides which returned IDs can be served again.
  auto before = db_.write([&](soci::session& s) {
    return unassigned_ids(s, db_.backend(), "vid", 1'800'000'059'999, 10);
  });
  EXPECT_EQ(before, std::vector<std::string>{"5678"});
  auto after = db_.write([&](soci::session& s) {
    return unassigned_ids(s, db_.backend(), "vid", 1'800'000'060'000, 10);
  });
  EXPECT_TRUE(after.empty());

  long long rid_us = 0, seq_us = 0, issued_us = 0;
  db_.read([&](soci::session& s) {
    s << "SELECT updated_us FROM ids_rid_sequences", soci::into(rid_us);
    s << "SELECT updated_us FROM ids_sequences", soci::into(seq_us);
    s << "SELECT created_us FROM ids_issued WHERE id = '1234'", soci::into(issued_us);
  });
  EXPECT_EQ(rid_us, 1'800'000'000'000'000);
  EXPECT_EQ(seq_us, 1'800'000'000'000'000);
  EXPECT_EQ(issued_us, 1'800'000'000'123'000);
}

INSTANTIATE_TEST_SUITE_P(Backends, IdsMigrationTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ids
