// The master-data admin API and CLI against the real binary over loopback HTTP (SQLite, and
// PostgreSQL when REGISTRAR_TEST_PG_URL is set): scopes are enforced, bad input is refused with
// the right status naming the field and stores nothing, versions guard replacements, deletes are
// soft, imports are all or none, exports read back what was imported, and pages cover every row
// once.
#include <gtest/gtest.h>

#include <set>

#include "crypto/keys.h"
#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar::sync {
namespace {

using Json = nlohmann::json;

class SyncAdminEndToEnd : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<testing::TestDatabase>(GetParam());
    testing::ProcessOptions o;
    o.database_url = db_->url();
    server_ = std::make_unique<testing::RegistrarProcess>(o);
    admin_ = testing::issue_token(server_->env(), "ops", "--scope sync:admin");
  }

  http::Response call(http::Method m, const std::string& path, const std::string& body = "",
                      const std::string& token = "", http::Headers extra = {}) {
    extra.set("Authorization", "Bearer " + (token.empty() ? admin_ : token));
    if (!body.empty()) extra.set("Content-Type", "application/json");
    return server_->request(m, path, body, extra);
  }
  Json ok(http::Method m, const std::string& path, const std::string& body = "", int status = 200) {
    auto r = call(m, path, body);
    EXPECT_EQ(r.status, status) << path << ": " << r.body;
    return Json::parse(r.body, nullptr, false);
  }
  // The problem's field, after checking its status.
  std::string refused(const http::Response& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    Json p = Json::parse(r.body, nullptr, false);
    return p.is_object() ? p.value("field", std::string()) : std::string();
  }
  testing::CommandResult cli(const std::string& args) {
    auto r = testing::run_registrar(args, server_->env());
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
    return r;
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<testing::RegistrarProcess> server_;
  std::string admin_;
};

TEST_P(SyncAdminEndToEnd, OnlyTheAdminScopeReachesMasterData) {
  EXPECT_EQ(server_->get("/v1/masterdata").status, 401);
  std::string other = testing::issue_token(server_->env(), "ops", "--scope ids:issue");
  EXPECT_EQ(call(http::Method::kGet, "/v1/masterdata", "", other).status, 403);
  Json cat = ok(http::Method::kGet, "/v1/masterdata");
  std::set<std::string> names;
  for (const auto& e : cat["entities"]) names.insert(e["name"].get<std::string>());
  EXPECT_TRUE(names.count("registration_center_machines"));
  EXPECT_EQ(refused(call(http::Method::kGet, "/v1/masterdata/nothing"), 404), "");
}

TEST_P(SyncAdminEndToEnd, WritesAreCheckedVersionedAndSoftDeleted) {
  using M = http::Method;
  ok(M::kPost, "/v1/masterdata/registration_center_types",
     R"({"code":"CT","name":"Regular","langCode":"eng"})", 201);
  // Bad input: the field is named, nothing is stored.
  EXPECT_EQ(refused(call(M::kPost, "/v1/masterdata/registration_centers",
                         R"({"id":"C1","name":"Centre","centerTypeCode":"XX","langCode":"eng"})"),
                    422),
            "centerTypeCode");
  EXPECT_EQ(refused(call(M::kPost, "/v1/masterdata/registration_centers",
                         R"({"id":"C1","name":7,"centerTypeCode":"CT","langCode":"eng"})"),
                    400),
            "name");
  EXPECT_EQ(refused(call(M::kPost, "/v1/masterdata/registration_centers",
                         R"({"id":"C1","name":"Centre","centerTypeCode":"CT"})"),
                    400),
            "langCode");
  EXPECT_EQ(call(M::kGet, "/v1/masterdata/registration_centers/C1?langCode=eng").status, 404);
  // An array's items too, named by their index: a dynamic field's third value without a text
  // code, an identity schema's field that is not an object.
  EXPECT_EQ(refused(call(M::kPost, "/v1/masterdata/dynamic_fields",
                         R"({"id":"rs","name":"rs","langCode":"eng","fieldVal":[)"
                         R"({"code":"FR","value":"Foreigner"},{"code":"NFR","value":"National"},)"
                         R"({"code":7,"value":"Other"}]})"),
                    400),
            "fieldVal/2/code");
  EXPECT_EQ(refused(call(M::kPut, "/v1/masterdata/id_schemas",
                         R"({"idVersion":"0.1","schemaJson":"{}","schema":[{"id":"a"},"b"]})"),
                    400),
            "schema/1");
  EXPECT_EQ(call(M::kGet, "/v1/masterdata/dynamic_fields/rs?langCode=eng").status, 404);
  EXPECT_EQ(call(M::kGet, "/v1/masterdata/id_schemas/0.1").status, 404);

  Json c = ok(M::kPost, "/v1/masterdata/registration_centers",
              R"({"id":"C1","name":"Centre","centerTypeCode":"CT","langCode":"eng"})", 201);
  EXPECT_EQ(c["version"], 1);
  EXPECT_EQ(c["createdBy"], "ops");
  EXPECT_EQ(refused(call(M::kPost, "/v1/masterdata/registration_centers",
                         R"({"id":"C1","name":"Again","centerTypeCode":"CT","langCode":"eng"})"),
                    409),
            "version");

  // Replace at a version: the stale one is refused, naming what the server holds.
  http::Headers at1;
  at1.set("If-Match", "\"1\"");
  auto r =
      call(M::kPut, "/v1/masterdata/registration_centers",
           R"({"id":"C1","name":"Centre One","centerTypeCode":"CT","langCode":"eng"})", "", at1);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.get("ETag").value_or(""), "\"2\"");
  r = call(M::kPut, "/v1/masterdata/registration_centers",
           R"({"id":"C1","name":"Stale","centerTypeCode":"CT","langCode":"eng"})", "", at1);
  EXPECT_EQ(refused(r, 409), "version");
  EXPECT_NE(r.body.find("version 2"), std::string::npos) << r.body;
  EXPECT_EQ(ok(M::kGet, "/v1/masterdata/registration_centers/C1?langCode=eng")["name"],
            "Centre One");

  // Soft delete: gone from lists, still readable, and shown as deleted.
  Json d = ok(M::kDelete, "/v1/masterdata/registration_centers/C1?langCode=eng");
  EXPECT_EQ(d["isDeleted"], true);
  EXPECT_FALSE(d["deletedDateTime"].is_null());
  EXPECT_TRUE(ok(M::kGet, "/v1/masterdata/registration_centers")["rows"].empty());
  EXPECT_EQ(ok(M::kGet, "/v1/masterdata/registration_centers?includeDeleted=true")["rows"].size(),
            1u);
  EXPECT_EQ(call(M::kDelete, "/v1/masterdata/registration_centers/C2?langCode=eng").status, 404);
  EXPECT_EQ(refused(call(M::kGet, "/v1/masterdata/registration_centers?limit=0"), 400), "limit");
}

TEST_P(SyncAdminEndToEnd, ImportsAreAllOrNoneAndExportsReadBack) {
  using M = http::Method;
  std::string lines;
  for (int i = 0; i < 25; ++i)
    lines += R"({"code":"d)" + std::to_string(100 + i) + R"(","name":"Doc )" + std::to_string(i) +
             R"(","langCode":"eng"})" + "\n";
  std::string bad = lines + "\n" + R"({"code":"x","name":false,"langCode":"eng"})" + "\n";
  EXPECT_EQ(refused(call(M::kPost, "/v1/masterdata/document_types/import", bad), 400),
            "line 27.name");
  EXPECT_TRUE(ok(M::kGet, "/v1/masterdata/document_types")["rows"].empty());
  EXPECT_EQ(refused(call(M::kPost, "/v1/masterdata/dynamic_fields/import",
                         R"({"id":"rs","name":"rs","langCode":"eng","fieldVal":[]})"
                         "\n"
                         R"({"id":"g","name":"g","langCode":"eng","fieldVal":[null]})"
                         "\n"),
                    400),
            "line 2.fieldVal/0");
  EXPECT_TRUE(ok(M::kGet, "/v1/masterdata/dynamic_fields")["rows"].empty());

  Json counts = ok(M::kPost, "/v1/masterdata/document_types/import", lines);
  EXPECT_EQ(counts["created"], 25);
  counts = ok(M::kPost, "/v1/masterdata/document_types/import", lines);
  EXPECT_EQ(counts["unchanged"], 25);

  // Pages of 10 cover the 25 rows once, in key order.
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 5; ++page) {
    Json p = ok(M::kGet, "/v1/masterdata/document_types?limit=10" +
                             (after.empty() ? "" : "&after=" + after));
    for (const auto& row : p["rows"]) seen.push_back(row["code"]);
    if (p["next"].is_null()) break;
    after = p["next"].get<std::string>();
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 25u);

  // The CLI's export is the API's, and what import reads.
  auto exported = cli("sync export document_types");
  auto api_export = call(M::kGet, "/v1/masterdata/document_types/export");
  ASSERT_EQ(api_export.status, 200);
  EXPECT_NE(exported.output.find(api_export.body.substr(0, api_export.body.find('\n'))),
            std::string::npos);
  counts = ok(M::kPost, "/v1/masterdata/document_types/import", api_export.body);
  EXPECT_EQ(counts["unchanged"], 25);
}

TEST_P(SyncAdminEndToEnd, TheCliOnboardsMachinesAndImportsCsv) {
  cli("sync import registration_center_types " +
      server_->dir().write("types.csv", "code,name,langCode\nCT,\"Regular, fixed\",eng\n"));
  cli("sync import registration_centers " +
      server_->dir().write(
          "centres.jsonl",
          R"({"id":"10001","name":"Centre","centerTypeCode":"CT","langCode":"eng"})"
          "\n"));
  auto key = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  std::string pem = server_->dir().write("enc.pem", key.public_key().to_pem());
  auto added = cli("sync machines add laptop-7 --centre 10001 --public-key-file " + pem);
  EXPECT_NE(added.output.find("machine 10001 (laptop-7)"), std::string::npos) << added.output;
  Json m = ok(http::Method::kGet, "/v1/masterdata/machines/10001");
  EXPECT_EQ(m["name"], "laptop-7");
  EXPECT_EQ(m["regCenterId"], "10001");
  EXPECT_NE(added.output.find(m["keyIndex"].get<std::string>()), std::string::npos);
  // A machine at a centre that does not exist is refused, and says which.
  auto r = testing::run_registrar(
      "sync machines add laptop-8 --centre 99999 --public-key-file " + pem, server_->env());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("99999"), std::string::npos) << r.output;
  EXPECT_EQ(
      ok(http::Method::kGet, "/v1/masterdata/registration_center_types/CT?langCode=eng")["name"],
      "Regular, fixed");
}

// What the console's sync page reads: a machine onboarded through the API with its key, the
// row counts by entity, and the machine's last sync appearing once it asks for its settings.
TEST_P(SyncAdminEndToEnd, CountsAndLastSyncFollowTheMachines) {
  using M = http::Method;
  ok(M::kPost, "/v1/masterdata/registration_center_types",
     R"({"code":"CT","name":"Regular","langCode":"eng"})", 201);
  ok(M::kPost, "/v1/masterdata/registration_centers",
     R"({"id":"10001","name":"Centre","centerTypeCode":"CT","langCode":"eng"})", 201);
  auto key = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  Json machine = {{"id", "20001"},
                  {"name", "laptop-9"},
                  {"regCenterId", "10001"},
                  {"publicKey", key.public_key().to_pem()}};
  Json row = ok(M::kPost, "/v1/masterdata/machines", machine.dump(), 201);
  const std::string key_index = row.value("keyIndex", std::string());
  ASSERT_FALSE(key_index.empty()) << row.dump();

  auto count_of = [&](const std::string& name) {
    const Json catalogue = ok(M::kGet, "/v1/masterdata");
    for (const auto& e : catalogue["entities"])
      if (e["name"] == name) return e["count"].get<int64_t>();
    return int64_t{-1};
  };
  EXPECT_EQ(count_of("machines"), 1);
  EXPECT_EQ(count_of("registration_centers"), 1);
  EXPECT_EQ(count_of("holidays"), 0);

  EXPECT_TRUE(ok(M::kGet, "/v1/sync/machines/last-sync")["machines"].empty());
  std::string other = testing::issue_token(server_->env(), "ops", "--scope ids:issue");
  EXPECT_EQ(call(M::kGet, "/v1/sync/machines/last-sync", "", other).status, 403);
  std::string client = testing::issue_token(server_->env(), "rc", "--scope sync:client");
  call(M::kGet, "/v1/syncdata/clientsettings?keyindex=" + key_index, "", client);
  Json last = ok(M::kGet, "/v1/sync/machines/last-sync")["machines"];
  ASSERT_TRUE(last.contains("20001")) << last.dump();
  EXPECT_EQ(last.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, SyncAdminEndToEnd, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::sync
