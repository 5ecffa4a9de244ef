// MOSIP's sync routes besides clientsettings over real HTTP on loopback, on each backend:
// configuration merged per machine (global < centre < machine) and decrypted by an independent
// Python implementation (mosip_decrypt.py), user details of the machine's centre only, the TPM
// key routes, the latest identity schema, and MOSIP's error codes.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "core/base64.h"
#include "core/error.h"
#include "crypto/keys.h"
#include "crypto/signature.h"
#include "http/client.h"
#include "http/compression.h"
#include "http/server.h"
#include "mosip/envelope.h"
#include "store/migrations.h"
#include "support/databases.h"
#include "support/loopback_server.h"
#include "support/python_runner.h"
#include "support/temp_dir.h"
#include "sync/mosip_routes.h"
#include "sync/mosip_snapshot.h"
#include "sync/service.h"
#include "test_signing.h"

namespace registrar::sync {
namespace {

using http::Method;

constexpr const char* kScope = "sync:client";

struct MachineKeys {
  crypto::PrivateKey enc = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
  crypto::PrivateKey sign = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
};
// Generated once: RSA key generation is slow under the sanitizers.
const std::vector<MachineKeys>& keys() {
  static const std::vector<MachineKeys> all(3);
  return all;
}

using testing::read_file;

// Decrypts each (private key, data) pair with mosip_decrypt.py.
std::vector<Json> python_decrypt(
    const std::vector<std::pair<const crypto::PrivateKey*, std::string>>& cases) {
  std::vector<std::string> lines;
  for (const auto& [key, data] : cases)
    lines.push_back(Json{{"key", key->to_pem()}, {"data", data}}.dump());
  auto out = testing::run_python(
      "mosip_decrypt", read_file(std::string(SYNC_TEST_DIR) + "/mosip_decrypt.py"), lines);
  std::vector<Json> parsed;
  for (const auto& line : out) {
    EXPECT_NE(line.rfind("ERROR", 0), 0u) << line;
    parsed.push_back(Json::parse(line, nullptr, false));
  }
  EXPECT_EQ(parsed.size(), cases.size());
  return parsed;
}

// A server on a loopback port for the routes `add` puts on its router. "Bearer client" has the
// sync scope, "Bearer other" another one.
struct TestServer {
  TestServer(const core::Clock& clock, const std::function<void(http::Router&)>& add) {
    router.add_authenticator(http::kBearerAuthenticator,
                             std::make_shared<testing::FixedTokenAuthenticator>(
                                 std::map<std::string, std::vector<std::string>>{
                                     {"client", {kScope}}, {"other", {"other"}}}));
    router.set_error_format("/v1/syncdata", std::make_shared<mosip::ErrorFormat>(clock));
    add(router);
    server = std::make_unique<testing::LoopbackServer>(router);
    port = server->port();
  }
  http::Router router;
  std::unique_ptr<testing::LoopbackServer> server;
  uint16_t port = 0;
};

class SyncMosipRoutesTest : public ::testing::TestWithParam<std::string> {
 protected:
  SyncMosipRoutesTest() : tdb_(GetParam()), db_(tdb_.options(4)), service_(db_, clock_, {}) {
    store::migrate(db_, {store::platform_schema(), {"sync", {rows_migration()}}}, clock_);
    main_ = std::make_unique<TestServer>(clock_, [this](http::Router& r) {
      add_mosip_routes(r, service_, kScope, {&signing_, "sync-files-1", true});
    });
    // Entity files in clear (sync.snapshots.encrypt = false).
    plain_ = std::make_unique<TestServer>(clock_, [this](http::Router& r) {
      add_snapshot_route(r, service_, kScope, {&signing_, "sync-files-1", false});
    });
    port_ = main_->port;
    seed();
  }

  void put(const std::string& entity, Json body) {
    service_.put(*find_entity(entity), body, "admin");
  }

  // Centres A (10001) and B (10002); machines m-a (centre A), m-b (centre B) and m-none (no
  // centre), each with its own keys.
  void seed() {
    put("registration_center_types", {{"code", "REG"}, {"name", "Regular"}, {"langCode", "eng"}});
    for (const char* id : {"10001", "10002"})
      put("registration_centers", {{"id", id},
                                   {"name", std::string("Centre ") + id},
                                   {"centerTypeCode", "REG"},
                                   {"langCode", "eng"}});
    const char* centres[] = {"10001", "10002", ""};
    const char* names[] = {"m-a", "m-b", "m-none"};
    for (int i = 0; i < 3; ++i) {
      Json m = {{"id", std::to_string(20001 + i)},
                {"name", names[i]},
                {"publicKey", keys()[i].enc.public_key().to_pem()},
                {"signPublicKey", keys()[i].sign.public_key().to_pem()}};
      if (*centres[i]) m["regCenterId"] = centres[i];
      put("machines", m);
    }
  }
  std::string key_index(int machine) const {
    return key_index_of(keys()[machine].enc.public_key().to_pem(), "k");
  }

  http::Response call(Method m, const std::string& path, const std::string& token = "client",
                      const std::string& body = "") {
    http::ClientRequest req;
    req.method = m;
    req.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    req.body = body;
    if (!token.empty()) req.headers.set("Authorization", "Bearer " + token);
    if (!body.empty()) req.headers.set("Content-Type", "application/json");
    return http::fetch(req);
  }
  // A MOSIP envelope answered with HTTP 200.
  Json envelope(Method m, const std::string& path, const std::string& body = "") {
    auto r = call(m, path, "client", body);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    Json j = Json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("response") && j.contains("errors")) << r.body;
    return j;
  }
  Json ok(Method m, const std::string& path, const std::string& body = "") {
    Json j = envelope(m, path, body);
    EXPECT_TRUE(j["errors"].is_null()) << path << ": " << j.dump();
    return j["response"];
  }
  std::string error_code(Method m, const std::string& path, const std::string& body = "") {
    Json j = envelope(m, path, body);
    EXPECT_TRUE(j["response"].is_null()) << j.dump();
    if (!j["errors"].is_array() || j["errors"].empty()) return "";
    return j["errors"][0]["errorCode"];
  }

  testing::TestDatabase tdb_;
  core::ManualClock clock_{core::from_unix_seconds(1'800'000'000)};
  store::Database db_;
  SyncService service_;
  TestSigning signing_;
  std::unique_ptr<TestServer> main_, plain_;
  uint16_t port_ = 0;
};

TEST_P(SyncMosipRoutesTest, ConfigsMergeGlobalCentreAndMachineAndDecryptInPython) {
  put("configurations", {{"name", "timeout"}, {"value", "30"}});
  put("configurations", {{"name", "language"}, {"value", "eng"}});
  put("configurations", {{"name", "only.global"}, {"value", "g"}});
  put("configurations", {{"name", "timeout"}, {"value", "60"}, {"regCenterId", "10001"}});
  put("configurations", {{"name", "language"}, {"value", "fra"}, {"regCenterId", "10001"}});
  put("configurations",
      {{"name", "timeout"}, {"value", "90"}, {"regCenterId", "10001"}, {"machineId", "20001"}});
  put("configurations", {{"name", "language"}, {"value", "ara"}, {"regCenterId", "10002"}});
  put("configurations", {{"name", "disabled"}, {"value", "x"}, {"isActive", false}});

  // m-a by key index (upper case: MOSIP looks indexes up case-insensitively), m-b by key index,
  // m-a again by its name (MOSIP's backward compatibility), m-none (no centre) by key index.
  std::string upper = key_index(0);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  Json a = ok(Method::kGet, "/v1/syncdata/configs/" + upper + "?version=1.2.0");
  Json b = ok(Method::kGet, "/v1/syncdata/configs/" + key_index(1));
  Json by_name = ok(Method::kGet, "/v1/syncdata/configs/m-a");
  Json none = ok(Method::kGet, "/v1/syncdata/configs/" + key_index(2));
  EXPECT_EQ(a["lastSyncTime"], "2027-01-15T08:00:00.000Z");
  auto plain =
      python_decrypt({{&keys()[0].enc, a["configDetail"]["globalConfiguration"]},
                      {&keys()[0].enc, a["configDetail"]["registrationConfiguration"]},
                      {&keys()[1].enc, b["configDetail"]["registrationConfiguration"]},
                      {&keys()[0].enc, by_name["configDetail"]["registrationConfiguration"]},
                      {&keys()[2].enc, none["configDetail"]["registrationConfiguration"]}});
  ASSERT_EQ(plain.size(), 5u);
  EXPECT_EQ(plain[0], Json::object());
  EXPECT_EQ(plain[1], (Json{{"timeout", "90"}, {"language", "fra"}, {"only.global", "g"}}));
  EXPECT_EQ(plain[2], (Json{{"timeout", "30"}, {"language", "ara"}, {"only.global", "g"}}));
  EXPECT_EQ(plain[3], plain[1]);
  EXPECT_EQ(plain[4], (Json{{"timeout", "30"}, {"language", "eng"}, {"only.global", "g"}}));

  // Versioned by the row: a new value of the global row reaches the machines it is not
  // overridden for; deleting the machine's row lets the centre's through.
  put("configurations", {{"name", "timeout"}, {"value", "45"}});
  service_.remove(*find_entity("configurations"), "timeout|10001|20001", "", "admin");
  Json a2 = ok(Method::kGet, "/v1/syncdata/configs/" + key_index(0));
  Json b2 = ok(Method::kGet, "/v1/syncdata/configs/" + key_index(1));
  auto plain2 = python_decrypt({{&keys()[0].enc, a2["configDetail"]["registrationConfiguration"]},
                                {&keys()[1].enc, b2["configDetail"]["registrationConfiguration"]}});
  ASSERT_EQ(plain2.size(), 2u);
  EXPECT_EQ(plain2[0]["timeout"], "60");
  EXPECT_EQ(plain2[1]["timeout"], "45");

  // Data for one machine's key is not readable with another's: the Python side fails.
  auto wrong = testing::run_python("mosip_decrypt",
                                   read_file(std::string(SYNC_TEST_DIR) + "/mosip_decrypt.py"),
                                   {Json{{"key", keys()[1].enc.to_pem()},
                                         {"data", a2["configDetail"]["registrationConfiguration"]}}
                                        .dump()});
  ASSERT_EQ(wrong.size(), 1u);
  EXPECT_EQ(wrong[0].rfind("ERROR", 0), 0u) << wrong[0];

  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/configs/00:11:22"), "KER-SNC-155");
  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/configs/no-such-machine"), "KER-SNC-155");
  // A deleted machine gets nothing.
  service_.remove(*find_entity("machines"), "20002", "", "admin");
  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/configs/" + key_index(1)), "KER-SNC-155");
}

TEST_P(SyncMosipRoutesTest, UserDetailsAreTheMachinesCentresLiveUsers) {
  put("users", {{"id", "alice"},
                {"name", "Alice"},
                {"mail", "a@example.org"},
                {"mobile", "+100"},
                {"roles", {"REGISTRATION_OFFICER"}},
                {"regCenterId", "10001"}});
  put("users", {{"id", "bob"}, {"name", "Bob"}, {"regCenterId", "10001"}, {"isActive", false}});
  put("users", {{"id", "carol"}, {"name", "Carol"}, {"regCenterId", "10001"}});
  put("users", {{"id", "dave"}, {"name", "Dave"}, {"regCenterId", "10002"}});
  put("users", {{"id", "erin"}, {"name", "Erin"}});  // no centre
  service_.remove(*find_entity("users"), "carol", "", "admin");

  Json v1 = ok(Method::kGet, "/v1/syncdata/userdetails?keyindex=" + key_index(0));
  Json v2 = ok(Method::kGet, "/v1/syncdata/v2/userdetails?keyindex=" + key_index(0));
  Json b = ok(Method::kGet, "/v1/syncdata/userdetails?keyindex=" + key_index(1));
  EXPECT_EQ(v1["lastSyncTime"], "2027-01-15T08:00:00.000Z");
  auto plain = python_decrypt({{&keys()[0].enc, v1["userDetails"]},
                               {&keys()[0].enc, v2["userDetails"]},
                               {&keys()[1].enc, b["userDetails"]}});
  ASSERT_EQ(plain.size(), 3u);
  Json expected_a = Json::array({{{"userName", "alice"},
                                  {"mail", "a@example.org"},
                                  {"mobile", "+100"},
                                  {"langCode", "eng"},
                                  {"name", "Alice"},
                                  {"userPassword", nullptr},
                                  {"roles", {"REGISTRATION_OFFICER"}},
                                  {"isActive", true},
                                  {"isDeleted", false},
                                  {"regCenterId", "10001"}},
                                 {{"userName", "bob"},
                                  {"mail", nullptr},
                                  {"mobile", nullptr},
                                  {"langCode", "eng"},
                                  {"name", "Bob"},
                                  {"userPassword", nullptr},
                                  {"roles", Json::array()},
                                  {"isActive", false},
                                  {"isDeleted", false},
                                  {"regCenterId", "10001"}}});
  EXPECT_EQ(plain[0], expected_a);
  EXPECT_EQ(plain[1], expected_a);
  ASSERT_TRUE(plain[2].is_array());
  ASSERT_EQ(plain[2].size(), 1u);
  EXPECT_EQ(plain[2][0]["userName"], "dave");

  // A user who moves to centre B leaves A's list and joins B's.
  put("users", {{"id", "alice"}, {"name", "Alice"}, {"regCenterId", "10002"}});
  auto moved = python_decrypt(
      {{&keys()[0].enc,
        ok(Method::kGet, "/v1/syncdata/userdetails?keyindex=" + key_index(0))["userDetails"]},
       {&keys()[1].enc,
        ok(Method::kGet, "/v1/syncdata/userdetails?keyindex=" + key_index(1))["userDetails"]}});
  ASSERT_EQ(moved.size(), 2u);
  ASSERT_EQ(moved[0].size(), 1u);
  EXPECT_EQ(moved[0][0]["userName"], "bob");
  ASSERT_EQ(moved[1].size(), 2u);
  EXPECT_EQ(moved[1][0]["userName"], "alice");

  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/userdetails?keyindex=" + key_index(2)),
            "KER-SNC-141");
  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/userdetails?keyindex=aa:bb"), "KER-SNC-155");
  // userdetails takes key indexes only, not machine names.
  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/userdetails?keyindex=m-a"), "KER-SNC-155");
  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/v2/userdetails"), "KER-SNC-002");
}

TEST_P(SyncMosipRoutesTest, TpmPublicKeyVerifyAndFetch) {
  auto body = [](const std::string& name, const std::string& key, const std::string& sign = "") {
    Json request = {{"machineName", name}, {"publicKey", key}};
    if (!sign.empty()) request["signPublicKey"] = sign;
    return Json{{"id", "mosip.sync.verify"},
                {"version", "1.0"},
                {"requesttime", "2027-01-15T08:00:00.000Z"},
                {"request", request}}
        .dump();
  };
  // MOSIP clients send base64 DER.
  auto b64 = [](const crypto::PrivateKey& k) {
    return core::base64_encode(k.public_key().to_spki_der());
  };
  const char* path = "/v1/syncdata/tpm/publickey/verify";

  Json right = envelope(Method::kPost, path, body("m-a", b64(keys()[0].enc)));
  EXPECT_TRUE(right["errors"].is_null()) << right.dump();
  EXPECT_EQ(right["response"]["keyIndex"], key_index(0));
  EXPECT_EQ(right["id"], "mosip.sync.verify");
  // PEM, and with the right signing key.
  EXPECT_EQ(ok(Method::kPost, path,
               body("m-a", keys()[0].enc.public_key().to_pem(), b64(keys()[0].sign)))["keyIndex"],
            key_index(0));

  EXPECT_EQ(error_code(Method::kPost, path, body("m-a", b64(keys()[1].enc))),
            "KER-SNC-164");  // m-b's key
  EXPECT_EQ(error_code(Method::kPost, path, body("m-b", b64(keys()[0].enc))),
            "KER-SNC-164");  // m-a's key
  EXPECT_EQ(error_code(Method::kPost, path, body("m-a", b64(keys()[0].sign))),
            "KER-SNC-164");  // its signing key
  EXPECT_EQ(error_code(Method::kPost, path, body("m-a", b64(keys()[0].enc), b64(keys()[1].sign))),
            "KER-SNC-164");
  EXPECT_EQ(error_code(Method::kPost, path, body("m-a", "not a key")), "KER-SNC-164");
  EXPECT_EQ(error_code(Method::kPost, path, body("m-z", b64(keys()[0].enc))), "KER-SNC-155");
  EXPECT_EQ(error_code(Method::kPost, path, body("m-z", "not a key")), "KER-SNC-155");
  EXPECT_EQ(error_code(Method::kPost, path, R"({"request":{"machineName":"m-a"}})"), "KER-SNC-999");
  EXPECT_EQ(error_code(Method::kPost, path, "{"), "KER-SNC-999");

  Json keys_a = ok(Method::kGet, "/v1/syncdata/tpm/publickey/20001?version=1");
  EXPECT_EQ(keys_a["encryptionPublicKey"], keys()[0].enc.public_key().to_pem());
  EXPECT_EQ(keys_a["signingPublicKey"], keys()[0].sign.public_key().to_pem());
  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/tpm/publickey/29999"), "KER-SNC-155");
}

TEST_P(SyncMosipRoutesTest, LatestIdSchemaPicksTheHighestPublishedVersion) {
  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/latestidschema"), "KER-SNC-166");
  auto schema = [](const std::string& version, bool active = true) {
    return Json{{"idVersion", version},
                {"title", "v" + version},
                {"schemaJson", "{\"v\":\"" + version + "\"}"},
                {"isActive", active}};
  };
  put("id_schemas", schema("0.9"));
  put("id_schemas", schema("9.0"));
  put("id_schemas", schema("10.0"));         // "9.0" > "10.0" as text, not as a number
  put("id_schemas", schema("11.5", false));  // not published
  put("id_schemas", schema("12.0"));
  service_.remove(*find_entity("id_schemas"), "12.0", "", "admin");
  Json latest =
      ok(Method::kGet,
         "/v1/syncdata/latestidschema?schemaVersion=0&domain=registration-client&type=schema");
  EXPECT_EQ(latest["idVersion"], 10.0);
  EXPECT_EQ(latest["title"], "v10.0");
  EXPECT_EQ(latest["schemaJson"], "{\"v\":\"10.0\"}");
  EXPECT_EQ(latest["createdBy"], "admin");
  EXPECT_EQ(ok(Method::kGet, "/v1/syncdata/latestidschema")["title"], "v10.0");
  EXPECT_EQ(ok(Method::kGet, "/v1/syncdata/latestidschema?schemaVersion=0.90")["title"], "v0.9");
  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/latestidschema?schemaVersion=11.5"),
            "KER-SNC-166");
  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/latestidschema?schemaVersion=abc"),
            "KER-SNC-999");
}

// Entity files (MOSIP's structured-url snapshots): the entity's rows in the machine's scopes,
// deleted ones included, encrypted to the machine's key, signed as MOSIP signs them (checked in
// Python).
TEST_P(SyncMosipRoutesTest, EntityFilesAreTheMachinesRowsSignedAndEncrypted) {
  put("languages", {{"code", "eng"}, {"name", "English"}});
  put("languages", {{"code", "fra"}, {"name", "French"}});
  service_.remove(*find_entity("languages"), "fra", "", "admin");
  auto file = [&](TestServer& server, const std::string& path) {
    http::ClientRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(server.port) + path;
    req.headers.set("Authorization", "Bearer client");
    return http::fetch(req);
  };
  auto machine = file(*main_, "/v1/syncdata/clientsettings/Machine?keyindex=" + key_index(0));
  auto centre = file(*main_, "/v1/syncdata/clientsettings/registrationcenter?keyindex=m-b");
  auto language = file(*plain_, "/v1/syncdata/clientsettings/Language?keyindex=" + key_index(1));
  for (auto* r : {&machine, &centre, &language}) {
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->headers.get("Content-Type"), "application/octet-stream");
  }
  EXPECT_EQ(machine.headers.get("Content-Disposition"), "attachment; filename=\"Machine.json\"");
  auto plain = python_decrypt({{&keys()[0].enc, machine.body}, {&keys()[1].enc, centre.body}});
  ASSERT_EQ(plain.size(), 2u);
  ASSERT_EQ(plain[0].size(), 1u);  // its own machine only
  EXPECT_EQ(plain[0][0]["id"], "20001");
  EXPECT_EQ(plain[0][0]["keyIndex"], key_index(0));
  ASSERT_EQ(plain[1].size(), 1u);  // its own centre only
  EXPECT_EQ(plain[1][0]["id"], "10002");
  Json languages = Json::parse(language.body);  // in clear from the second server
  ASSERT_EQ(languages.size(), 2u);
  EXPECT_EQ(languages[1]["code"], "fra");
  EXPECT_EQ(languages[1]["isDeleted"], true);

  // The signature covers the file in clear (MOSIP's {"hash": ...} of the decrypted file): the
  // two encrypted files as decrypted (nlohmann's dump is canonical: the server's own bytes).
  std::vector<std::string> checks;
  const std::string clear[] = {plain[0].dump(), plain[1].dump(), language.body};
  const http::Response* sent[] = {&machine, &centre, &language};
  for (int i = 0; i < 3; ++i)
    checks.push_back(Json{{"key", signing_.public_key("").to_pem()},
                          {"jws", *sent[i]->headers.get("file-signature")},
                          {"file_b64", core::base64_encode(clear[i])}}
                         .dump());
  checks.push_back(Json{{"key", signing_.public_key("").to_pem()},  // a changed file
                        {"jws", *language.headers.get("file-signature")},
                        {"file_b64", core::base64_encode(language.body + " ")}}
                       .dump());
  auto verdicts = testing::run_python(
      "mosip_file_signature", read_file(std::string(SYNC_TEST_DIR) + "/mosip_file_signature.py"),
      checks);
  EXPECT_EQ(verdicts, (std::vector<std::string>{"OK sync-files-1", "OK sync-files-1",
                                                "OK sync-files-1", "BAD signature"}));

  EXPECT_EQ(error_code(Method::kGet, "/v1/syncdata/clientsettings/Machine?keyindex=aa:bb"),
            "KER-SNC-155");
  for (const char* entity : {"Nothing", "DynamicField", "users"})
    EXPECT_EQ(error_code(Method::kGet, std::string("/v1/syncdata/clientsettings/") + entity +
                                           "?keyindex=" + key_index(0)),
              "KER-SNC-170")
        << entity;
}

// Large answers are gzipped for clients that accept it, and only for them.
TEST_P(SyncMosipRoutesTest, LargeAnswersAreGzippedWhenAccepted) {
  for (int i = 0; i < 40; ++i)
    put("users", {{"id", "user" + std::to_string(i)},
                  {"name", "User " + std::to_string(i)},
                  {"regCenterId", "10001"}});
  http::ClientRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port_) +
            "/v1/syncdata/userdetails?keyindex=" + key_index(0);
  req.headers.set("Authorization", "Bearer client");
  auto plain = http::fetch(req);
  EXPECT_EQ(plain.headers.get("Content-Encoding"), std::nullopt);
  req.headers.set("Accept-Encoding", "gzip, deflate");
  auto zipped = http::fetch(req);
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(zipped.headers.get("Content-Encoding"), "gzip");
  auto body = http::gunzip(zipped.body);
  ASSERT_TRUE(body);
  Json j = Json::parse(*body);
  auto users = python_decrypt({{&keys()[0].enc, j["response"]["userDetails"]}});
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].size(), 40u);
  EXPECT_LT(zipped.body.size(), plain.body.size());
}

TEST_P(SyncMosipRoutesTest, AuthenticationFailuresComeInTheKernelEnvelope) {
  auto none = call(Method::kGet, "/v1/syncdata/configs/" + key_index(0), "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(Json::parse(none.body)["errors"][0]["errorCode"], "KER-ATH-401");
  auto narrow = call(Method::kGet, "/v1/syncdata/userdetails?keyindex=" + key_index(0), "other");
  EXPECT_EQ(narrow.status, 403);
  EXPECT_EQ(Json::parse(narrow.body)["errors"][0]["errorCode"], "KER-ATH-403");
}

INSTANTIATE_TEST_SUITE_P(Backends, SyncMosipRoutesTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::sync
