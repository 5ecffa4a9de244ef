// The cursor API over real HTTP from the real binary, driven by an independent Python client
// (cursor_client.py: python3-cryptography + requests) written from docs/sync.md: it computes
// the key index, signs, pulls in pages, pushes twice, and is refused when it tampers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/text.h"
#include "crypto/keys.h"
#include "support/databases.h"
#include "support/python_runner.h"
#include "support/registrar_process.h"

namespace registrar::sync {
namespace {

using registrar::testing::RegistrarProcess;
using Json = nlohmann::json;

class CursorHttpTest : public ::testing::TestWithParam<std::string> {
 protected:
  CursorHttpTest() : db_(GetParam()), proc_(options()) {}
  registrar::testing::ProcessOptions options() {
    registrar::testing::ProcessOptions o;
    o.database_url = db_.url();
    return o;
  }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = proc_.dir().file(name);
    std::ofstream(path) << text;
    return path;
  }
  void cli(const std::string& args) {
    auto r = proc_.cli(args);
    ASSERT_EQ(r.exit_code, 0) << args << "\n" << r.output;
  }
  void import(const std::string& entity, const std::vector<Json>& rows) {
    std::string text;
    for (const auto& r : rows) text += r.dump() + "\n";
    cli("sync import " + entity + " " + write(entity + ".jsonl", text));
  }
  void machine(const std::string& id, const std::string& centre, const crypto::PrivateKey& sign) {
    auto enc = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
    cli("sync machines add " + id + " --id " + id + " --centre " + centre + " --public-key-file " +
        write(id + "-enc.pem", enc.public_key().to_pem()) + " --sign-public-key-file " +
        write(id + "-sign.pem", sign.public_key().to_pem()));
  }

  registrar::testing::TestDatabase db_;
  RegistrarProcess proc_;
};

TEST_P(CursorHttpTest, APythonClientSignsPullsAndPushes) {
  import("registration_center_types", {{ {"code", "T"}, {"name", "T"}, { "langCode", "eng" } }});
  import("locations", {{{"code", "LA"},
                        {"name", "LA"},
                        {"hierarchyLevel", 1},
                        { "langCode",
                          "eng" }},
                       { {"code", "LB"},
                         {"name", "LB"},
                         {"hierarchyLevel", 1},
                         { "langCode",
                           "eng" } }});
  import("registration_centers", {{{"id", "A"},
                                   {"name", "A"},
                                   {"centerTypeCode", "T"},
                                   {"holidayLocationCode", "LA"},
                                   { "langCode",
                                     "eng" }},
                                  { {"id", "B"},
                                    {"name", "B"},
                                    {"centerTypeCode", "T"},
                                    {"holidayLocationCode", "LB"},
                                    { "langCode",
                                      "eng" } }});
  auto sign_a = crypto::PrivateKey::generate(crypto::KeyType::kEcP256);
  machine("mA", "A", sign_a);
  machine("mB", "B", crypto::PrivateKey::generate(crypto::KeyType::kRsa));
  import("users", {{{"id", "uA"},
                    { "regCenterId",
                      "A" }},
                   { {"id", "uB"},
                     { "regCenterId",
                       "B" } }});
  import("holidays", {{{"holidayId", "hA"},
                       {"holidayDate", "2027-01-01"},
                       {"holidayName", "A"},
                       {"locationCode", "LA"},
                       { "langCode",
                         "eng" }},
                      { {"holidayId", "hB"},
                        {"holidayDate", "2027-01-01"},
                        {"holidayName", "B"},
                        {"locationCode", "LB"},
                        { "langCode",
                          "eng" } }});

  std::string out = proc_.dir().file("client-out.json");
  std::string cmd = std::string(registrar::testing::kPython) + " " SYNC_CURSOR_CLIENT " " +
                    proc_.url() + " " + write("mA-sign-private.pem", sign_a.to_pem()) + " " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << proc_.log();
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  Json got = Json::parse(text.str());

  EXPECT_GT(got["pages"].get<int>(), 2);
  std::vector<int64_t> seqs = got["seqs"];
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_LT(seqs[i - 1], seqs[i]);
  std::vector<std::string> rows = got["rows"];
  auto has = [&](const std::string& k) {
    return std::find(rows.begin(), rows.end(), k) != rows.end();
  };
  for (const char* k :
       {"users|uA|", "holidays|hA|eng", "machines|mA|", "registration_centers|A|eng",
        "locations|LB|eng", "registration_center_types|T|eng"})
    EXPECT_TRUE(has(k)) << k;
  for (const char* k :
       {"users|uB|", "holidays|hB|eng", "machines|mB|", "registration_centers|B|eng"})
    EXPECT_FALSE(has(k)) << k;
  EXPECT_EQ(got["scopes"], Json({"", "m:mA", "c:A", "l:LA"}));

  EXPECT_EQ(got["push_status"], Json({200, 200}));
  EXPECT_EQ(got["push"][0]["status"], "applied");
  EXPECT_EQ(got["push"][1]["status"], "applied");
  EXPECT_EQ(got["push"][1]["replayed"], true);
  EXPECT_EQ(got["push"][1]["seq"], got["push"][0]["seq"]);
  EXPECT_EQ(got["after_push"],
            Json::array({Json::array({"upsert", "py1", got["push"][0]["seq"]})}));

  EXPECT_EQ(got["tampered"], Json({401, "the signed path is not the request's path and query"}));
  EXPECT_EQ(got["stale"][0], 401);
  EXPECT_EQ(got["bad_cursor"], Json({400, "cursor"}));

  // The pushed row was written by the machine.
  auto admin = registrar::testing::issue_token(proc_.env(), "admin", "--scope sync:admin");
  http::Headers auth;
  auth.set("Authorization", "Bearer " + admin);
  auto row = proc_.get("/v1/masterdata/holidays/py1?langCode=eng", auth);
  ASSERT_EQ(row.status, 200) << row.body;
  EXPECT_EQ(Json::parse(row.body)["createdBy"], "machine:mA");

  // Its pulls are its last sync (the console's sync page); mB never synced.
  auto last = proc_.get("/v1/sync/machines/last-sync", auth);
  ASSERT_EQ(last.status, 200) << last.body;
  EXPECT_EQ(Json::parse(last.body)["machines"].size(), 1u) << last.body;
  EXPECT_TRUE(Json::parse(last.body)["machines"].contains("mA")) << last.body;
}

INSTANTIATE_TEST_SUITE_P(Backends, CursorHttpTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::sync
