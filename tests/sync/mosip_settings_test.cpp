// MOSIP clientsettings over real loopback HTTP (registrar's server, a real database of each
// backend, a ManualClock, real RSA keys): a hand-built estate of two centres, their machines,
// users, holidays in two locations, templates of two modules, a deleted and an updated row. The
// full and delta syncs of one machine are compared with the lists written out below; every
// "data" is decrypted by an independent implementation (Python's cryptography) with the
// machine's private key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/metrics.h"
#include "crypto/keys.h"
#include "http/client.h"
#include "http/compression.h"
#include "http/server.h"
#include "store/migrations.h"
#include "support/databases.h"
#include "support/loopback_server.h"
#include "support/python_runner.h"
#include "support/raw_client.h"
#include "support/temp_dir.h"
#include "sync/mosip_settings_api.h"

namespace registrar::sync {
namespace {

using http::Response;

using testing::read_file;

// entityName -> the row ids it carried (key fields joined with '|', then "@lang" when per
// language, then "!" when deleted), in the order sent.
using Ids = std::map<std::string, std::vector<std::string>>;

class MosipSettingsTest : public ::testing::TestWithParam<std::string> {
 protected:
  MosipSettingsTest() : tdb_(GetParam()), db_(tdb_.options(4)) {
    store::migrate(db_, {store::platform_schema(), {"sync", {rows_migration()}}}, clock_);
  }

  void SetUp() override {
    // "Bearer client" has the client scope, "Bearer other" another one.
    router_.add_authenticator(http::kBearerAuthenticator,
                              std::make_shared<registrar::testing::FixedTokenAuthenticator>(
                                  std::map<std::string, std::vector<std::string>>{
                                      {"client", {"sync:client"}}, {"other", {"sync:admin"}}}));
    add_client_settings_routes(router_, service_, config_);
    server_ = std::make_unique<registrar::testing::LoopbackServer>(router_);
    key_file_ = (std::filesystem::path(::testing::TempDir()) /
                 ("m1_" + std::to_string(::getpid()) + "_" + GetParam() + ".pem"))
                    .string();
    std::ofstream(key_file_) << m1_key_.to_pem();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove(key_file_);
  }

  void put(const std::string& entity, Json body) {
    service_.put(*find_entity(entity), body, "admin");
  }
  void remove(const std::string& entity, const std::string& id, const std::string& lang) {
    service_.remove(*find_entity(entity), id, lang, "admin");
  }

  // The estate, written on 2026-12-01 at 10:00 UTC.
  void build_estate() {
    clock_.set(*core::parse_rfc3339("2026-12-01T10:00:00Z"));
    put("languages", {{"code", "eng"}, {"name", "English"}});
    for (const char* loc : {"KTA", "RSK"})
      put("locations", {{"code", loc}, {"name", loc}, {"hierarchyLevel", 3}, {"langCode", "eng"}});
    put("registration_center_types", {{"code", "REG"}, {"name", "Regular"}, {"langCode", "eng"}});
    put("registration_centers", {{"id", "10001"},
                                 {"name", "Kenitra"},
                                 {"centerTypeCode", "REG"},
                                 {"holidayLocationCode", "KTA"},
                                 {"langCode", "eng"}});
    put("registration_centers", {{"id", "10002"},
                                 {"name", "Rabat"},
                                 {"centerTypeCode", "REG"},
                                 {"holidayLocationCode", "RSK"},
                                 {"langCode", "eng"}});
    put("machines", {{"id", "M1"},
                     {"name", "laptop-1"},
                     {"publicKey", m1_key_.public_key().to_pem()},
                     {"regCenterId", "10001"}});
    put("machines", {{"id", "M2"},
                     {"name", "laptop-2"},
                     {"publicKey", m2_key_.public_key().to_pem()},
                     {"regCenterId", "10002"}});
    put("machines",
        {{"id", "M3"}, {"name", "laptop-3"}, {"publicKey", m3_key_.public_key().to_pem()}});
    put("users", {{"id", "u1"}, {"name", "Officer One"}, {"regCenterId", "10001"}});
    put("users", {{"id", "u2"}, {"name", "Officer Two"}, {"regCenterId", "10002"}});
    put("registration_center_users", {{"regCenterId", "10001"}, {"userId", "u1"}});
    put("registration_center_users", {{"regCenterId", "10002"}, {"userId", "u2"}});
    holiday("1", "KTA", "2026-12-25");
    holiday("2", "RSK", "2026-12-26");
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
    put("document_types", {{"code", "DOC2"}, {"name", "Ration card"}, {"langCode", "eng"}});
    put("dynamic_fields", {{"id", "DF1"},
                           {"name", "gender"},
                           {"fieldVal", Json::array({{{"code", "MLE"}, {"value", "Male"}}})},
                           {"langCode", "eng"}});
    put("dynamic_fields", {{"id", "DF2"},
                           {"name", "residenceStatus"},
                           {"fieldVal", Json::array({{{"code", "NFR"}, {"value", "Foreigner"}}})},
                           {"langCode", "eng"}});
  }
  void holiday(const std::string& id, const std::string& location, const std::string& date) {
    put("holidays", {{"holidayId", id},
                     {"holidayDate", date},
                     {"holidayName", "holiday " + id},
                     {"locationCode", location},
                     {"langCode", "eng"}});
  }

  Response get(const std::string& path_and_query, const std::string& bearer = "client",
               const std::string& accept_encoding = "") {
    http::ClientRequest r;
    r.url = server_->url(path_and_query);
    if (!bearer.empty()) r.headers.set("Authorization", "Bearer " + bearer);
    if (!accept_encoding.empty()) r.headers.set("Accept-Encoding", accept_encoding);
    return http::fetch(r);
  }
  std::string m1_index() const { return key_index_of(m1_key_.public_key().to_pem(), "k"); }
  std::string settings(const std::string& version, const std::string& extra = "") {
    std::string path =
        version == "v2" ? "/v1/syncdata/v2/clientsettings" : "/v1/syncdata/clientsettings";
    return path + "?keyindex=" + m1_index() + extra;
  }

  // The envelope's "response", checking the envelope.
  static Json response_of(const Response& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    Json body = Json::parse(r.body);
    EXPECT_TRUE(body["errors"].is_null()) << r.body;
    return body["response"];
  }
  static std::string error_code(const Response& r) {
    Json body = Json::parse(r.body, nullptr, false);
    if (!body.is_object() || !body["errors"].is_array() || body["errors"].empty()) return "";
    EXPECT_TRUE(body["response"].is_null());
    return body["errors"][0]["errorCode"].get<std::string>();
  }

  // Every entry's data decrypted (by the Python implementation) with M1's private key:
  // (entityName, entityType, plaintext JSON array).
  std::vector<std::tuple<std::string, std::string, Json>> decrypt(const Json& response) {
    std::vector<std::string> lines;
    for (const auto& e : response["dataToSync"])
      lines.push_back(Json{{"key", read_file(key_file_)}, {"data", e["data"]}}.dump());
    auto plain = registrar::testing::run_python(
        "mosip_decrypt", read_file(std::string(SYNC_TEST_DIR) + "/mosip_decrypt.py"), lines);
    std::vector<std::tuple<std::string, std::string, Json>> out;
    EXPECT_EQ(plain.size(), lines.size());
    for (size_t i = 0; i < plain.size() && i < lines.size(); ++i) {
      Json list = Json::parse(plain[i], nullptr, false);
      EXPECT_TRUE(list.is_array()) << plain[i];
      const Json& e = response["dataToSync"][i];
      out.emplace_back(e["entityName"], e["entityType"], list);
    }
    return out;
  }
  // What each entity carried, as row ids.
  Ids ids(const Json& response) {
    Ids out;
    for (auto& [name, type, list] : decrypt(response)) {
      const Entity* e =
          type == "dynamic" ? find_entity("dynamic_fields") : find_entity_by_mosip_name(name);
      EXPECT_TRUE(e) << name;
      if (!e) continue;
      auto& v = out[name];
      for (const auto& dto : list) {
        std::string id = row_id(*e, dto);
        if (e->per_language) id += "@" + dto["langCode"].get<std::string>();
        if (dto["isDeleted"].get<bool>()) id += "!";
        v.push_back(id);
      }
    }
    return out;
  }
  static std::vector<std::string> names(const Json& response) {
    std::vector<std::string> out;
    for (const auto& e : response["dataToSync"])
      out.push_back(e["entityName"].get<std::string>() + "/" + e["entityType"].get<std::string>());
    return out;
  }

  registrar::testing::TestDatabase tdb_;
  core::ManualClock clock_{core::from_unix_seconds(1'800'000'000)};
  store::Database db_;
  SyncService service_{db_, clock_, SyncSettings{}};
  ClientSettingsConfig config_;
  http::Router router_;
  std::unique_ptr<registrar::testing::LoopbackServer> server_;
  crypto::PrivateKey m1_key_ = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
  crypto::PrivateKey m2_key_ = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
  crypto::PrivateKey m3_key_ = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
  std::string key_file_;
};

// The full sync of M1 (centre 10001, holidays of KTA) on the day after the estate was written.
const Ids kFullV1 = {
    {"RegistrationCenterType", {"REG@eng"}},
    {"RegistrationCenter", {"10001@eng"}},
    {"TemplateFileFormat", {"html@eng"}},
    {"TemplateType", {"ack@eng"}},
    {"Template", {"T-10002@eng"}},
    {"DocumentType", {"DOC1@eng", "DOC2@eng"}},
    {"Machine", {"M1"}},
    {"Location", {"KTA@eng", "RSK@eng"}},
    {"Language", {"eng"}},
    {"RegistrationCenterUser", {"10001|u1"}},
    {"Holiday", {"1@eng"}},
    {"gender", {"DF1@eng"}},
    {"residenceStatus", {"DF2@eng"}},
};

TEST_P(MosipSettingsTest, FullThenDeltaSyncOfOneCentre) {
  build_estate();
  clock_.set(*core::parse_rfc3339("2026-12-02T09:07:00Z"));
  // Rows created today are not in today's full sync (it ends at midnight); rows created before
  // and changed today come as they are now (MOSIP selects current rows by their times)...
  put("document_types", {{"code", "DOC1"}, {"name", "Passport (biometric)"}, {"langCode", "eng"}});
  remove("document_types", "DOC2", "eng");
  holiday("3", "KTA", "2027-01-01");
  holiday("4", "RSK", "2027-01-02");                                               // other centre's
  put("registration_center_users", {{"regCenterId", "10002"}, {"userId", "u1"}});  // other centre's

  Json full = response_of(get(settings("v1")));
  EXPECT_EQ(full["lastSyncTime"], "2026-12-02T00:00:00.000Z");
  EXPECT_EQ(names(full),
            (std::vector<std::string>{
                "RegistrationCenterType/structured", "RegistrationCenter/structured",
                "TemplateFileFormat/structured", "TemplateType/structured", "Template/structured",
                "DocumentType/structured", "Machine/structured", "Location/structured",
                "Language/structured", "RegistrationCenterUser/structured", "Holiday/structured",
                "gender/dynamic", "residenceStatus/dynamic"}));
  Ids expected = kFullV1;
  expected["DocumentType"] = {"DOC1@eng", "DOC2@eng!"};
  EXPECT_EQ(ids(full), expected);
  // The DTOs are the stored fields plus langCode, isActive, isDeleted.
  for (auto& [name, type, list] : decrypt(full)) {
    if (name == "Machine") {
      ASSERT_EQ(list.size(), 1u);
      EXPECT_EQ(list[0]["regCenterId"], "10001");
      EXPECT_EQ(list[0]["keyIndex"], m1_index());
      EXPECT_TRUE(list[0]["langCode"].is_null());
      EXPECT_EQ(list[0]["isActive"], true);
    }
    if (name == "DocumentType")
      EXPECT_EQ(list[0],
                Json::parse(R"J({"code":"DOC1","name":"Passport (biometric)","langCode":"eng",
                                         "isActive":true,"isDeleted":false})J"));
  }

  // ...and in the next delta, which ends at the last 15-minute boundary.
  clock_.set(*core::parse_rfc3339("2026-12-02T09:16:00Z"));
  holiday("5", "KTA", "2027-01-03");  // after 09:15: the delta after this one
  clock_.set(*core::parse_rfc3339("2026-12-02T09:20:00Z"));
  Json delta = response_of(get(settings("v1", "&lastUpdated=2026-12-02T00:00:00.000Z")));
  EXPECT_EQ(delta["lastSyncTime"], "2026-12-02T09:15:00.000Z");
  EXPECT_EQ(ids(delta), (Ids{{"DocumentType", {"DOC1@eng", "DOC2@eng!"}}, {"Holiday", {"3@eng"}}}));
  for (auto& [name, type, list] : decrypt(delta))
    if (name == "DocumentType")
      EXPECT_EQ(list, Json::parse(R"J([{"code":"DOC1","name":"Passport (biometric)",
                                       "langCode":"eng","isActive":true,"isDeleted":false
},
                                      {"code":"DOC2","name":"Ration card","langCode":"eng",
                                       "isActive":true,"isDeleted":true}])J"));

  clock_.set(*core::parse_rfc3339("2026-12-02T09:31:00Z"));
  Json next = response_of(get(settings("v1", "&lastUpdated=2026-12-02T09:15:00.000Z")));
  EXPECT_EQ(next["lastSyncTime"], "2026-12-02T09:30:00.000Z");
  EXPECT_EQ(ids(next), (Ids{{"Holiday", {"5@eng"}}}));

  // The ISO local form of lastUpdated is read too; a client ahead of the boundary gets nothing.
  Json iso = response_of(get(settings("v1", "&lastUpdated=2026-12-02T09:15:00")));
  EXPECT_EQ(ids(iso), (Ids{{"Holiday", {"5@eng"}}}));
  Json ahead = response_of(get(settings("v1", "&lastUpdated=2026-12-02T09:30:30.000Z")));
  EXPECT_EQ(ahead["dataToSync"], Json::array());
  EXPECT_EQ(ahead["lastSyncTime"], "2026-12-02T09:30:00.000Z");
}

TEST_P(MosipSettingsTest, V2SendsItsEntitySetAndFullSyncEntitiesForcesAFullList) {
  build_estate();
  clock_.set(*core::parse_rfc3339("2026-12-02T09:07:00Z"));
  holiday("3", "KTA", "2027-01-01");
  Json full = response_of(get(settings("v2", "&version=1.2.0.1")));
  EXPECT_EQ(names(full),
            (std::vector<std::string>{
                "RegistrationCenter/structured", "Template/structured", "DocumentType/structured",
                "Machine/structured", "Location/structured", "Language/structured",
                "Holiday/structured", "gender/dynamic", "residenceStatus/dynamic"}));
  EXPECT_EQ(ids(full), (Ids{{"RegistrationCenter", {"10001@eng"}},
                            {"Template", {"T-10002@eng"}},
                            {"DocumentType", {"DOC1@eng", "DOC2@eng"}},
                            {"Machine", {"M1"}},
                            {"Location", {"KTA@eng", "RSK@eng"}},
                            {"Language", {"eng"}},
                            {"Holiday", {"1@eng"}},
                            {"gender", {"DF1@eng"}},
                            {"residenceStatus", {"DF2@eng"}}}));

  clock_.set(*core::parse_rfc3339("2026-12-02T09:20:00Z"));
  Json plain = response_of(get(settings("v2", "&lastUpdated=2026-12-02T09:15:00.000Z")));
  EXPECT_EQ(plain["dataToSync"], Json::array());
  // Names are matched case-insensitively; unknown ones are ignored; v1 ignores the parameter.
  Json forced = response_of(get(settings(
      "v2", "&lastUpdated=2026-12-02T09:15:00.000Z&fullSyncEntities=Holiday,language,Nope")));
  EXPECT_EQ(ids(forced), (Ids{{"Language", {"eng"}}, {"Holiday", {"1@eng", "3@eng"}}}));
  Json v1 = response_of(
      get(settings("v1", "&lastUpdated=2026-12-02T09:15:00.000Z&fullSyncEntities=Holiday")));
  EXPECT_EQ(v1["dataToSync"], Json::array());
}

TEST_P(MosipSettingsTest, ErrorsAreMosipsWithHttp200) {
  build_estate();
  clock_.set(*core::parse_rfc3339("2026-12-02T09:07:00Z"));
  auto expect_error = [&](const std::string& path, const std::string& code) {
    Response r = get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(error_code(r), code) << path << ": " << r.body;
  };
  expect_error("/v1/syncdata/clientsettings", "KER-SNC-002");
  expect_error("/v1/syncdata/v2/clientsettings?keyindex=", "KER-SNC-002");
  expect_error(settings("v1", "&lastUpdated=yesterday"), "KER_SNC-100");
  expect_error(settings("v2", "&lastUpdated=2026-12-02%2009:00:00"), "KER_SNC-100");
  expect_error("/v1/syncdata/clientsettings?keyindex=ab:cd", "KER-SNC-155");
  expect_error(settings("v1", "&regcenterId=10002"), "KER-SNC-149");
  expect_error(settings("v2", "&regcenterId=10002"), "KER-SNC-149");
  expect_error(
      "/v1/syncdata/clientsettings?keyindex=" + key_index_of(m3_key_.public_key().to_pem(), "k"),
      "KER-SNC-141");
  // The right centre, and the key index in upper case, are fine.
  std::string upper = m1_index();
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  Json ok = response_of(get("/v1/syncdata/clientsettings?regcenterId=10001&keyindex=" + upper));
  EXPECT_EQ(ids(ok), kFullV1);

  // Authentication and unknown paths under /v1/syncdata speak MOSIP's envelope too.
  Response none = get(settings("v1"), "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(error_code(none), "KER-ATH-401");
  Response other = get(settings("v1"), "other");
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(error_code(other), "KER-ATH-403");
  Response missing = get("/v1/syncdata/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code(missing), "KER-HTTP-404");
}

TEST_P(MosipSettingsTest, LargeResponsesAreGzippedForClientsThatAskForIt) {
  build_estate();
  clock_.set(*core::parse_rfc3339("2026-12-02T09:07:00Z"));
  Response zipped = get(settings("v1"), "client", "gzip, deflate");
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(zipped.headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(zipped.headers.get("Vary"), "Accept-Encoding");
  auto body = http::gunzip(zipped.body);
  ASSERT_TRUE(body);
  Response unzipped = zipped;
  unzipped.body = *body;
  EXPECT_EQ(ids(response_of(unzipped)), kFullV1);

  Response plain = get(settings("v1"));
  EXPECT_FALSE(plain.headers.has("Content-Encoding"));
  EXPECT_EQ(ids(response_of(plain)), kFullV1);
}

// The chunks of a chunked body (after the header); `complete` when the last chunk was there.
std::pair<std::vector<std::string>, bool> dechunk(std::string_view raw) {
  std::vector<std::string> chunks;
  for (;;) {
    size_t eol = raw.find("\r\n");
    if (eol == std::string_view::npos) return {chunks, false};
    size_t n = std::stoul(std::string(raw.substr(0, eol)), nullptr, 16);
    if (n == 0) return {chunks, raw.substr(eol) == "\r\n\r\n"};
    if (raw.size() < eol + 2 + n + 2) return {chunks, false};
    chunks.emplace_back(raw.substr(eol + 2, n));
    raw.remove_prefix(eol + 2 + n + 2);
  }
}

// A large answer is streamed: chunked, each entity encrypted and sent as its own piece, gzip
// deflated piece by piece; it decrypts to what the answer sent whole carries.
TEST_P(MosipSettingsTest, ALargeAnswerIsStreamedEntityByEntityAndMatchesTheWholeOne) {
  build_estate();
  clock_.set(*core::parse_rfc3339("2026-12-02T09:07:00Z"));
  // This estate's answer is a few kB: a second server streams from 0 bytes.
  ClientSettingsConfig streaming = config_;
  streaming.stream_from_bytes = 0;
  http::Router router;
  router.add_authenticator(
      http::kBearerAuthenticator,
      std::make_shared<registrar::testing::FixedTokenAuthenticator>(
          std::map<std::string, std::vector<std::string>>{{"client", {"sync:client"}}}));
  add_client_settings_routes(router, service_, streaming);
  registrar::testing::LoopbackServer streamer(router);

  Response whole = get(settings("v1"));
  ASSERT_TRUE(whole.headers.has("Content-Length"));
  EXPECT_FALSE(whole.headers.has("Transfer-Encoding"));
  Json whole_response = response_of(whole);

  // Gzipped and chunked, through the project's client.
  http::ClientRequest r;
  r.url = streamer.url(settings("v1"));
  r.headers.set("Authorization", "Bearer client");
  r.headers.set("Accept-Encoding", "gzip");
  Response zipped = http::fetch(r);
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(zipped.headers.get("Transfer-Encoding"), "chunked");
  EXPECT_FALSE(zipped.headers.has("Content-Length"));
  EXPECT_EQ(zipped.headers.get("Content-Encoding"), "gzip");
  auto body = http::gunzip(zipped.body);
  ASSERT_TRUE(body);
  Response unzipped = zipped;
  unzipped.body = *body;
  Json streamed_response = response_of(unzipped);
  // The same JSON but for the ciphertexts (random keys and IVs): same envelope, same entries,
  // and every entry decrypts to the same list.
  EXPECT_EQ(streamed_response["lastSyncTime"], whole_response["lastSyncTime"]);
  EXPECT_EQ(names(streamed_response), names(whole_response));
  EXPECT_EQ(decrypt(streamed_response), decrypt(whole_response));
  EXPECT_EQ(ids(streamed_response), kFullV1);

  // On the wire, without gzip: the envelope's head, one chunk per entity, the tail.
  registrar::testing::RawClient raw(streamer.port());
  ASSERT_TRUE(raw.send("GET " + settings("v1") +
                       " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer client\r\n\r\n"));
  std::string bytes;
  for (int i = 0; i < 1000 && !bytes.ends_with("\r\n0\r\n\r\n"); ++i) {
    std::string more = raw.read_some(std::chrono::seconds(5));
    if (more.empty()) break;
    bytes += more;
  }
  auto [chunks, complete] = dechunk(bytes.substr(bytes.find("\r\n\r\n") + 4));
  ASSERT_TRUE(complete);
  ASSERT_EQ(chunks.size(), names(whole_response).size() + 2);
  EXPECT_TRUE(chunks.front().starts_with(R"({"id":null,"version":null,"responsetime":)"));
  for (size_t i = 1; i + 1 < chunks.size(); ++i)
    EXPECT_TRUE(chunks[i].starts_with(i == 1 ? R"({"entityName":)" : R"(,{"entityName":)"))
        << chunks[i].substr(0, 40);
  EXPECT_EQ(chunks.back(), "]}}");
}

INSTANTIATE_TEST_SUITE_P(Backends, MosipSettingsTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::sync
