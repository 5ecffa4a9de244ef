// MOSIP v2 URL entries, entity files and scripts over real HTTP on loopback, on each backend:
// clientsettings announces the configured entities as `structured-url` / `dynamic-url` entries
// and the scripts as `script` entries; a test client follows each URL as MOSIP's registration
// client does (replacing ${mosip.hostname}, adding keyindex); every encrypted part is decrypted
// and every file-signature checked by the independent Python implementations. Entity files are
// built once per (file, scopes, change) and shared by every machine that reads them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/base64.h"
#include "http/client.h"
#include "mosip/envelope.h"
#include "store/migrations.h"
#include "support/databases.h"
#include "support/loopback_server.h"
#include "support/python_runner.h"
#include "support/temp_dir.h"
#include "sync/mosip_routes.h"
#include "sync/mosip_settings_api.h"
#include "sync/service.h"
#include "test_signing.h"

namespace registrar::sync {
namespace {

constexpr const char* kScript = "return identity.age >= 18 ? \"ADULT\" : \"MINOR\";\n";

using testing::read_file;

const crypto::PrivateKey& machine_key(int i) {
  static const crypto::PrivateKey keys[] = {crypto::PrivateKey::generate(crypto::KeyType::kRsa),
                                            crypto::PrivateKey::generate(crypto::KeyType::kRsa)};
  return keys[i];
}

class MosipFilesTest : public ::testing::TestWithParam<std::string> {
 protected:
  MosipFilesTest() : tdb_(GetParam()), db_(tdb_.options(4)) {
    store::migrate(db_, {store::platform_schema(), {"sync", {rows_migration()}}}, clock_);
    scripts_dir_ = std::filesystem::path(::testing::TempDir()) /
                   ("scripts_" + std::to_string(::getpid()) + "_" + GetParam());
    std::filesystem::create_directories(scripts_dir_);
    std::ofstream(scripts_dir_ / "applicanttype.mvel") << kScript;
    std::ofstream(scripts_dir_ / "unlisted.mvel") << "secret";
  }
  ~MosipFilesTest() override { std::filesystem::remove_all(scripts_dir_); }

  // One server with clientsettings and the file routes (encrypted, `cache_`), another with the
  // file routes in clear sharing the same cache.
  void SetUp() override {
    config_.window.full_sync_to_now = true;
    config_.window.delta_interval_s = 1;
    config_.urls.entities = {"Template", "Location", "DynamicFieldDto"};
    config_.urls.on_delta = {"Location"};
    config_.urls.scripts = {"applicanttype.mvel"};
    config_.urls.base_url = "http://${mosip.hostname}/";
    auto add_auth = [](http::Router& r) {
      r.add_authenticator(
          http::kBearerAuthenticator,
          std::make_shared<registrar::testing::FixedTokenAuthenticator>(
              std::map<std::string, std::vector<std::string>>{{"client", {"sync:client"}}}));
    };
    add_auth(router_);
    add_client_settings_routes(router_, service_, config_);
    SnapshotOptions files{&signing_, "sync-files-1",       true,
                          cache_,    config_.urls.scripts, scripts_dir_.string()};
    add_mosip_routes(router_, service_, "sync:client", files);
    server_ = std::make_unique<registrar::testing::LoopbackServer>(router_);
    add_auth(plain_router_);
    files.encrypt = false;
    add_snapshot_route(plain_router_, service_, "sync:client", files);
    plain_server_ = std::make_unique<registrar::testing::LoopbackServer>(plain_router_);
    seed();
  }

  void put(const std::string& entity, Json body) {
    service_.put(*find_entity(entity), body, "admin");
  }
  // Centres 10001 (machine M1) and 10002 (machine M2), written on 2026-12-01.
  void seed() {
    clock_.set(*core::parse_rfc3339("2026-12-01T10:00:00Z"));
    put("languages", {{"code", "eng"}, {"name", "English"}});
    for (const char* loc : {"KTA", "RSK"})
      put("locations", {{"code", loc}, {"name", loc}, {"hierarchyLevel", 3}, {"langCode", "eng"}});
    put("registration_center_types", {{"code", "REG"}, {"name", "Regular"}, {"langCode", "eng"}});
    for (const char* id : {"10001", "10002"})
      put("registration_centers", {{"id", id},
                                   {"name", std::string("Centre ") + id},
                                   {"centerTypeCode", "REG"},
                                   {"holidayLocationCode", "KTA"},
                                   {"langCode", "eng"}});
    for (int i = 0; i < 2; ++i)
      put("machines", {{"id", "M" + std::to_string(i + 1)},
                       {"name", "laptop-" + std::to_string(i + 1)},
                       {"publicKey", machine_key(i).public_key().to_pem()},
                       {"regCenterId", i == 0 ? "10001" : "10002"}});
    put("template_file_formats", {{"code", "html"}, {"name", "HTML"}, {"langCode", "eng"}});
    put("template_types", {{"code", "ack"}, {"name", "Acknowledgement"}, {"langCode", "eng"}});
    for (const char* module : {"10002", "10003"})
      put("templates", {{"id", std::string("T-") + module},
                        {"name", "ack"},
                        {"fileFormatCode", "html"},
                        {"moduleId", module},
                        {"templateTypeCode", "ack"},
                        {"langCode", "eng"}});
    put("document_types", {{"code", "DOC1"}, {"name", "Passport"}, {"langCode", "eng"}});
    for (const char* lang : {"eng", "fra"})
      put("dynamic_fields", {{"id", std::string("DF1-") + lang},
                             {"name", "gender"},
                             {"fieldVal", Json::array({{{"code", "MLE"}, {"value", "Male"}}})},
                             {"langCode", lang}});
    put("dynamic_fields", {{"id", "DF2"},
                           {"name", "residenceStatus"},
                           {"fieldVal", Json::array({{{"code", "NFR"}, {"value", "Foreigner"}}})},
                           {"langCode", "eng"}});
  }

  std::string key_index(int machine) const {
    return key_index_of(machine_key(machine).public_key().to_pem(), "k");
  }
  http::Response get(const std::string& url) {
    http::ClientRequest r;
    r.url = url;
    r.headers.set("Authorization", "Bearer client");
    return http::fetch(r);
  }
  Json settings(const std::string& path_and_query) {
    auto r = get(server_->url(path_and_query));
    EXPECT_EQ(r.status, 200) << r.body;
    Json body = Json::parse(r.body);
    EXPECT_TRUE(body["errors"].is_null()) << r.body;
    return body["response"];
  }
  // What MOSIP's client does with an entry's url: the placeholder replaced by the host it syncs
  // with, its keyindex added.
  std::string follow(const std::string& url, int machine) {
    std::string out = url;
    const std::string placeholder = "${mosip.hostname}";
    auto at = out.find(placeholder);
    EXPECT_NE(at, std::string::npos) << url;
    if (at != std::string::npos)
      out.replace(at, placeholder.size(), "127.0.0.1:" + std::to_string(server_->port()));
    return out + "?keyindex=" + key_index(machine);
  }
  // Each data decrypted by mosip_decrypt.py with the machine's key: the plaintext, as sent.
  std::vector<std::string> decrypt(int machine, const std::vector<std::string>& data) {
    std::vector<std::string> lines;
    for (const auto& d : data)
      lines.push_back(Json{{"key", machine_key(machine).to_pem()}, {"data", d}}.dump());
    auto out = registrar::testing::run_python(
        "mosip_decrypt", read_file(std::string(SYNC_TEST_DIR) + "/mosip_decrypt.py"), lines);
    EXPECT_EQ(out.size(), data.size());
    for (const auto& line : out) EXPECT_NE(line.rfind("ERROR", 0), 0u) << line;
    return out;
  }
  // mosip_file_signature.py's verdict on each (signature, file in clear).
  std::vector<std::string> check_signatures(
      const std::vector<std::pair<std::string, std::string>>& cases) {
    std::vector<std::string> lines;
    for (const auto& [jws, clear] : cases)
      lines.push_back(Json{{"key", signing_.public_key("").to_pem()},
                           {"jws", jws},
                           {"file_b64", core::base64_encode(clear)}}
                          .dump());
    return registrar::testing::run_python(
        "mosip_file_signature", read_file(std::string(SYNC_TEST_DIR) + "/mosip_file_signature.py"),
        lines);
  }
  static std::vector<std::string> names(const Json& response) {
    std::vector<std::string> out;
    for (const auto& e : response["dataToSync"])
      out.push_back(e["entityName"].get<std::string>() + "/" + e["entityType"].get<std::string>());
    return out;
  }
  // entityName -> decrypted data, for machine 0.
  std::map<std::string, std::string> entries(const Json& response) {
    std::vector<std::string> data;
    for (const auto& e : response["dataToSync"]) data.push_back(e["data"]);
    auto clear = decrypt(0, data);
    std::map<std::string, std::string> out;
    for (size_t i = 0; i < clear.size(); ++i)
      out[response["dataToSync"][i]["entityName"]] = clear[i];
    return out;
  }
  static std::vector<std::string> ids(const std::string& json_array, const char* field) {
    std::vector<std::string> out;
    for (const auto& row : Json::parse(json_array)) out.push_back(row[field].get<std::string>());
    return out;
  }

  registrar::testing::TestDatabase tdb_;
  core::ManualClock clock_{core::from_unix_seconds(1'800'000'000)};
  store::Database db_;
  SyncService service_{db_, clock_, SyncSettings{}};
  TestSigning signing_;
  std::shared_ptr<EntityFileCache> cache_ = std::make_shared<EntityFileCache>(1 << 20);
  ClientSettingsConfig config_;
  std::filesystem::path scripts_dir_;
  http::Router router_, plain_router_;
  std::unique_ptr<registrar::testing::LoopbackServer> server_, plain_server_;
};

// A full v2 sync: URL entries in the configured entities' places, the script last; each URL,
// followed as the client does, gives the entity's file for this machine, signed as MOSIP signs.
TEST_P(MosipFilesTest, FullSyncSendsUrlEntriesWhoseFilesDecryptAndVerify) {
  clock_.set(*core::parse_rfc3339("2026-12-02T09:00:00Z"));
  Json full = settings("/v1/syncdata/v2/clientsettings?keyindex=" + key_index(0));
  EXPECT_EQ(names(full),
            (std::vector<std::string>{"RegistrationCenter/structured", "Template/structured-url",
                                      "DocumentType/structured", "Machine/structured",
                                      "Location/structured-url", "Language/structured",
                                      "DynamicFieldDto/dynamic-url", "applicanttype.mvel/script"}));
  auto clear = entries(full);
  // The detail MOSIP's client reads, with MOSIP's value types (strings).
  EXPECT_EQ(Json::parse(clear["Template"]),
            Json::parse(R"({"url": "http://${mosip.hostname}/v1/syncdata/clientsettings/Template",
                            "auth-required": "true", "auth-token": "Authorization:OAUTH",
                            "encrypted": "true", "headers": ""})"));
  Json script_detail = Json::parse(clear["applicanttype.mvel"]);
  EXPECT_EQ(script_detail["url"],
            "http://${mosip.hostname}/v1/syncdata/scripts/applicanttype.mvel");
  EXPECT_EQ(script_detail["encrypted"], "false");

  std::vector<std::string> sealed;
  std::vector<std::string> signatures;
  for (const char* name : {"Template", "Location", "DynamicFieldDto"}) {
    auto r = get(follow(Json::parse(clear[name])["url"], 0));
    ASSERT_EQ(r.status, 200) << name << ": " << r.body;
    EXPECT_TRUE(r.headers.get("Content-Length")) << name;  // MOSIP's client reads it
    sealed.push_back(r.body);
    signatures.emplace_back(r.headers.get("file-signature").value_or(""));
  }
  auto files = decrypt(0, sealed);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(ids(files[0], "id"), (std::vector<std::string>{"T-10002"}));  // module 10002 only
  EXPECT_EQ(ids(files[1], "code"), (std::vector<std::string>{"KTA", "RSK"}));
  // Every dynamic field, grouped per name; each entry's data the field's DTOs as JSON text.
  Json dynamic = Json::parse(files[2]);
  ASSERT_EQ(dynamic.size(), 2u);
  EXPECT_EQ(dynamic[0]["entityName"], "gender");
  EXPECT_EQ(dynamic[0]["entityType"], "dynamic");
  EXPECT_EQ(ids(dynamic[0]["data"], "id"), (std::vector<std::string>{"DF1-eng", "DF1-fra"}));
  EXPECT_EQ(dynamic[1]["entityName"], "residenceStatus");

  auto script = get(follow(script_detail["url"], 0));
  ASSERT_EQ(script.status, 200) << script.body;
  EXPECT_EQ(script.body, kScript);
  EXPECT_EQ(script.headers.get("Content-Type"), "text/plain; charset=utf-8");

  EXPECT_EQ(check_signatures({{signatures[0], files[0]},
                              {signatures[1], files[1]},
                              {signatures[2], files[2]},
                              {std::string(*script.headers.get("file-signature")), kScript},
                              {signatures[0], files[1]}}),
            (std::vector<std::string>{"OK sync-files-1", "OK sync-files-1", "OK sync-files-1",
                                      "OK sync-files-1", "BAD signature"}));
}

// A delta sends the rows of entities configured for full syncs only, and URL entries for those
// configured for deltas too; v1 never sends URL entries.
TEST_P(MosipFilesTest, DeltaSendsRowsUnlessTheEntityIsAUrlOnDeltaToo) {
  clock_.set(*core::parse_rfc3339("2026-12-02T09:00:00Z"));
  put("templates", {{"id", "T-10002"},
                    {"name", "ack v2"},
                    {"fileFormatCode", "html"},
                    {"moduleId", "10002"},
                    {"templateTypeCode", "ack"},
                    {"langCode", "eng"}});
  clock_.set(*core::parse_rfc3339("2026-12-02T09:01:00Z"));
  Json delta = settings("/v1/syncdata/v2/clientsettings?keyindex=" + key_index(0) +
                        "&lastUpdated=2026-12-02T08:00:00.000Z");
  EXPECT_EQ(names(delta),
            (std::vector<std::string>{"Template/structured", "Location/structured-url",
                                      "applicanttype.mvel/script"}));
  auto clear = entries(delta);
  ASSERT_EQ(Json::parse(clear["Template"]).size(), 1u);
  EXPECT_EQ(Json::parse(clear["Template"])[0]["name"], "ack v2");

  Json v1 = settings("/v1/syncdata/clientsettings?keyindex=" + key_index(0));
  const std::vector<std::string> v1_names = names(v1);
  for (const auto& name : v1_names) {
    EXPECT_EQ(name.find("-url"), std::string::npos) << name;
    EXPECT_EQ(name.find("/script"), std::string::npos) << name;
  }
  EXPECT_NE(std::find(v1_names.begin(), v1_names.end(), "Template/structured"), v1_names.end());
}

// Two machines that read the same scopes get the same file, built once; a change to the master
// data builds it again. Encryption is per request, from the same build.
TEST_P(MosipFilesTest, EntityFilesAreBuiltOnceUntilTheDataChanges) {
  auto plain = [&](const std::string& file, int machine) {
    return get(plain_server_->url("/v1/syncdata/clientsettings/" + file +
                                  "?keyindex=" + key_index(machine)));
  };
  auto first = plain("Language", 0);
  auto second = plain("Language", 1);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.body, second.body);
  EXPECT_EQ(first.headers.get("file-signature"), second.headers.get("file-signature"));
  EXPECT_EQ(cache_->builds(), 1u);

  // The encrypted server shares the cache: no new build, the same file once decrypted.
  auto sealed = get(server_->url("/v1/syncdata/clientsettings/Language?keyindex=" + key_index(1)));
  ASSERT_EQ(sealed.status, 200) << sealed.body;
  EXPECT_NE(sealed.body, first.body);
  EXPECT_EQ(decrypt(1, {sealed.body}), (std::vector<std::string>{first.body}));
  EXPECT_EQ(cache_->builds(), 1u);

  // Each machine has its own Machine file.
  EXPECT_EQ(ids(plain("Machine", 0).body, "id"), (std::vector<std::string>{"M1"}));
  EXPECT_EQ(ids(plain("Machine", 1).body, "id"), (std::vector<std::string>{"M2"}));
  EXPECT_EQ(cache_->builds(), 3u);

  put("languages", {{"code", "fra"}, {"name", "French"}});
  auto changed = plain("Language", 0);
  EXPECT_EQ(ids(changed.body, "code"), (std::vector<std::string>{"eng", "fra"}));
  EXPECT_NE(changed.headers.get("file-signature"), first.headers.get("file-signature"));
  EXPECT_EQ(cache_->builds(), 4u);
  EXPECT_EQ(plain("Language", 1).body, changed.body);
  EXPECT_EQ(cache_->builds(), 4u);
}

TEST_P(MosipFilesTest, ScriptsAreOnlyTheListedOnes) {
  auto code = [&](const std::string& path) {
    auto r = get(server_->url(path));
    EXPECT_EQ(r.status, 200) << r.body;
    Json body = Json::parse(r.body, nullptr, false);
    if (!body.is_object() || !body["errors"].is_array() || body["errors"].empty())
      return std::string();
    return body["errors"][0]["errorCode"].get<std::string>();
  };
  const std::string key = "?keyindex=" + key_index(0);
  EXPECT_EQ(code("/v1/syncdata/scripts/unlisted.mvel" + key), "KER-SNC-170");
  // A path out of the directory does not even reach the route.
  auto escape = get(server_->url("/v1/syncdata/scripts/..%2Fscripts%2Funlisted.mvel" + key));
  EXPECT_EQ(escape.status, 404);
  EXPECT_EQ(escape.body.find("secret"), std::string::npos);
  EXPECT_EQ(code("/v1/syncdata/scripts/applicanttype.mvel"), "KER-SNC-002");
  EXPECT_EQ(code("/v1/syncdata/scripts/applicanttype.mvel?keyindex=aa:bb"), "KER-SNC-155");
  std::filesystem::remove(scripts_dir_ / "applicanttype.mvel");
  EXPECT_EQ(code("/v1/syncdata/scripts/applicanttype.mvel" + key), "KER-SNC-170");
}

INSTANTIATE_TEST_SUITE_P(Backends, MosipFilesTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::sync
