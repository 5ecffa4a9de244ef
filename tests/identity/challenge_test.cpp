#include "identity/challenges.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/base64.h"
#include "core/error.h"
#include "crypto/jws.h"
#include "identity/store.h"
#include "store/audit.h"
#include "support/databases.h"

namespace registrar::identity {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

class ChallengeTest : public ::testing::TestWithParam<std::string> {
 protected:
  ChallengeTest() : tdb_(GetParam()), db_(options()) {
    auto m = identity_migrations();
    store::migrate(db_, {store::platform_schema(), {"identity", m}}, clock_);
    settings_.ttl_seconds = 60;
  }
  store::DatabaseOptions options() {
    store::DatabaseOptions o;
    o.url = tdb_.url();
    o.pool_size = 4;
    return o;
  }
  std::string sign(const crypto::PrivateKey& key, const Json& payload) {
    return crypto::sign_compact(payload.dump(), key, crypto::default_alg(key.type()));
  }

  testing::TestDatabase tdb_;
  core::ManualClock clock_{core::SystemTime(std::chrono::seconds(1'800'000'000))};
  store::Database db_;
  ChallengeSettings settings_;
  crypto::PrivateKey ed_ = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
};

TEST_P(ChallengeTest, NonceIs128RandomBitsInBase64) {
  ChallengeService svc(db_, clock_, settings_);
  Challenge a = svc.generate(std::nullopt, "t", "r");
  Challenge b = svc.generate(std::nullopt, "t", "r");
  EXPECT_EQ(a.nonce.size(), 24u);
  EXPECT_EQ(core::base64_decode(a.nonce)->size(), 16u);
  EXPECT_NE(a.nonce, b.nonce);
  EXPECT_EQ(a.expires_at, clock_.now_seconds() + 60);
  EXPECT_FALSE(a.bound);
}

TEST_P(ChallengeTest, VerifiesOnceAndRejectsReplay) {
  ChallengeService svc(db_, clock_, settings_);
  Challenge c = svc.generate(std::nullopt, "t", "r");
  std::string pem = ed_.public_key().to_pem();
  std::string jws = sign(ed_, {{"nonce", c.nonce}});
  VerifyOutcome first = svc.verify(pem, jws, "t", "r1");
  EXPECT_TRUE(first.verified) << first.reason;
  EXPECT_EQ(first.key_thumbprint, ed_.public_key().thumbprint());
  VerifyOutcome replay = svc.verify(pem, jws, "t", "r2");
  EXPECT_FALSE(replay.verified);
  EXPECT_EQ(replay.failure, ChallengeFailure::kAlreadyUsed);
  auto audit =
      db_.read([&](soci::session& s) { return store::read_audit(s, "challenge:" + c.nonce, 10); });
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "identity.challenge.verify");
  EXPECT_EQ(audit[0].request_id, "r1");
}

TEST_P(ChallengeTest, ConcurrentVerificationsConsumeExactlyOnce) {
  ChallengeService svc(db_, clock_, settings_);
  Challenge c = svc.generate(std::nullopt, "t", "r");
  std::string pem = ed_.public_key().to_pem();
  std::string jws = sign(ed_, {{"nonce", c.nonce}});
  std::atomic<int> verified{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] { verified += svc.verify(pem, jws, "t", "r").verified ? 1 : 0; });
  for (auto& t : threads) t.join();
  EXPECT_EQ(verified, 1);
}

TEST_P(ChallengeTest, ExpiresAfterTheTtl) {
  ChallengeService svc(db_, clock_, settings_);
  Challenge c = svc.generate(std::nullopt, "t", "r");
  std::string jws = sign(ed_, {{"nonce", c.nonce}});
  clock_.advance(60s);
  VerifyOutcome o = svc.verify(ed_.public_key().to_pem(), jws, "t", "r");
  EXPECT_EQ(o.failure, ChallengeFailure::kExpired);
  clock_.advance(-1s);
  EXPECT_TRUE(svc.verify(ed_.public_key().to_pem(), jws, "t", "r").verified);
}

TEST_P(ChallengeTest, BoundKeyIsMatchedWhateverItsFormat) {
  ChallengeService svc(db_, clock_, settings_);
  auto rsa = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  std::string der_b64 = core::base64_encode(rsa.public_key().to_spki_der());
  Challenge c = svc.generate(der_b64, "t", "r");
  EXPECT_TRUE(c.bound);
  // Another key that signs the nonce correctly is refused.
  auto other = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  VerifyOutcome mismatch =
      svc.verify(other.public_key().to_pem(), sign(other, {{"nonce", c.nonce}}), "t", "r");
  EXPECT_EQ(mismatch.failure, ChallengeFailure::kKeyMismatch);
  // The bound key given as a JWK matches its DER form.
  VerifyOutcome ok = svc.verify(rsa.public_key().to_jwk().dump(),
                                sign(rsa, {{"challenge", {{"nonce", c.nonce}}}}), "t", "r");
  EXPECT_TRUE(ok.verified) << ok.reason;
}

TEST_P(ChallengeTest, BoundChallengeVerifiesWithoutRepeatingTheKey) {
  ChallengeService svc(db_, clock_, settings_);
  auto ec = crypto::PrivateKey::generate(crypto::KeyType::kEcP256);
  Challenge c = svc.generate(ec.public_key().to_pem(), "t", "r");
  VerifyOutcome o = svc.verify(std::nullopt, sign(ec, {{"nonce", c.nonce}}), "t", "r");
  EXPECT_TRUE(o.verified) << o.reason;
  Challenge unbound = svc.generate(std::nullopt, "t", "r");
  EXPECT_EQ(svc.verify(std::nullopt, sign(ec, {{"nonce", unbound.nonce}}), "t", "r").failure,
            ChallengeFailure::kNoKey);
}

TEST_P(ChallengeTest, AcceptsJsonSerialisations) {
  ChallengeService svc(db_, clock_, settings_);
  Challenge c1 = svc.generate(std::nullopt, "t", "r");
  Challenge c2 = svc.generate(std::nullopt, "t", "r");
  std::string payload1 = Json{{"nonce", c1.nonce}}.dump();
  std::string payload2 = Json{{"nonce", c2.nonce}}.dump();
  crypto::JwsSigner signer{ed_, crypto::JwsAlg::kEdDSA};
  EXPECT_TRUE(
      svc.verify(ed_.public_key().to_pem(), crypto::sign_flattened(payload1, signer), "t", "r")
          .verified);
  EXPECT_TRUE(
      svc.verify(ed_.public_key().to_pem(), crypto::sign_general(payload2, {signer}), "t", "r")
          .verified);
}

TEST_P(ChallengeTest, RejectsBadInputWithoutConsumingTheNonce) {
  ChallengeService svc(db_, clock_, settings_);
  Challenge c = svc.generate(std::nullopt, "t", "r");
  std::string pem = ed_.public_key().to_pem();
  EXPECT_EQ(svc.verify(pem, "not.a.jws", "t", "r").failure, ChallengeFailure::kBadJws);
  EXPECT_EQ(svc.verify(pem, Json(42), "t", "r").failure, ChallengeFailure::kMalformedRequest);
  EXPECT_EQ(svc.verify(pem, sign(ed_, {{"other", c.nonce}}), "t", "r").failure,
            ChallengeFailure::kNoNonce);
  EXPECT_EQ(svc.verify("garbage", sign(ed_, {{"nonce", c.nonce}}), "t", "r").failure,
            ChallengeFailure::kBadKey);
  auto other = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  EXPECT_EQ(
      svc.verify(other.public_key().to_pem(), sign(ed_, {{"nonce", c.nonce}}), "t", "r").failure,
      ChallengeFailure::kBadSignature);
  // alg "none" and HMAC are refused as malformed JWS.
  std::string none = core::base64url_encode(R"({"alg":"none"})") + "." +
                     core::base64url_encode(Json{{"nonce", c.nonce}}.dump()) + ".";
  EXPECT_EQ(svc.verify(pem, none, "t", "r").failure, ChallengeFailure::kBadJws);
  EXPECT_EQ(svc.verify(pem, sign(ed_, {{"nonce", "unknown-nonce"}}), "t", "r").failure,
            ChallengeFailure::kUnknownNonce);
  // After all that the nonce still verifies once.
  EXPECT_TRUE(svc.verify(pem, sign(ed_, {{"nonce", c.nonce}}), "t", "r").verified);
}

TEST_P(ChallengeTest, UnreadableKeyAtGenerationIsAnInvalidArgument) {
  ChallengeService svc(db_, clock_, settings_);
  try {
    svc.generate(std::string("MIIB-not-a-key"), "t", "r");
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument);
    EXPECT_EQ(e.field(), "public_key");
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ChallengeTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::identity
