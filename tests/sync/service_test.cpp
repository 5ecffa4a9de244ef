// The master-data service on real databases: references are checked (and may point at rows
// earlier in the same batch), a bad row in a batch names itself and writes nothing, machines get
// MOSIP's key index and are found by it in any case, bound to their centre's holiday location,
// and templates reach machines only for the registration client's module.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include "core/base64.h"
#include "core/error.h"
#include "crypto/keys.h"
#include "store/migrations.h"
#include "support/databases.h"
#include "sync/service.h"

namespace registrar::sync {
namespace {

const crypto::PrivateKey& machine_key() {
  static const crypto::PrivateKey key = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  return key;
}

class SyncServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  SyncServiceTest() : tdb_(GetParam()), db_(tdb_.options()), service_(db_, clock_, {}) {
    store::migrate(db_, {store::platform_schema(), {"sync", {rows_migration()}}}, clock_);
  }

  WriteResult put(const std::string& entity, Json body) {
    return service_.put(*find_entity(entity), body, "tester");
  }
  // A centre "C1" (type CT, holidays of location KTA) in English and French.
  void centre() {
    put("registration_center_types", {{"code", "CT"}, {"name", "Regular"}, {"langCode", "eng"}});
    put("locations",
        {{"code", "KTA"}, {"name", "Kenitra"}, {"hierarchyLevel", 3}, {"langCode", "eng"}});
    for (const char* lang : {"eng", "fra"})
      put("registration_centers", {{"id", "C1"},
                                   {"name", "Centre"},
                                   {"centerTypeCode", "CT"},
                                   {"holidayLocationCode", "KTA"},
                                   {"langCode", lang}});
  }

  registrar::testing::TestDatabase tdb_;
  core::ManualClock clock_{core::from_unix_seconds(1'800'000'000)};
  store::Database db_;
  SyncService service_;
};

TEST_P(SyncServiceTest, RefusesAReferenceToAMissingOrDeletedRow) {
  try {
    put("reasons",
        {{"code", "R1"}, {"name", "Blurred"}, {"rsnCatCode", "NOPE"}, {"langCode", "eng"}});
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kUnprocessable);
    EXPECT_EQ(e.field(), "rsnCatCode");
  }
  put("reason_categories", {{"code", "RC"}, {"name", "Photo"}, {"langCode", "eng"}});
  EXPECT_EQ(put("reasons",
                {{"code", "R1"}, {"name", "Blurred"}, {"rsnCatCode", "RC"}, {"langCode", "eng"}})
                .status,
            WriteStatus::kCreated);
  service_.remove(*find_entity("reason_categories"), "RC", "eng", "tester");
  EXPECT_THROW(
      put("reasons", {{"code", "R2"}, {"name", "Dark"}, {"rsnCatCode", "RC"}, {"langCode", "eng"}}),
      core::Error);
}

TEST_P(SyncServiceTest, ABatchMayReferToItsOwnRowsAndABadRowWritesNothing) {
  const Entity& cat = *find_entity("reason_categories");
  const Entity& reason = *find_entity("reasons");
  std::vector<SyncService::BatchItem> ok = {
      {&cat, {{"code", "RC"}, {"name", "Photo"}, {"langCode", "eng"}}, false, std::nullopt, ""},
      {&reason,
       {{"code", "R1"}, {"name", "B"}, {"rsnCatCode", "RC"}, {"langCode", "eng"}},
       false,
       std::nullopt,
       ""}};
  auto results = service_.apply_batch(ok, "tester", "sync.test");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].status, WriteStatus::kCreated);

  std::vector<SyncService::BatchItem> bad = {
      {&cat, {{"code", "RD"}, {"name", "Docs"}, {"langCode", "eng"}}, false, std::nullopt, ""},
      {&reason, {{"code", "R2"}, {"name", 5}, {"langCode", "eng"}}, false, std::nullopt, "line 2"}};
  try {
    service_.apply_batch(bad, "tester", "sync.test");
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.field(), "line 2.name");
  }
  EXPECT_FALSE(
      db_.read([](soci::session& s) { return db::find_row(s, "reason_categories", "RD", "eng"); }));
}

TEST_P(SyncServiceTest, MachinesGetMosipsKeyIndexAndAreFoundByItInAnyCase) {
  centre();
  std::string pem = machine_key().public_key().to_pem();
  auto w = put("machines", {{"id", "10011"},
                            {"name", "laptop"},
                            {"regCenterId", "C1"},
                            {"publicKey", pem},
                            {"keyIndex", "forged"}});
  Json data = Json::parse(w.row->data);
  // Independently: SHA-256 of the DER key, lower-case hex pairs joined by ':'.
  std::string der = machine_key().public_key().to_spki_der();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(der.data()), der.size(), digest);
  std::string expected;
  for (unsigned char b : digest) {
    char hex[4];
    snprintf(hex, sizeof hex, "%02x", b);
    expected += (expected.empty() ? "" : ":") + std::string(hex);
  }
  EXPECT_EQ(data["keyIndex"], expected);

  std::string upper = expected;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto m = service_.machine_by_key_index(upper);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->id, "10011");
  EXPECT_EQ(m->centre, "C1");
  EXPECT_EQ(m->holiday_location, "KTA");
  EXPECT_EQ(m->scopes, (std::vector<std::string>{"", "m:10011", "c:C1", "l:KTA"}));
  EXPECT_FALSE(service_.machine_by_key_index("00:11"));

  // The same key as base64 DER (what MOSIP clients send) has the same index; a second machine
  // may not share it.
  EXPECT_EQ(key_index_of(core::base64_encode(der), "publicKey"), expected);
  EXPECT_THROW(put("machines", {{"id", "10012"},
                                {"name", "other"},
                                {"regCenterId", "C1"},
                                {"publicKey", core::base64_encode(der)}}),
               core::Error);
  try {
    put("machines", {{"id", "10013"}, {"name", "x"}, {"publicKey", "not a key"}});
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.field(), "publicKey");
  }
}

TEST_P(SyncServiceTest, TemplatesOfOtherModulesReachNoMachine) {
  put("template_file_formats", {{"code", "txt"}, {"name", "Text"}, {"langCode", "eng"}});
  put("template_types", {{"code", "ack"}, {"name", "Ack"}, {"langCode", "eng"}});
  auto tmpl = [&](const std::string& id, const std::string& module) {
    return put("templates", {{"id", id},
                             {"name", id},
                             {"fileFormatCode", "txt"},
                             {"templateTypeCode", "ack"},
                             {"moduleId", module},
                             {"langCode", "eng"}});
  };
  EXPECT_EQ(tmpl("T1", "10002").row->scope, "");
  EXPECT_EQ(tmpl("T2", "10003").row->scope, kNoScope);
}

TEST_P(SyncServiceTest, AStaleVersionIsAConflictNamingWhatTheServerHolds) {
  put("languages", {{"code", "eng"}, {"name", "English"}});
  put("languages", {{"code", "eng"}, {"name", "Anglais"}});
  try {
    service_.put(*find_entity("languages"), {{"code", "eng"}, {"name", "Inglés"}}, "tester", 1);
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kConflict);
    EXPECT_NE(std::string(e.what()).find("version 2"), std::string::npos) << e.what();
  }
  auto w =
      service_.put(*find_entity("languages"), {{"code", "eng"}, {"name", "Inglés"}}, "tester", 2);
  EXPECT_EQ(w.row->version, 3);
  Json shown = SyncService::render(*w.row, true);
  EXPECT_EQ(shown["name"], "Inglés");
  EXPECT_EQ(shown["langCode"], nullptr);
  EXPECT_EQ(shown["isDeleted"], false);
  EXPECT_EQ(shown["version"], 3);
  EXPECT_EQ(shown["updatedBy"], "tester");
}

INSTANTIATE_TEST_SUITE_P(Backends, SyncServiceTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::sync
