// identity under kill -9: client threads create challenges (some verified at once) and OAuth2
// clients and users over HTTP; the server is killed mid-stream and started again on the same
// database. Every acknowledged challenge then verifies exactly once (a verified one never
// again), every acknowledged client gets a token with the secret it was given, and every
// acknowledged client and user is listed once.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "core/base64.h"
#include "crash_fixture.h"
#include "crypto/jws.h"
#include "crypto/keys.h"
#include "crypto/signature.h"

namespace registrar::reliability {
namespace {

class IdentityCrashTest : public CrashTest {
 protected:
  http::Response verify(const std::string& nonce) {
    std::string jws =
        crypto::sign_compact(Json{{"nonce", nonce}}.dump(), key_, crypto::default_alg(key_.type()));
    return post_json("/v1/identity/challenges/verify",
                     {{"public_key", key_.public_key().to_pem()}, {"signature", jws}}, challenger_);
  }
  // Every id listed under /v1/identity/{clients,users} with `prefix`, with how often it is.
  std::map<std::string, int> listed(const std::string& list, const std::string& id_field,
                                    const std::string& prefix) {
    std::map<std::string, int> out;
    std::string after;
    for (int page = 0; page < 100; ++page) {
      auto r = p_->get("/v1/identity/" + list + "?limit=100&prefix=" + prefix +
                           (after.empty() ? "" : "&after=" + after),
                       testing::bearer(admin_));
      EXPECT_EQ(r.status, 200) << r.body;
      const Json body = Json::parse(r.body);
      for (const auto& a : body[list]) ++out[a[id_field].get<std::string>()];
      if (body["next_after"].is_null()) break;
      after = body["next_after"];
    }
    return out;
  }

  crypto::PrivateKey key_ = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  std::string challenger_, admin_;
};

TEST_P(IdentityCrashTest, AcknowledgedChallengesClientsAndUsersSurviveAKill9) {
  start("[identity]\nchallenge_ttl_seconds = 600\n");
  challenger_ = token("--scope gen_id_challenge --scope verify_identity");
  admin_ = token("--scope identity:admin");

  // Threads 0 and 1 create challenges and verify every other one at once; threads 2 and 3
  // create clients and users.
  WriteLoad load(4, [&](int t, int i) -> std::string {
    std::string n = std::to_string(t) + "-" + std::to_string(i);
    if (t < 2) {
      auto r = post_json("/v1/identity/challenges", Json::object(), challenger_);
      expect_status(r, 201, "challenge");
      std::string nonce = Json::parse(r.body)["nonce"];
      if (i % 2 == 0) return "issued " + nonce;
      expect_status(verify(nonce), 200, "verify " + nonce);
      return "verified " + nonce;
    }
    if (i % 2 == 0) {
      auto r = post_json("/v1/identity/clients", {{"client_id", "c-" + n}, {"scopes", {"read"}}},
                         admin_);
      expect_status(r, 201, "client c-" + n);
      return "client c-" + n + " " + Json::parse(r.body)["client_secret"].get<std::string>();
    }
    auto r = post_json("/v1/identity/users",
                       {{"username", "u-" + n}, {"password", "pw-" + n + "-long-enough"}}, admin_);
    expect_status(r, 201, "user u-" + n);
    return "user u-" + n;
  });
  ASSERT_TRUE(
      load.wait_for(200, {{"issued ", 10}, {"verified ", 10}, {"client ", 10}, {"user ", 10}}))
      << ::testing::PrintToString(load.errors()) << p_->log();
  kill_under(load);
  ASSERT_EQ(load.errors(), std::vector<std::string>{});

  restart();
  std::map<std::string, int> count;
  std::map<std::string, int> clients = listed("clients", "client_id", "c-");
  std::map<std::string, int> users = listed("users", "username", "u-");
  for (const std::string& key : load.acknowledged()) {
    std::istringstream in(key);
    std::string kind, id, secret;
    in >> kind >> id >> secret;
    ++count[kind];
    if (kind == "issued") {
      auto first = verify(id);
      EXPECT_EQ(first.status, 200) << id << ": " << first.body;
      EXPECT_EQ(verify(id).status, 410) << id << " verified twice";
    } else if (kind == "verified") {
      EXPECT_EQ(verify(id).status, 410) << id << " verified again after the restart";
    } else if (kind == "client") {
      EXPECT_EQ(clients[id], 1) << id;
      http::Headers h;
      h.set("Authorization", "Basic " + core::base64_encode(id + ":" + secret));
      auto r = p_->post("/oauth2/token", "grant_type=client_credentials",
                        "application/x-www-form-urlencoded", h);
      EXPECT_EQ(r.status, 200) << id << ": " << r.body;
    } else {
      EXPECT_EQ(users[id], 1) << id;
    }
  }
  for (const auto& [id, n] : clients) EXPECT_EQ(n, 1) << id;
  for (const auto& [id, n] : users) EXPECT_EQ(n, 1) << id;
  EXPECT_GE(count["issued"] + count["verified"], 20);
  EXPECT_GE(count["client"] + count["user"], 20);
}

RELIABILITY_BACKENDS(IdentityCrashTest);

}  // namespace
}  // namespace registrar::reliability
