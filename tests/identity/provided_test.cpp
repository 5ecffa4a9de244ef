// What identity offers other modules through the service registry, on both backends: signing
// keys of their own published in the JWKS, sealing with the master key.
#include <gtest/gtest.h>

#include "core/error.h"
#include "crypto/signature.h"
#include "identity/keystore.h"
#include "identity/module_key_store.h"
#include "identity/module_keys.h"
#include "identity/provided.h"
#include "identity/store.h"
#include "services/registry.h"
#include "store/audit.h"
#include "support/databases.h"

namespace registrar::identity {
namespace {

class ProvidedTest : public ::testing::TestWithParam<std::string> {
 protected:
  ProvidedTest() : tdb_(GetParam()), db_(tdb_.options()) {
    auto m = identity_migrations();
    store::migrate(db_, {store::platform_schema(), {"identity", m}}, clock_);
    keys_.ensure_signing_key();
  }

  testing::TestDatabase tdb_;
  core::ManualClock clock_{core::SystemTime(std::chrono::seconds(1'800'000'000))};
  store::Database db_;
  KeyStore keys_{db_, clock_, MasterKey(std::string(32, 'k')), KeySettings{}};
};

TEST_P(ProvidedTest, AModuleKeySignsAndIsTheSameOnEveryInstance) {
  ModuleKeys first(db_, clock_, keys_.master_key(), keys_);
  first.load();
  first.ensure_key("ibr-1", crypto::JwsAlg::kEdDSA, "ibr");
  first.ensure_key("ibr-1", crypto::JwsAlg::kEdDSA, "ibr");  // idempotent
  std::string sig = first.sign("ibr-1", "message");
  EXPECT_TRUE(
      crypto::verify_bytes(first.public_key("ibr-1"), crypto::JwsAlg::kEdDSA, "message", sig));
  EXPECT_FALSE(
      crypto::verify_bytes(first.public_key("ibr-1"), crypto::JwsAlg::kEdDSA, "other", sig));
  // A second instance on the same database finds the same key, and asking again creates none.
  ModuleKeys second(db_, clock_, keys_.master_key(), keys_);
  second.load();
  EXPECT_EQ(second.public_key("ibr-1").thumbprint(), first.public_key("ibr-1").thumbprint());
  second.ensure_key("ibr-1", crypto::JwsAlg::kEdDSA, "ibr");
  EXPECT_EQ(db_.read([](soci::session& s) { return all_module_keys(s); }).size(), 1u);
  EXPECT_TRUE(
      crypto::verify_bytes(second.public_key("ibr-1"), crypto::JwsAlg::kEdDSA, "message", sig));
  // RS256 keys too (DCI's alternative algorithm).
  first.ensure_key("ibr-rsa", crypto::JwsAlg::kRS256, "ibr");
  EXPECT_EQ(first.algorithm("ibr-rsa"), crypto::JwsAlg::kRS256);
  EXPECT_TRUE(crypto::verify_bytes(first.public_key("ibr-rsa"), crypto::JwsAlg::kRS256, "m",
                                   first.sign("ibr-rsa", "m")));
}

TEST_P(ProvidedTest, ModuleKeysArePublishedWithTheirKid) {
  ModuleKeys mk(db_, clock_, keys_.master_key(), keys_);
  mk.load();
  mk.ensure_key("intercoop-2026", crypto::JwsAlg::kEdDSA, "intercoop");
  auto jwks = mk.public_jwks();
  ASSERT_EQ(jwks.size(), 1u);
  EXPECT_EQ(jwks[0]["kid"], "intercoop-2026");
  EXPECT_EQ(jwks[0]["alg"], "EdDSA");
  EXPECT_EQ(jwks[0]["use"], "sig");
  EXPECT_FALSE(jwks[0].contains("d"));  // never the private part
}

TEST_P(ProvidedTest, AKidIsNeverSharedBetweenOwnersAlgorithmsOrTokenKeys) {
  ModuleKeys mk(db_, clock_, keys_.master_key(), keys_);
  mk.load();
  mk.ensure_key("shared", crypto::JwsAlg::kEdDSA, "ibr");
  EXPECT_THROW(mk.ensure_key("shared", crypto::JwsAlg::kEdDSA, "intercoop"), core::Error);
  EXPECT_THROW(mk.ensure_key("shared", crypto::JwsAlg::kRS256, "ibr"), core::Error);
  EXPECT_THROW(mk.ensure_key(keys_.signer().kid, crypto::JwsAlg::kEdDSA, "ibr"), core::Error);
  EXPECT_THROW(mk.ensure_key("", crypto::JwsAlg::kEdDSA, "ibr"), core::Error);
  try {
    mk.sign("never-made", "x");
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kNotFound);
  }
}

TEST_P(ProvidedTest, ModuleKeysOpenOnlyWithTheirMasterKey) {
  ModuleKeys mk(db_, clock_, keys_.master_key(), keys_);
  mk.load();
  mk.ensure_key("k", crypto::JwsAlg::kEdDSA, "ibr");
  MasterKey other(std::string(32, 'o'));
  ModuleKeys stranger(db_, clock_, other, keys_);
  stranger.load();
  EXPECT_NO_THROW(stranger.public_key("k"));  // still published
  try {
    stranger.sign("k", "x");
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kUnavailable);
  }
}

TEST_P(ProvidedTest, SealingIsBoundToItsContext) {
  MasterKeySealing sealing(keys_.master_key());
  std::string sealed = sealing.seal("client-secret", "dci.source:1");
  EXPECT_EQ(sealed.find("client-secret"), std::string::npos);
  EXPECT_EQ(sealing.open(sealed, "dci.source:1"), "client-secret");
  EXPECT_EQ(sealing.open(sealed, "dci.source:2"), std::nullopt);
}

TEST_P(ProvidedTest, TheRegistryFindsWhatWasProvided) {
  ModuleKeys mk(db_, clock_, keys_.master_key(), keys_);
  MasterKeySealing sealing(keys_.master_key());
  services::Registry registry;
  registry.provide<services::Signing>(mk, "identity");
  registry.provide<services::Sealing>(sealing, "identity");
  EXPECT_EQ(&registry.find<services::Signing>(), &mk);
  EXPECT_EQ(registry.describe(), "identity.sealing (identity), identity.signing (identity)");
}

INSTANTIATE_TEST_SUITE_P(Backends, ProvidedTest, ::testing::ValuesIn(testing::test_backends()));

}  // namespace
}  // namespace registrar::identity
