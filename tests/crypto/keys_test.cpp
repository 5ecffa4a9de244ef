#include "crypto/keys.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/base64.h"
#include "core/error.h"
#include "crypto/signature.h"
#include "fixtures.h"
#include "test_util.h"

namespace registrar::crypto {
namespace {

using testing::test_key;

// Runs `f` and returns the core::Error it throws (fails the test when it does not throw).
template <class F>
core::Error error_of(F f) {
  try {
    f();
  } catch (const core::Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected core::Error";
  return core::Error(core::ErrorKind::kInternal, "did not throw");
}

#define EXPECT_REJECTED(expr, fragment)                                                            \
  do {                                                                                             \
    core::Error e = error_of([&] { (void)(expr); });                                               \
    EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument) << e.what();                            \
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << "message: " << e.what(); \
  } while (0)

TEST(Keys, GeneratesEveryType) {
  for (auto [type, bits] :
       {std::pair{KeyType::kEd25519, 256}, {KeyType::kRsa, 2048}, {KeyType::kEcP256, 256}}) {
    const PrivateKey& key = test_key(type);
    EXPECT_EQ(key.type(), type);
    EXPECT_EQ(key.bits(), bits);
    EXPECT_EQ(key.public_key().type(), type);
    EXPECT_EQ(key.public_key().bits(), bits);
  }
  EXPECT_FALSE(PrivateKey::generate(KeyType::kEd25519).public_key() ==
               test_key(KeyType::kEd25519).public_key());
}

TEST(Keys, GenerationRejectsRsaSizesOutOfRange) {
  EXPECT_REJECTED(PrivateKey::generate(KeyType::kRsa, 1024), "2048 to 4096");
  EXPECT_REJECTED(PrivateKey::generate(KeyType::kRsa, 8192), "2048 to 4096");
}

TEST(Keys, PemRoundTripsForEveryType) {
  for (KeyType type : {KeyType::kEd25519, KeyType::kRsa, KeyType::kEcP256}) {
    SCOPED_TRACE(key_type_name(type));
    const PrivateKey& key = test_key(type);
    std::string pub_pem = key.public_key().to_pem();
    EXPECT_EQ(pub_pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
    EXPECT_TRUE(PublicKey::from_pem(pub_pem) == key.public_key());
    std::string priv_pem = key.to_pem();
    EXPECT_EQ(priv_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
    PrivateKey again = PrivateKey::from_pem(priv_pem);
    EXPECT_TRUE(again.public_key() == key.public_key());
    EXPECT_EQ(again.to_pem(), priv_pem);
    // The re-imported key signs what the original verifies.
    JwsAlg alg = default_alg(type);
    EXPECT_TRUE(verify_bytes(key.public_key(), alg, "m", sign_bytes(again, alg, "m")));
  }
}

TEST(Keys, ImportsOpenSslEncodingsOfOneRsaKey) {
  PrivateKey traditional = PrivateKey::from_pem(fixtures::kRsaTraditional);
  PrivateKey pkcs8 = PrivateKey::from_pem(fixtures::kRsaPkcs8);
  EXPECT_EQ(traditional.type(), KeyType::kRsa);
  EXPECT_EQ(traditional.bits(), 2048);
  EXPECT_EQ(pkcs8.to_pem(), fixtures::kRsaPkcs8);
  const PublicKey& pub = traditional.public_key();
  EXPECT_TRUE(pkcs8.public_key() == pub);
  EXPECT_TRUE(PublicKey::from_pem(fixtures::kRsaPkcs1Public) == pub);
  EXPECT_TRUE(PublicKey::from_pem(fixtures::kRsaSpki) == pub);
  EXPECT_TRUE(PublicKey::from_pem(fixtures::kRsaCertificate) == pub);
  EXPECT_EQ(pub.to_pem(), fixtures::kRsaSpki);
}

TEST(Keys, ImportsOpenSslEcAndEd25519Encodings) {
  PrivateKey sec1 = PrivateKey::from_pem(fixtures::kEcSec1);
  PrivateKey pkcs8 = PrivateKey::from_pem(fixtures::kEcPkcs8);
  EXPECT_EQ(sec1.type(), KeyType::kEcP256);
  EXPECT_TRUE(sec1.public_key() == pkcs8.public_key());
  EXPECT_EQ(sec1.public_key().to_pem(), fixtures::kEcSpki);
  // Ed25519 PEMs are built from fixed DER prefixes; they must equal OpenSSL's output.
  PrivateKey ed = PrivateKey::from_pem(fixtures::kEd25519Pkcs8);
  EXPECT_EQ(ed.type(), KeyType::kEd25519);
  EXPECT_EQ(ed.to_pem(), fixtures::kEd25519Pkcs8);
  EXPECT_EQ(ed.public_key().to_pem(), fixtures::kEd25519Spki);
  EXPECT_TRUE(PublicKey::from_pem(fixtures::kEd25519Spki) == ed.public_key());
}

TEST(Keys, RejectsUnsupportedKeys) {
  EXPECT_REJECTED(PublicKey::from_pem(fixtures::kEcP384Spki), "P-256");
  EXPECT_REJECTED(PublicKey::from_pem(fixtures::kSecp256k1Spki), "P-256");
  EXPECT_REJECTED(PublicKey::from_pem(fixtures::kRsa1024Spki), "1024");
  EXPECT_REJECTED(PublicKey::from_pem(fixtures::kRsa4160Spki), "4160");
  EXPECT_REJECTED(PublicKey::from_pem(fixtures::kEd448Spki), "unsupported key type");
  EXPECT_REJECTED(PublicKey::from_pem(fixtures::kX25519Spki), "unsupported key type");
  EXPECT_REJECTED(PrivateKey::from_pem(fixtures::kRsaEncrypted), "encrypted");
}

TEST(Keys, RejectsMalformedPem) {
  EXPECT_REJECTED(PublicKey::from_pem("hello"), "no -----BEGIN");
  EXPECT_REJECTED(PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n"), "END line");
  EXPECT_REJECTED(PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----"),
                  "base64");
  EXPECT_REJECTED(PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
                  "malformed SubjectPublicKeyInfo");
  EXPECT_REJECTED(PublicKey::from_pem("-----BEGIN FOO-----\nAAAA\n-----END FOO-----"),
                  "unsupported PEM label");
  EXPECT_REJECTED(PublicKey::from_pem(fixtures::kRsaPkcs8), "private key was supplied");
  EXPECT_REJECTED(PrivateKey::from_pem(fixtures::kRsaSpki), "unsupported PEM label");
  // A PKCS#1 body under an SPKI label is not guessed at.
  std::string pkcs1 = fixtures::kRsaPkcs1Public;
  std::string relabelled = "-----BEGIN PUBLIC KEY-----" + pkcs1.substr(pkcs1.find('\n'));
  relabelled.replace(relabelled.find("RSA PUBLIC KEY"), 14, "PUBLIC KEY");
  EXPECT_REJECTED(PublicKey::from_pem(relabelled), "malformed");
}

TEST(Keys, SpkiDerRejectsTrailingBytes) {
  std::string der = test_key(KeyType::kEcP256).public_key().to_spki_der();
  EXPECT_TRUE(PublicKey::from_spki_der(der) == test_key(KeyType::kEcP256).public_key());
  EXPECT_REJECTED(PublicKey::from_spki_der(der + std::string(1, '\0')), "trailing bytes");
  EXPECT_REJECTED(PublicKey::from_spki_der(der.substr(0, der.size() - 1)), "malformed");
}

TEST(Keys, Ed25519RawKeys) {
  const PublicKey& pub = test_key(KeyType::kEd25519).public_key();
  std::string raw(reinterpret_cast<const char*>(pub.ed25519_raw().data()), 32);
  EXPECT_TRUE(PublicKey::from_ed25519_raw(raw) == pub);
  EXPECT_REJECTED(PublicKey::from_ed25519_raw(raw.substr(1)), "32 bytes");
  // The identity point (y = 1) has small order.
  std::string identity(32, '\0');
  identity[0] = 1;
  EXPECT_REJECTED(PublicKey::from_ed25519_raw(identity), "not a valid Ed25519");
  EXPECT_REJECTED(PrivateKey::from_ed25519_seed("short"), "32 bytes");
}

TEST(Keys, ParseAnyAcceptsEveryClientFormat) {
  PublicKey rsa = PublicKey::from_pem(fixtures::kRsaSpki);
  std::string der = rsa.to_spki_der();
  std::string b64 = core::base64_encode(der);
  EXPECT_TRUE(parse_public_key_any(fixtures::kRsaSpki) == rsa);
  EXPECT_TRUE(parse_public_key_any(fixtures::kRsaPkcs1Public) == rsa);
  EXPECT_TRUE(parse_public_key_any(fixtures::kRsaCertificate) == rsa);
  EXPECT_TRUE(parse_public_key_any(b64) == rsa);  // what the DHP API sends
  EXPECT_TRUE(parse_public_key_any("  " + b64.substr(0, 60) + "\n" + b64.substr(60) + "\n") == rsa);
  EXPECT_TRUE(parse_public_key_any(rsa.to_jwk({.kid = "k"}).dump()) == rsa);
  const PublicKey& ed = test_key(KeyType::kEd25519).public_key();
  std::string raw(reinterpret_cast<const char*>(ed.ed25519_raw().data()), 32);
  EXPECT_TRUE(parse_public_key_any(core::base64_encode(raw)) == ed);
  EXPECT_REJECTED(parse_public_key_any(fixtures::kRsaPkcs8), "private key was supplied");
  EXPECT_TRUE(parse_public_key_any(fixtures::kRsaPkcs8, {.accept_private_pem = true}) == rsa);
  EXPECT_REJECTED(parse_public_key_any(""), "empty");
  EXPECT_REJECTED(parse_public_key_any("not a key!"), "neither PEM");
  EXPECT_REJECTED(parse_public_key_any("{\"kty\":\"RSA\""), "JSON");
}

TEST(Keys, EqualityComparesTheKeyNotTheObject) {
  const PublicKey& a = test_key(KeyType::kRsa).public_key();
  PublicKey copy = a;
  EXPECT_TRUE(copy == a);
  EXPECT_TRUE(PublicKey::from_pem(a.to_pem()) == a);
  EXPECT_FALSE(a == test_key(KeyType::kEcP256).public_key());
}

// One key used from several threads at once, for signing and verifying.
TEST(Keys, ConcurrentSignAndVerifyWithSharedKeys) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        for (JwsAlg alg : {JwsAlg::kEdDSA, JwsAlg::kRS256, JwsAlg::kPS256, JwsAlg::kES256}) {
          const PrivateKey& key = testing::key_for(alg);
          std::string msg = "thread " + std::to_string(t) + " message " + std::to_string(i);
          std::string sig = sign_bytes(key, alg, msg);
          if (!verify_bytes(key.public_key(), alg, msg, sig)) ++failures;
          if (verify_bytes(key.public_key(), alg, msg + "!", sig)) ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace registrar::crypto
