#include "identity/keystore.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "identity/challenges.h"
#include "identity/store.h"
#include "store/audit.h"
#include "support/databases.h"

namespace registrar::identity {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

TEST(KeyId, SixteenThumbprintCharactersNeverStartingWithADash) {
  EXPECT_EQ(kid_from_thumbprint("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"), "NzbLsXh8uDCcd-6M");
  // A leading '-' would read as an option in `registrar keys retire KID`.
  EXPECT_EQ(kid_from_thumbprint("-zbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"), "zbLsXh8uDCcd-6MN");
  EXPECT_EQ(kid_from_thumbprint("--bLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"), "bLsXh8uDCcd-6MNw");
  EXPECT_EQ(kid_from_thumbprint("_zbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"), "_zbLsXh8uDCcd-6M");
}

class KeyStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  KeyStoreTest() : tdb_(GetParam()), db_(options()) {
    auto m = identity_migrations();
    store::migrate(db_, {store::platform_schema(), {"identity", m}}, clock_);
    settings_.publish_delay_seconds = 300;
    settings_.token_ttl_seconds = 3600;
    settings_.clock_skew_seconds = 60;
    settings_.reload_interval = 0s;
  }
  store::DatabaseOptions options() {
    store::DatabaseOptions o;
    o.url = tdb_.url();
    o.pool_size = 2;
    return o;
  }
  KeyStore make() { return KeyStore(db_, clock_, MasterKey(std::string(32, 'k')), settings_); }
  std::vector<std::string> jwks_kids(KeyStore& ks) {
    std::vector<std::string> kids;
    Json jwks = ks.jwks();
    for (auto& k : jwks["keys"]) kids.push_back(k["kid"]);
    return kids;
  }

  testing::TestDatabase tdb_;
  core::ManualClock clock_{core::SystemTime(std::chrono::seconds(1'800'000'000))};
  store::Database db_;
  KeySettings settings_;
};

TEST_P(KeyStoreTest, FirstStartCreatesOneSigningKeyOnce) {
  KeyStore ks = make();
  ks.ensure_signing_key();
  ks.ensure_signing_key();
  auto keys = ks.list();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].state, KeyState::kActive);
  EXPECT_EQ(ks.signer().kid, keys[0].kid);
  EXPECT_EQ(jwks_kids(ks), std::vector<std::string>{keys[0].kid});
}

TEST_P(KeyStoreTest, RotationPublishesBeforeSigningAndRetiresAfterTokensExpire) {
  KeyStore ks = make();
  ks.ensure_signing_key();
  std::string old_kid = ks.signer().kid;
  KeyInfo next = ks.rotate(std::nullopt, "tester");
  EXPECT_EQ(next.state, KeyState::kPending);
  // Published at once, but the old key still signs during the publish delay.
  EXPECT_EQ(jwks_kids(ks).size(), 2u);
  EXPECT_EQ(ks.signer().kid, old_kid);
  EXPECT_TRUE(ks.verification_key(next.kid, next.alg).has_value());

  clock_.advance(300s);
  EXPECT_EQ(ks.signer().kid, next.kid);
  // The old key still verifies tokens it signed, for their lifetime plus skew.
  EXPECT_TRUE(ks.verification_key(old_kid, crypto::JwsAlg::kEdDSA).has_value());
  EXPECT_EQ(jwks_kids(ks).size(), 2u);

  clock_.advance(3600s + 59s);
  EXPECT_TRUE(ks.verification_key(old_kid, crypto::JwsAlg::kEdDSA).has_value());
  clock_.advance(1s);
  EXPECT_FALSE(ks.verification_key(old_kid, crypto::JwsAlg::kEdDSA).has_value());
  EXPECT_EQ(jwks_kids(ks), std::vector<std::string>{next.kid});

  auto audit = db_.read([](soci::session& s) { return store::read_audit(s, "", 10); });
  bool rotated = false, retired = false;
  for (auto& a : audit) {
    rotated |= a.action == "identity.key.rotate" && a.actor == "tester";
    retired |= a.action == "identity.key.retire" && a.subject == "key:" + old_kid;
  }
  EXPECT_TRUE(rotated);
  EXPECT_TRUE(retired);
}

TEST_P(KeyStoreTest, VerificationKeyMustMatchTheAlgorithm) {
  KeyStore ks = make();
  ks.ensure_signing_key();
  std::string kid = ks.signer().kid;
  EXPECT_FALSE(ks.verification_key(kid, crypto::JwsAlg::kRS256).has_value());
  EXPECT_FALSE(ks.verification_key("no-such-kid", crypto::JwsAlg::kEdDSA).has_value());
}

TEST_P(KeyStoreTest, EveryAlgorithmCanSign) {
  KeyStore ks = make();
  for (auto alg : {crypto::JwsAlg::kES256, crypto::JwsAlg::kRS256, crypto::JwsAlg::kPS256,
                   crypto::JwsAlg::kEdDSA}) {
    KeyInfo k = ks.create_key(alg, true, "tester");
    clock_.advance(1s);
    auto signer = ks.signer();
    EXPECT_EQ(signer.kid, k.kid);
    EXPECT_EQ(signer.alg, alg);
    auto pub = ks.verification_key(k.kid, alg);
    ASSERT_TRUE(pub.has_value());
    std::string sig = crypto::sign_bytes(signer.key, alg, "message");
    EXPECT_TRUE(crypto::verify_bytes(*pub, alg, "message", sig));
  }
}

TEST_P(KeyStoreTest, AnotherMasterKeyCannotOpenTheSigningKeys) {
  {
    KeyStore ks = make();
    ks.ensure_signing_key();
  }
  KeyStore other(db_, clock_, MasterKey(std::string(32, 'x')), settings_);
  EXPECT_THROW(other.signer(), core::Error);
  EXPECT_EQ(other.jwks()["keys"].size(), 1u);  // public halves are still published
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyStoreTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

TEST(MasterKey, SealsBoundToContext) {
  MasterKey k(std::string(32, 'a'));
  std::string sealed = k.seal("secret pem", "kid-1");
  EXPECT_EQ(sealed.find("secret"), std::string::npos);
  EXPECT_EQ(k.open(sealed, "kid-1"), "secret pem");
  EXPECT_FALSE(k.open(sealed, "kid-2"));
  EXPECT_FALSE(MasterKey(std::string(32, 'b')).open(sealed, "kid-1"));
  std::string tampered = sealed;
  tampered[tampered.size() - 2] ^= 1;
  EXPECT_FALSE(k.open(tampered, "kid-1"));
  EXPECT_NE(k.seal("x", "c"), k.seal("x", "c"));  // fresh nonce each time
  EXPECT_THROW(MasterKey(std::string(31, 'a')), core::Error);
}

TEST(Secrets, Argon2idHashesVerifyOnlyTheirSecret) {
  std::string h = hash_secret("correct horse", HashCost::kMinimal);
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_secret("correct horse", h));
  EXPECT_FALSE(verify_secret("correct horsf", h));
  EXPECT_NE(hash_secret("correct horse", HashCost::kMinimal), h);  // salted
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

}  // namespace
}  // namespace registrar::identity
