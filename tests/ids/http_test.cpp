// The ids routes on the real binary, on each backend: MOSIP envelopes and error codes, the clean
// API, two processes issuing concurrently, and a kill -9 during issuance under load.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "ids/store.h"
#include "ids/validators.h"
#include "store/audit.h"
#include "store/database.h"
#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar::ids {
namespace {

using Json = nlohmann::json;
using testing::RegistrarProcess;

class IdsHttpTest : public ::testing::TestWithParam<std::string> {
 protected:
  IdsHttpTest() : db_(GetParam()) {
    env_["REGISTRAR_IDENTITY_MASTER_KEY_FILE"] = keys_.file("master.key");
    env_["REGISTRAR_IDENTITY_PASSWORD_HASH_COST"] = "minimal";
  }
  std::unique_ptr<RegistrarProcess> start() {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    o.env = env_;
    auto p = std::make_unique<RegistrarProcess>(o);
    if (token_.empty()) {
      auto env = env_;
      env["REGISTRAR_DATABASE_URL"] = db_.url();
      token_ = testing::issue_token(env, "t",
                                    "--scope ids:issue --scope ids:validate --scope ids:admin");
    }
    return p;
  }
  http::Headers auth() const {
    http::Headers h;
    h.set("Authorization", "Bearer " + token_);
    return h;
  }
  Json get_json(const RegistrarProcess& p, const std::string& path, int status = 200) {
    auto r = p.get(path, auth());
    EXPECT_EQ(r.status, status) << path << ": " << r.body;
    return r.body.empty() ? Json() : Json::parse(r.body);
  }
  Json send(const RegistrarProcess& p, http::Method m, const std::string& path, const Json& body,
            int status = 200) {
    auto h = auth();
    h.set("Content-Type", "application/json");
    auto r = p.request(m, path, body.dump(), h);
    EXPECT_EQ(r.status, status) << path << ": " << r.body;
    return r.body.empty() ? Json() : Json::parse(r.body);
  }
  std::unique_ptr<store::Database> database() {
    store::DatabaseOptions o;
    o.url = db_.url();
    o.pool_size = 2;
    return std::make_unique<store::Database>(o);
  }
  static std::string mosip_error(const Json& envelope) {
    if (!envelope["errors"].is_array() || envelope["errors"].empty()) return "";
    return envelope["errors"][0]["errorCode"];
  }

  testing::TestDatabase db_;
  testing::TempDir keys_;
  std::map<std::string, std::string> env_;
  std::string token_;
  const IdValidator uin_{default_policy(IdType::kUin)};
};

// MOSIP routes answer authentication failures as MOSIP's auth adapter does: the kernel envelope
// with KER-ATH-401 / KER-ATH-403 and the HTTP status; the clean API keeps problem+json.
TEST_P(IdsHttpTest, MosipRoutesAnswerAuthFailuresInTheKernelEnvelope) {
  auto p = start();
  auto env = env_;
  env["REGISTRAR_DATABASE_URL"] = db_.url();
  std::string narrow = testing::issue_token(env, "t", "--scope ids:validate");
  http::Headers under_scoped;
  under_scoped.set("Authorization", "Bearer " + narrow);
  http::Headers forged;
  forged.set("Authorization", "Bearer " + token_.substr(0, token_.size() - 4) + "AAAA");

  for (const char* path : {"/v1/idgenerator/uin", "/v1/pridgenerator/prid",
                           "/v1/ridgenerator/generate/rid/10001/10002"}) {
    SCOPED_TRACE(path);
    for (const http::Headers& headers : {http::Headers(), forged}) {  // no token, a forged one
      auto r = p->get(path, headers);
      EXPECT_EQ(r.status, 401);
      EXPECT_NE(r.headers.get("WWW-Authenticate"), std::nullopt);
      Json e = Json::parse(r.body);
      EXPECT_EQ(mosip_error(e), "KER-ATH-401");
      EXPECT_EQ(e["errors"][0]["message"], "Authentication Failed");
      EXPECT_TRUE(e["response"].is_null());
      EXPECT_TRUE(std::regex_match(e["responsetime"].get<std::string>(),
                                   std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    }
    auto r = p->get(path, under_scoped);
    EXPECT_EQ(r.status, 403);
    Json e = Json::parse(r.body);
    EXPECT_EQ(mosip_error(e), "KER-ATH-403");
    EXPECT_EQ(e["errors"][0]["message"], "Forbidden");
  }
  // The clean API's own shape for the same failure.
  auto clean = p->request(http::Method::kPost, "/v1/ids/uin/issue", "{}", under_scoped);
  EXPECT_EQ(clean.status, 403);
  EXPECT_EQ(clean.headers.get("Content-Type"), "application/problem+json");

  // Errors the platform raises before any handler under MOSIP's paths come in the envelope too,
  // with their HTTP status and KER-HTTP-<status> (MOSIP has no code for them).
  http::Headers good;
  good.set("Authorization", "Bearer " + token_);
  auto unknown = p->get("/v1/idgenerator/nothing", good);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(mosip_error(Json::parse(unknown.body)), "KER-HTTP-404");
  auto wrong_method = p->request(http::Method::kDelete, "/v1/idgenerator/uin", "", good);
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(mosip_error(Json::parse(wrong_method.body)), "KER-HTTP-405");
  EXPECT_NE(wrong_method.headers.get("Allow"), std::nullopt);
  auto too_big =
      p->request(http::Method::kPut, "/v1/idgenerator/uin", std::string(17 * 1024, ' '), good);
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(mosip_error(Json::parse(too_big.body)), "KER-HTTP-413");
}

TEST_P(IdsHttpTest, MosipUinIssueAndAcknowledge) {
  auto p = start();
  EXPECT_EQ(p->get("/v1/idgenerator/uin").status, 401);
  Json e = get_json(*p, "/v1/idgenerator/uin");
  EXPECT_TRUE(e["errors"].is_null());
  EXPECT_TRUE(e["id"].is_null());
  EXPECT_TRUE(std::regex_match(e["responsetime"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  std::string uin = e["response"]["uin"];
  EXPECT_TRUE(uin_.valid(uin)) << uin;

  auto put = [&](const std::string& id, const std::string& status) {
    return send(*p, http::Method::kPut, "/v1/idgenerator/uin",
                {{"id", "mosip.kernel.uinservice"},
                 {"version", "1.0"},
                 {"requesttime", "2024-05-01T10:15:30.123Z"},
                 {"metadata", Json::object()},
                 {"request", {{"uin", id}, {"status", status}}}});
  };
  EXPECT_EQ(mosip_error(put(uin, "USED")), "KER-UIG-003");
  Json ok = put(uin, "ASSIGNED");
  EXPECT_EQ(ok["response"]["status"], "ASSIGNED");
  EXPECT_EQ(ok["id"], "mosip.kernel.uinservice");
  Json again = put(uin, "UNASSIGNED");
  EXPECT_EQ(mosip_error(again), "KER-UIG-004");
  EXPECT_EQ(again["errors"][0]["message"], "Given UIN is not in ISSUED status");
  EXPECT_TRUE(again["response"].is_null());
  EXPECT_EQ(mosip_error(put("2345678901", "ASSIGNED")), "KER-UIG-001");

  auto h = auth();
  h.set("Content-Type", "application/json");
  auto bad = p->request(http::Method::kPut, "/v1/idgenerator/uin", "{not json", h);
  EXPECT_EQ(bad.status, 200);
  EXPECT_EQ(mosip_error(Json::parse(bad.body)), "KER-UIG-005");

  auto audit = database()->read([&](soci::session& s) { return store::read_audit(s, uin, 10); });
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "ids.uin.status");
  EXPECT_EQ(audit[0].actor, "t");
}

TEST_P(IdsHttpTest, MosipVidPridRidAndTokenRoutes) {
  auto p = start();
  Json v = get_json(*p, "/v1/idgenerator/vid?videxpiry=2099-01-01T00:00:00.000Z");
  std::string vid = v["response"]["vid"];
  EXPECT_TRUE(IdValidator(default_policy(IdType::kVid)).valid(vid)) << vid;
  EXPECT_EQ(mosip_error(get_json(*p, "/v1/idgenerator/vid?videxpiry=")), "KER-VID-002");
  EXPECT_EQ(mosip_error(get_json(*p, "/v1/idgenerator/vid?videxpiry=2000-01-01T00:00:00.000Z")),
            "KER-VID-003");
  EXPECT_EQ(mosip_error(get_json(*p, "/v1/idgenerator/vid?videxpiry=2099-01-01")), "KER-VID-004");

  Json pr = get_json(*p, "/v1/pridgenerator/prid");
  EXPECT_TRUE(
      IdValidator(default_policy(IdType::kPrid)).valid(pr["response"]["prid"].get<std::string>()));

  Json rid = get_json(*p, "/v1/ridgenerator/generate/rid/12345/67890");
  std::string r = rid["response"]["rid"];
  EXPECT_TRUE(validate_rid(r, {}, "12345", "67890").ok()) << r;
  EXPECT_EQ(r.substr(10, 5), "00001");
  EXPECT_EQ(get_json(*p, "/v1/ridgenerator/generate/rid/12345/67890")["response"]["rid"]
                .get<std::string>()
                .substr(10, 5),
            "00002");
  EXPECT_EQ(mosip_error(get_json(*p, "/v1/ridgenerator/generate/rid/123/67890")), "KER-RIG-003");
  // Token IDs need salts, which this instance does not have.
  EXPECT_EQ(mosip_error(get_json(*p, "/v1/keymanager/tokenid/5734728510/792112")), "KER-UIG-005");
}

// keymanager's licence routes as its clients call them (spec §4.4): generate, map permissions,
// fetch them; the errors in MOSIP's order with its texts, validation errors collected, and the
// request's id and version in every answer to a body.
TEST_P(IdsHttpTest, MosipLicencePermissions) {
  auto p = start();
  auto post = [&](const std::string& path, const Json& request) {
    return send(*p, http::Method::kPost, path,
                {{"id", "mosip.kernel.licensekey"},
                 {"version", "1.0"},
                 {"requesttime", "2026-12-03T06:12:52.994Z"},
                 {"metadata", Json::object()},
                 {"request", request}});
  };
  auto generate = [&](const std::string& tsp) {
    Json g = post("/v1/keymanager/license/generate",
                  {{"tspId", tsp}, {"licenseExpiryTime", "2099-12-10T06:12:52.994Z"}});
    EXPECT_TRUE(g["errors"].is_null()) << g.dump();
    return g["response"]["licenseKey"].get<std::string>();
  };
  const std::string key = generate("TSP1"), other = generate("TSP2");
  auto errors = [](const Json& e) {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& x : e["errors"]) out.emplace_back(x["errorCode"], x["message"]);
    return out;
  };
  using Errors = std::vector<std::pair<std::string, std::string>>;

  Json mapped =
      post("/v1/keymanager/license/permission",
           {{"tspId", "TSP1"},
            {"licenseKey", key},
            {"permissions", {"OTP Trigger", "Demo Authentication - Identity Data Match"}}});
  EXPECT_TRUE(mapped["errors"].is_null()) << mapped.dump();
  EXPECT_EQ(mapped["response"], Json({{"status", "Mapped License with the permissions"}}));
  EXPECT_EQ(mapped["id"], "mosip.kernel.licensekey");
  EXPECT_EQ(mapped["version"], "1.0");
  // A second mapping adds to the first.
  post("/v1/keymanager/license/permission",
       {{"tspId", "TSP1"}, {"licenseKey", key}, {"permissions", {"eKYC - Full", "OTP Trigger"}}});
  const std::string fetch = "/v1/keymanager/license/permission?tspId=TSP1&licenseKey=" + key;
  Json fetched = get_json(*p, fetch);
  EXPECT_TRUE(fetched["errors"].is_null()) << fetched.dump();
  EXPECT_EQ(fetched["response"]["permissions"],
            Json({"OTP Trigger", "Demo Authentication - Identity Data Match", "eKYC - Full"}));

  // 001, 006 and 007 together, with the request's id and version.
  Json invalid = post("/v1/keymanager/license/permission",
                      {{"tspId", " "}, {"licenseKey", ""}, {"permissions", {"OTP Trigger", ""}}});
  EXPECT_EQ(errors(invalid), (Errors{{"KER-LKM-001", "TSP entered is null or empty."},
                                     {"KER-LKM-006", "License Key entered is null or empty."},
                                     {"KER-LKM-007", "Permission entered is an empty string."}}));
  EXPECT_EQ(invalid["id"], "mosip.kernel.licensekey");
  EXPECT_EQ(invalid["version"], "1.0");
  EXPECT_TRUE(invalid["response"].is_null());
  // Another TSP's key is not found (004) before the permission is judged (003).
  EXPECT_EQ(errors(post("/v1/keymanager/license/permission",
                        {{"tspId", "TSP2"}, {"licenseKey", key}, {"permissions", {"Nope"}}})),
            (Errors{{"KER-LKM-004", "LicenseKey Not Found."}}));
  Json refused = post("/v1/keymanager/license/permission",
                      {{"tspId", "TSP1"}, {"licenseKey", key}, {"permissions", {"Nope"}}});
  EXPECT_EQ(errors(refused),
            (Errors{{"KER-LKM-003", "Permission value entered is not accepted."}}));
  EXPECT_EQ(refused["version"], "1.0");
  EXPECT_EQ(mosip_error(post("/v1/keymanager/license/permission",
                             {{"tspId", "TSP1"}, {"licenseKey", key}, {"permissions", 7}})),
            "KER-LKM-999");

  // Fetch: 001 and 006 together; 004 for another TSP; 009 when nothing is mapped.
  EXPECT_EQ(errors(get_json(*p, "/v1/keymanager/license/permission?tspId=&licenseKey=")),
            (Errors{{"KER-LKM-001", "TSP entered is null or empty."},
                    {"KER-LKM-006", "License Key entered is null or empty."}}));
  EXPECT_EQ(
      mosip_error(get_json(*p, "/v1/keymanager/license/permission?tspId=TSP2&licenseKey=" + key)),
      "KER-LKM-004");
  EXPECT_EQ(
      errors(get_json(*p, "/v1/keymanager/license/permission?tspId=TSP2&licenseKey=" + other)),
      (Errors{
          {"KER-LKM-009", "No Permissions has been mapped to the entered TSP-LicenseKey Pair."}}));

  // Our statuses on the same route: suspended (REG-IDV-602), then past its expiry (005).
  send(*p, http::Method::kPost, "/v1/ids/licences/" + key + "/suspend", Json::object());
  EXPECT_EQ(mosip_error(get_json(*p, fetch)), "REG-IDV-602");
  send(*p, http::Method::kPost, "/v1/ids/licences/" + key + "/reactivate", Json::object());
  database()->write([&](soci::session& s) {
    s << "UPDATE ids_licences SET expires_us = 1000000 WHERE licence_key = :k", soci::use(key);
  });
  EXPECT_EQ(errors(get_json(*p, fetch)), (Errors{{"KER-LKM-005", "LicenseKey Expired."}}));

  // The stored rows, on this backend.
  auto rows = database()->read([&](soci::session& s) { return licence_permissions(s, key); });
  EXPECT_EQ(rows.size(), 3u);
}

// licenseExpiryTime as MOSIP's parser reads it: its pattern, no fraction, 1 to 9 fractional
// digits, an offset; what it cannot read is KER-LKM-999 and only a past time KER-LKM-008. Every
// error copies the request's id and version.
TEST_P(IdsHttpTest, MosipLicenceExpiryAndErrorEnvelopes) {
  auto p = start();
  auto generate = [&](const Json& request) {
    return send(*p, http::Method::kPost, "/v1/keymanager/license/generate",
                {{"id", "lk.generate"},
                 {"version", "v2"},
                 {"requesttime", "2026-12-03T06:12:52.994Z"},
                 {"metadata", Json::object()},
                 {"request", request}});
  };
  const std::pair<const char*, const char*> accepted[] = {
      {"2030-12-10T06:12:52.994Z", "2030-12-10T06:12:52.994Z"},
      {"2030-12-10T06:12:52Z", "2030-12-10T06:12:52.000Z"},
      {"2030-12-10T06:12:52.9Z", "2030-12-10T06:12:52.900Z"},
      {"2030-12-10T06:12:52.123456789Z", "2030-12-10T06:12:52.123Z"},
      {"2030-12-10T06:12:52+05:30", "2030-12-10T00:42:52.000Z"},
  };
  for (const auto& [text, stored] : accepted) {
    Json g = generate({{"tspId", "TSP1"}, {"licenseExpiryTime", text}});
    ASSERT_TRUE(g["errors"].is_null()) << text << ": " << g.dump();
    EXPECT_EQ(g["id"], "lk.generate");
    Json l = get_json(*p, "/v1/ids/licences/" + g["response"]["licenseKey"].get<std::string>());
    EXPECT_EQ(l["expires_at"], stored) << text;
  }
  auto expect_error = [&](const Json& request, const std::string& code,
                          const std::string& message = "") {
    Json e = generate(request);
    EXPECT_EQ(mosip_error(e), code) << request.dump() << ": " << e.dump();
    if (!message.empty()) EXPECT_EQ(e["errors"][0]["message"], message);
    EXPECT_EQ(e["id"], "lk.generate");
    EXPECT_EQ(e["version"], "v2");
    EXPECT_TRUE(e["response"].is_null());
  };
  for (const char* unreadable : {"2030-12-10", "2030-02-30T00:00:00Z", "2030-12-10T06:12:52.Z",
                                 "2030-12-10T06:12:52.1234567890Z", "soon"})
    expect_error({{"tspId", "TSP1"}, {"licenseExpiryTime", unreadable}}, "KER-LKM-999");
  expect_error({{"tspId", "TSP1"}, {"licenseExpiryTime", 20301210}}, "KER-LKM-999");
  expect_error({{"tspId", "TSP1"}, {"licenseExpiryTime", "2000-01-01T00:00:00Z"}}, "KER-LKM-008",
               "Expiry DateTime should be ahead of current DateTime.");
  expect_error({{"tspId", "TSP1"}, {"licenseExpiryTime", "2020-12-10T06:12:52.994Z"}},
               "KER-LKM-008");
  expect_error({{"tspId", ""}, {"licenseExpiryTime", "2030-12-10T06:12:52.994Z"}}, "KER-LKM-001",
               "TSP entered is null or empty.");
  // The body is read before the TSP is judged, as Jackson binds it first.
  expect_error({{"tspId", ""}, {"licenseExpiryTime", "someday"}}, "KER-LKM-999");

  // A body that is not JSON has no id or version to copy.
  auto h = auth();
  h.set("Content-Type", "application/json");
  auto bad = p->request(http::Method::kPost, "/v1/keymanager/license/generate", "{\"id\":", h);
  EXPECT_EQ(bad.status, 200);
  Json e = Json::parse(bad.body);
  EXPECT_EQ(mosip_error(e), "KER-LKM-999");
  EXPECT_TRUE(e["id"].is_null());
}

// The clean equivalent: GET lists a licence's permissions with its status, POST adds, PUT sets
// the whole list; problem+json for an unknown key or a permission not configured.
TEST_P(IdsHttpTest, CleanLicencePermissions) {
  auto p = start();
  Json l = send(*p, http::Method::kPost, "/v1/ids/licences", {{"partner", "TSP1"}}, 201);
  const std::string base = "/v1/ids/licences/" + l["licence_key"].get<std::string>();
  Json none = get_json(*p, base + "/permissions");
  EXPECT_EQ(none["permissions"], Json::array());
  EXPECT_EQ(none["status"], "ACTIVE");
  EXPECT_EQ(none["partner"], "TSP1");
  Json added = send(*p, http::Method::kPost, base + "/permissions",
                    {{"permissions", {"OTP Trigger", "eKYC - No"}}});
  EXPECT_EQ(added["permissions"], Json({"OTP Trigger", "eKYC - No"}));
  added = send(*p, http::Method::kPost, base + "/permissions",
               {{"permissions", {"eKYC - No", "Static Pin Authentication"}}});
  EXPECT_EQ(added["permissions"], Json({"OTP Trigger", "eKYC - No", "Static Pin Authentication"}));
  Json replaced = send(*p, http::Method::kPut, base + "/permissions",
                       {{"permissions", {"OTP Authentication"}}});
  EXPECT_EQ(replaced["permissions"], Json({"OTP Authentication"}));
  EXPECT_EQ(get_json(*p, base + "/permissions")["permissions"], Json({"OTP Authentication"}));

  auto h = auth();
  h.set("Content-Type", "application/json");
  auto refused = p->request(http::Method::kPost, base + "/permissions",
                            R"({"permissions":["OTP Trigger","Everything"]})", h);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.headers.get("Content-Type"), "application/problem+json");
  EXPECT_NE(refused.body.find("Everything"), std::string::npos);
  EXPECT_EQ(
      p->request(http::Method::kPost, base + "/permissions", R"({"permissions":[]})", h).status,
      400);
  EXPECT_EQ(p->request(http::Method::kPost, "/v1/ids/licences/AAAAAAAAAAAAAAAA/permissions",
                       R"({"permissions":["OTP Trigger"]})", h)
                .status,
            404);
  EXPECT_EQ(get_json(*p, "/v1/ids/licences/AAAAAAAAAAAAAAAA/permissions", 404).is_object(), true);
  // Emptied with PUT; the other licence actions still route.
  EXPECT_EQ(send(*p, http::Method::kPut, base + "/permissions",
                 {{"permissions", Json::array()}})["permissions"],
            Json::array());
  EXPECT_EQ(send(*p, http::Method::kPost, base + "/suspend", Json::object())["status"],
            "SUSPENDED");
}

// Centre and machine ids are measured in characters as Java's String.length() measures them,
// not in bytes: five full-width digits (15 bytes) are a 5-character centre; three characters in
// five bytes are not.
TEST_P(IdsHttpTest, RidCentreAndMachineAreMeasuredInCharacters) {
  auto p = start();
  const std::string wide = "%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95";  // "１２３４５"
  Json r = get_json(*p, "/v1/ridgenerator/generate/rid/" + wide + "/1234%C3%A9");
  ASSERT_TRUE(r["errors"].is_null()) << r.dump();
  const std::string rid = r["response"]["rid"];
  EXPECT_EQ(rid.rfind("\uff11\uff12\uff13\uff14\uff15"
                      "1234\u00e9"
                      "00001",
                      0),
            0u)
      << rid;
  EXPECT_EQ(rid.size(), 15u + 6u + 5u + 14u);
  // The sequence is kept per pair, as for ASCII ids.
  std::string next =
      get_json(*p, "/v1/ridgenerator/generate/rid/" + wide + "/1234%C3%A9")["response"]["rid"];
  EXPECT_EQ(next.substr(21, 5), "00002");
  // Three characters in five bytes: the length MOSIP sees is 3.
  EXPECT_EQ(mosip_error(get_json(*p, "/v1/ridgenerator/generate/rid/%C3%A9%C3%A91/67890")),
            "KER-RIG-003");
  // An astral character is two UTF-16 units, as in Java: "😀123" is 5 long.
  EXPECT_TRUE(
      get_json(*p, "/v1/ridgenerator/generate/rid/%F0%9F%98%80123/67890")["errors"].is_null());
  // The clean route counts the same way.
  Json clean = send(*p, http::Method::kPost, "/v1/ids/rids",
                    {{"centre", "\uff11\uff12\uff13\uff14\uff15"}, {"machine", "67890"}}, 201);
  EXPECT_EQ(clean["rid"].get<std::string>().rfind("\uff11\uff12\uff13\uff14\uff15"
                                                  "67890",
                                                  0),
            0u);
}

// HEAD never has a side effect: on MOSIP's issuing GET routes it is refused with 405 in the
// kernel envelope (Allow without HEAD) and issues nothing; the RID sequence is not consumed.
// HEAD on a GET route that only reads still answers 200 with no body.
TEST_P(IdsHttpTest, HeadOnIssuingRoutesIsRefusedAndIssuesNothing) {
  auto p = start();
  auto issued = [&](const char* type) {
    return database()->read([&](soci::session& s) { return count_issued(s, type); });
  };
  const int64_t uins = issued("uin"), vids = issued("vid");
  for (const char* path : {"/v1/idgenerator/uin", "/v1/idgenerator/vid",
                           "/v1/idgenerator/vid?videxpiry=2099-01-01T00:00:00.000Z",
                           "/v1/pridgenerator/prid", "/v1/ridgenerator/generate/rid/12345/67890"}) {
    SCOPED_TRACE(path);
    auto head = p->request(http::Method::kHead, path, "", auth());
    EXPECT_EQ(head.status, 405);
    EXPECT_EQ(head.headers.get("Allow"), std::string(path).starts_with("/v1/idgenerator/uin")
                                             ? std::optional<std::string>("GET, PUT")
                                             : std::optional<std::string>("GET"));
    EXPECT_TRUE(head.body.empty());  // a HEAD answer has no body, whatever its status
    // The same refusal as a GET-less method gets, in the kernel envelope (seen with DELETE,
    // which carries a body).
    auto other = p->request(http::Method::kDelete, path, "", auth());
    EXPECT_EQ(other.status, 405);
    EXPECT_EQ(mosip_error(Json::parse(other.body)), "KER-HTTP-405");
  }
  EXPECT_EQ(issued("uin"), uins);
  EXPECT_EQ(issued("vid"), vids);
  EXPECT_EQ(issued("prid"), 0);
  // The first RID after the refused HEADs still has sequence 00001; a GET issues as before.
  Json rid = get_json(*p, "/v1/ridgenerator/generate/rid/12345/67890");
  EXPECT_EQ(rid["response"]["rid"].get<std::string>().substr(10, 5), "00001");
  get_json(*p, "/v1/idgenerator/uin");
  EXPECT_EQ(issued("uin"), uins + 1);

  for (const char* path : {"/healthz", "/.well-known/jwks.json"}) {
    SCOPED_TRACE(path);
    auto head = p->request(http::Method::kHead, path);
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
    EXPECT_EQ(p->get(path).status, 200);
  }
  // A read-only GET of the clean API answers HEAD too (runs the handler, sends no body).
  auto validate = p->request(http::Method::kHead, "/v1/ids/uin/validate/1234567890", "", auth());
  EXPECT_EQ(validate.status, 200);
  EXPECT_TRUE(validate.body.empty());
}

TEST_P(IdsHttpTest, CleanApiIssueValidateStatusCapacity) {
  auto p = start();
  Json batch = send(*p, http::Method::kPost, "/v1/ids/uin/issue", {{"count", 50}}, 201);
  ASSERT_EQ(batch["ids"].size(), 50u);
  std::set<std::string> seen;
  for (auto& id : batch["ids"]) {
    EXPECT_TRUE(uin_.valid(id.get<std::string>()));
    seen.insert(id.get<std::string>());
  }
  EXPECT_EQ(seen.size(), 50u);
  std::string uin = batch["ids"][0];

  auto too_many = p->post("/v1/ids/uin/issue", R"({"count": 100000})", "application/json", auth());
  EXPECT_EQ(too_many.status, 400);
  EXPECT_EQ(too_many.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(p->post("/v1/ids/xyz/issue", "", "", auth()).status, 404);

  Json valid = get_json(*p, "/v1/ids/uin/validate/" + uin);
  EXPECT_EQ(valid["valid"], true);
  Json invalid = get_json(*p, "/v1/ids/uin/validate/1234567890");
  EXPECT_EQ(invalid["valid"], false);
  EXPECT_EQ(invalid["code"], "KER-IDV-206");
  EXPECT_EQ(get_json(*p, "/v1/ids/uin/validate/12345")["code"], "KER-IDV-203");
  EXPECT_EQ(get_json(*p, "/v1/ids/misp/validate/10")["code"], "KER-IDV-401");

  Json rec = get_json(*p, "/v1/ids/uin/" + uin);
  EXPECT_EQ(rec["status"], "ISSUED");
  Json st =
      send(*p, http::Method::kPut, "/v1/ids/uin/" + uin + "/status", {{"status", "UNASSIGNED"}});
  EXPECT_EQ(st["status"], "UNASSIGNED");
  send(*p, http::Method::kPut, "/v1/ids/uin/" + uin + "/status", {{"status", "ASSIGNED"}}, 409);
  send(*p, http::Method::kPut, "/v1/ids/uin/2345678901/status", {{"status", "ASSIGNED"}}, 404);
  // The returned UIN is served first.
  Json next = send(*p, http::Method::kPost, "/v1/ids/uin/issue", Json::object(), 201);
  EXPECT_EQ(next["ids"][0], uin);

  Json cap = get_json(*p, "/v1/ids/prid/capacity");
  EXPECT_EQ(cap["exact"], false);
  EXPECT_GT(cap["count"].get<double>(), 1e11);
  EXPECT_EQ(cap["issued"], 0);
}

// Issues from several client threads until `stop`; collects every ID a client received.
struct Load {
  std::mutex mu;
  std::vector<std::string> received;
  std::atomic<bool> stop{false};
  std::atomic<size_t> count{0};
  std::vector<std::thread> threads;
  void run(const RegistrarProcess& p, http::Headers h, int threads_n) {
    for (int t = 0; t < threads_n; ++t)
      threads.emplace_back([this, &p, h, t] {
        for (int i = 0; !stop; ++i) {
          int n = (i + t) % 2 ? 1 : 25;
          http::Response r;
          try {
            r = p.post("/v1/ids/uin/issue", "{\"count\":" + std::to_string(n) + "}",
                       "application/json", h);
          } catch (const std::exception&) {
            return;  // the server went away
          }
          if (r.status != 201) return;
          auto ids = Json::parse(r.body)["ids"];
          std::lock_guard lk(mu);
          for (auto& id : ids) received.push_back(id);
          count += ids.size();
        }
      });
  }
  void join() {
    for (auto& t : threads) t.join();
    threads.clear();
  }
};

// `registrar ids issue` on the CLI starts identity for the master key, so it issues with the
// same sealed issuance key as the server (issue 17), and the key is never in the table in
// plaintext.
TEST_P(IdsHttpTest, TheCliIssuesWithTheServersSealedKey) {
  auto p = start();
  Json served = send(*p, http::Method::kPost, "/v1/ids/uin/issue", {{"count", 1}}, 201);
  ASSERT_TRUE(served["ids"].is_array()) << served.dump();
  auto r = p->cli("ids issue uin --count 3");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  int valid = 0;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && uin_.validate(line).ok()) ++valid;
  EXPECT_EQ(valid, 3) << r.output;
  auto db = database();
  auto names = db->read([](soci::session& s) {
    std::vector<std::string> out;
    soci::rowset<std::string> rows = s.prepare << "SELECT name FROM ids_settings ORDER BY name";
    for (const auto& n : rows) out.push_back(n);
    return out;
  });
  EXPECT_EQ(names, std::vector<std::string>{"issuance_key_sealed"});
}

TEST_P(IdsHttpTest, TwoProcessesIssuingConcurrentlyNeverCollide) {
  auto a = start();
  auto b = start();
  Load la, lb;
  la.run(*a, auth(), 3);
  lb.run(*b, auth(), 3);
  while (la.count + lb.count < 6000) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  la.stop = lb.stop = true;
  la.join();
  lb.join();
  std::set<std::string> all(la.received.begin(), la.received.end());
  all.insert(lb.received.begin(), lb.received.end());
  EXPECT_EQ(all.size(), la.received.size() + lb.received.size());
  int64_t recorded = database()->read([](soci::session& s) { return count_issued(s, "uin"); });
  EXPECT_EQ(recorded, int64_t(all.size()));
  for (auto& id : all) ASSERT_TRUE(uin_.valid(id)) << id;
}

TEST_P(IdsHttpTest, KillDuringIssuanceLosesAndDuplicatesNothing) {
  auto p = start();
  Load load;
  load.run(*p, auth(), 4);
  while (load.count < 3000) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  p->kill9();  // under load: requests are in flight, batches mid-commit
  load.stop = true;
  load.join();
  std::vector<std::string> before = load.received;

  auto q = start();
  Load after;
  after.run(*q, auth(), 2);
  while (after.count < 500) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  after.stop = true;
  after.join();

  std::set<std::string> all(before.begin(), before.end());
  all.insert(after.received.begin(), after.received.end());
  EXPECT_EQ(all.size(), before.size() + after.received.size()) << "an ID was issued twice";
  auto db = database();
  size_t missing = 0;
  db->read([&](soci::session& s) {
    for (auto& id : all) {
      auto row = find_issued(s, db->backend(), "uin", id, false);
      if (!row || row->status != "ISSUED") ++missing;
    }
  });
  EXPECT_EQ(missing, 0u) << "IDs a client received are not recorded as issued";
}

INSTANTIATE_TEST_SUITE_P(Backends, IdsHttpTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ids
