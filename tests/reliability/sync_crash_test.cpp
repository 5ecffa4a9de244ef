// sync under kill -9: client threads register machines through the master-data API and a
// registration machine pushes its holidays (signed cursor pushes) over HTTP; the server is
// killed mid-stream and started again on the same database. Every acknowledged machine is then
// there at version 1; every acknowledged push, sent again with its change id, answers its stored
// result (same seq, "replayed") and its row is at version 1; the push the kill interrupted,
// retried, is applied once.
#include <openssl/sha.h>

#include <gtest/gtest.h>

#include <sstream>

#include "core/base64.h"
#include "core/clock.h"
#include "crash_fixture.h"
#include "crypto/jws.h"
#include "crypto/keys.h"
#include "crypto/signature.h"

namespace registrar::reliability {
namespace {

std::string sha256(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<char*>(digest), sizeof digest);
}

// MOSIP's key index (docs/sync.md): SHA-256 of the SPKI DER as lower-case hex pairs joined by ':'.
std::string key_index(const crypto::PublicKey& key) {
  std::string hex = core::hex_encode(sha256(key.to_spki_der())), out;
  for (size_t i = 0; i < hex.size(); i += 2)
    out += (i ? ":" : "") + std::string{char(std::tolower(hex[i])), char(std::tolower(hex[i + 1]))};
  return out;
}

class SyncCrashTest : public CrashTest {
 protected:
  void setup_centre() {
    admin_ = token("--scope sync:admin");
    put("registration_center_types", {{"code", "T"}, {"name", "Type"}, {"langCode", "eng"}});
    put("locations", {{"code", "LA"}, {"name", "LA"}, {"hierarchyLevel", 1}, {"langCode", "eng"}});
    put("registration_centers", {{"id", "A"},
                                 {"name", "A"},
                                 {"centerTypeCode", "T"},
                                 {"holidayLocationCode", "LA"},
                                 {"langCode", "eng"}});
    put("machines", machine("mA", sign_.public_key()));
  }
  Json machine(const std::string& id, const crypto::PublicKey& sign) {
    return {{"id", id},
            {"name", id},
            {"publicKey",
             crypto::PrivateKey::generate(crypto::KeyType::kEd25519).public_key().to_pem()},
            {"signPublicKey", sign.to_pem()},
            {"regCenterId", "A"}};
  }
  http::Response post_row(const std::string& entity, const Json& row) {
    return post_json("/v1/masterdata/" + entity, row, admin_);
  }
  void put(const std::string& entity, const Json& row) {
    auto r = post_row(entity, row);
    ASSERT_EQ(r.status, 201) << entity << ": " << r.body;
  }
  Json get_row(const std::string& path) {
    auto r = p_->get("/v1/masterdata/" + path, testing::bearer(admin_));
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.status == 200 ? Json::parse(r.body) : Json::object();
  }

  // One holiday change pushed by machine mA, signed as docs/sync.md says; the change's result.
  Json push(const std::string& n) {
    Json change = {{"changeId", "c-" + n},
                   {"entity", "holidays"},
                   {"op", "upsert"},
                   {"baseVersion", 0},
                   {"row",
                    {{"holidayId", "h-" + n},
                     {"holidayDate", "2027-05-01"},
                     {"holidayName", "Day " + n},
                     {"locationCode", "LA"},
                     {"langCode", "eng"}}}};
    std::string body = Json{{"changes", {change}}}.dump();
    Json payload = {{"method", "POST"},
                    {"path", "/v1/sync/push"},
                    {"iat", core::to_unix_seconds(core::SystemClock::instance().now())},
                    {"bodySha256", core::base64url_encode(sha256(body))}};
    http::Headers h;
    h.set(
        "Authorization",
        "Machine " + crypto::sign_compact(payload.dump(), sign_, crypto::default_alg(sign_.type()),
                                          {{"kid", key_index(sign_.public_key())}}));
    auto r = p_->post("/v1/sync/push", body, "application/json", h);
    expect_status(r, 200, "push " + n);
    return Json::parse(r.body)["results"][0];
  }

  crypto::PrivateKey sign_ = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  std::string admin_;
};

TEST_P(SyncCrashTest, AcknowledgedMachinesAndPushesSurviveAKill9) {
  start();
  setup_centre();
  // Threads 0 and 1 register machines; threads 2 and 3 push holidays as machine mA.
  WriteLoad load(4, [&](int t, int i) {
    std::string n = std::to_string(t) + "-" + std::to_string(i);
    if (t < 2) {
      auto key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519).public_key();
      expect_status(post_row("machines", machine("m-" + n, key)), 201, "machine m-" + n);
      return "machine " + n;
    }
    Json result = push(n);
    if (result["status"] != "applied") throw Refused("push " + n + ": " + result.dump());
    return "push " + n + " " + std::to_string(result["seq"].get<int64_t>());
  });
  ASSERT_TRUE(load.wait_for(150, {{"machine ", 20}, {"push ", 20}}))
      << ::testing::PrintToString(load.errors()) << p_->log();
  kill_under(load);
  ASSERT_EQ(load.errors(), std::vector<std::string>{});

  restart();
  int machines = 0, pushes = 0;
  for (const std::string& key : load.acknowledged()) {
    std::istringstream in(key);
    std::string kind, n;
    int64_t seq = 0;
    in >> kind >> n >> seq;
    if (kind == "machine") {
      ++machines;
      EXPECT_EQ(get_row("machines/m-" + n).value("version", 0), 1) << n;
      continue;
    }
    ++pushes;
    Json again = push(n);
    EXPECT_EQ(again["status"], "applied") << again;
    EXPECT_EQ(again["replayed"], true) << again;
    EXPECT_EQ(again["seq"], seq) << again;
    EXPECT_EQ(get_row("holidays/h-" + n + "?langCode=eng").value("version", 0), 1) << n;
  }
  // The push each pushing thread had in flight at the kill: retried, it is applied once.
  for (int t = 2; t < 4; ++t) {
    std::string n = std::to_string(t) + "-" + std::to_string(load.attempts(t) - 1);
    EXPECT_EQ(push(n)["status"], "applied") << n;
    EXPECT_EQ(get_row("holidays/h-" + n + "?langCode=eng").value("version", 0), 1) << n;
  }
  EXPECT_GE(machines, 20);
  EXPECT_GE(pushes, 20);
}

RELIABILITY_BACKENDS(SyncCrashTest);

}  // namespace
}  // namespace registrar::reliability
