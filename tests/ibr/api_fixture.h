// The real registrar binary on a test database with one trusted sender, "sp-mis", whose key
// signs the requests: what the DCI route tests (api_test, async_api_test, outbox_crash_test)
// share.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/base64.h"
#include "core/clock.h"
#include "crypto/keys.h"
#include "dci/envelope.h"
#include "dci/signature.h"
#include "support/databases.h"
#include "support/registrar_process.h"

namespace registrar::ibr::test {

using Json = nlohmann::json;

inline constexpr const char* kUpdates = "/registry/sync/enrollment/updates";
inline constexpr const char* kSearch = "/registry/sync/search";
inline constexpr const char* kOurKid = "registrar-ibr|ibr-1|ed25519";

inline std::string raw_key(const crypto::PrivateKey& k) {
  const auto& raw = k.public_key().ed25519_raw();
  return core::base64_encode(std::string(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

inline dci::MsgHeader header(const std::string& sender, const std::string& action) {
  dci::MsgHeader h;
  h.message_id = "m-1";
  h.message_ts = dci::format_message_ts(core::SystemClock::instance().now());
  h.action = action;
  h.sender_id = sender;
  h.receiver_id = "registrar-ibr";
  h.total_count = 1;
  return h;
}

inline Json updates_message(const std::string& nid) {
  Json b = {{"reference_id", "ref-" + nid},
            {"@type", "Beneficiary"},
            {"identifier", {{{"identifier_type", "NID"}, {"identifier_value", nid}}}},
            {"programme", {{{"programme_identifier", "CT"}, {"programme_name", "Cash Transfer"}}}}};
  return {{"transaction_id", "t-1"}, {"enrolled_updates", {{"beneficiaries", {b}}}}};
}

inline Json search_message(const std::string& nid, const std::string& transaction_id = "t-2") {
  return {{"transaction_id", transaction_id},
          {"search_request",
           {{{"reference_id", "r-1"},
             {"timestamp", "2024-01-01T00:00:00Z"},
             {"search_criteria",
              {{"query_type", "idtype-value"},
               {"query", {{"type", "NID"}, {"value", nid}}},
               {"pagination", {{"page_size", 10}, {"page_number", 1}}}}}}}}};
}

class IbrProcessTest : public ::testing::TestWithParam<std::string> {
 protected:
  IbrProcessTest()
      : db_(GetParam()),
        key_(crypto::PrivateKey::generate(crypto::KeyType::kEd25519)),
        signer_(key_, dci::SignatureAlgorithm::kEd25519, "sp-mis", "k1",
                core::SystemClock::instance()) {}

  // Starts registrar with `extra_config` (TOML) and registers sp-mis.
  void start(const std::string& extra_config = "") {
    config_ = extra_config;
    testing::ProcessOptions o;
    o.database_url = db_.url();
    o.extra_config = config_;
    p_ = std::make_unique<testing::RegistrarProcess>(o);
    admin_ = token("ibr:admin");
    auto r = admin_post(
        "/v1/ibr/senders",
        Json{{"sender_id", "sp-mis"}, {"name", "SP-MIS"}, {"public_key", raw_key(key_)}});
    EXPECT_EQ(r.status, 201) << r.body;
  }
  // A new process on the same database, master key and port, with the same config (after
  // kill9()).
  void restart() {
    testing::ProcessOptions o;
    o.port = p_->port();
    o.database_url = db_.url();
    o.extra_config = config_;
    o.env["REGISTRAR_IDENTITY_MASTER_KEY_FILE"] =
        p_->env().at("REGISTRAR_IDENTITY_MASTER_KEY_FILE");
    auto next = std::make_unique<testing::RegistrarProcess>(o);
    old_.push_back(std::move(p_));  // its temp dir holds the master key
    p_ = std::move(next);
  }

  std::string token(const std::string& scope) {
    return testing::issue_token(p_->env(), "ops", "--scope " + scope);
  }
  http::Response admin_post(const std::string& path, const Json& body) {
    http::Headers h;
    h.set("Authorization", "Bearer " + admin_);
    return p_->post(path, body.dump(), "application/json", h);
  }

  std::string signed_body(const std::string& action, const Json& message) {
    return signer_.sign_envelope(header("sp-mis", action), message);
  }
  http::Response post(const std::string& path, const std::string& body) {
    return p_->post(path, body);
  }
  // How many beneficiaries hold NID `nid`, asked with a good signature.
  int64_t count(const std::string& nid) {
    auto r = post(kSearch, signed_body("search", search_message(nid)));
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body)["message"]["search_response"][0]["pagination"]["total_count"];
  }
  // The ERR ack of a refused request: status and error code.
  static void expect_refused(const http::Response& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    Json body = Json::parse(r.body);
    EXPECT_EQ(body["message"]["ack_status"], "ERR") << r.body;
    EXPECT_EQ(body["message"]["error"]["code"], code) << r.body;
  }
  static void expect_verifies(const dci::Envelope& env, const crypto::PublicKey& key) {
    dci::VerifyResult v = dci::verify_envelope(env, key, dci::SignatureAlgorithm::kEd25519,
                                               core::SystemClock::instance());
    EXPECT_TRUE(v.ok()) << dci::verify_status_name(v.status) << ": " << v.detail;
  }
  crypto::PublicKey our_key() {
    auto r = p_->get("/.well-known/jwks.json");
    EXPECT_EQ(r.status, 200);
    Json jwks = Json::parse(r.body);  // kept: a range-for over a temporary's member dangles
    for (const auto& k : jwks["keys"])
      if (k["kid"] == kOurKid) {
        EXPECT_EQ(k["alg"], "EdDSA");
        return crypto::PublicKey::from_jwk(k);
      }
    ADD_FAILURE() << "no " << kOurKid << " in " << r.body;
    return crypto::PrivateKey::generate(crypto::KeyType::kEd25519).public_key();
  }

  testing::TestDatabase db_;
  crypto::PrivateKey key_;
  dci::Signer signer_;
  std::string config_;
  std::unique_ptr<testing::RegistrarProcess> p_;
  std::vector<std::unique_ptr<testing::RegistrarProcess>> old_;
  std::string admin_;
};

}  // namespace registrar::ibr::test
