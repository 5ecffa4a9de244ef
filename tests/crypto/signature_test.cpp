#include "crypto/signature.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_util.h"

namespace registrar::crypto {
namespace {

constexpr JwsAlg kAll[] = {JwsAlg::kEdDSA, JwsAlg::kRS256, JwsAlg::kPS256, JwsAlg::kES256};

TEST(Signature, AlgorithmNames) {
  for (JwsAlg alg : kAll) EXPECT_EQ(parse_alg(alg_name(alg)), alg);
  for (const char* name : {"none", "HS256", "RS512", "ES384", "Ed25519", "eddsa", ""}) {
    EXPECT_FALSE(parse_alg(name)) << name;
  }
  EXPECT_EQ(alg_key_type(JwsAlg::kPS256), KeyType::kRsa);
  EXPECT_EQ(default_alg(KeyType::kEcP256), JwsAlg::kES256);
}

TEST(Signature, SignAndVerifyEveryAlgorithm) {
  for (JwsAlg alg : kAll) {
    SCOPED_TRACE(std::string(alg_name(alg)));
    const PrivateKey& key = testing::key_for(alg);
    std::string sig = sign_bytes(key, alg, "payload");
    EXPECT_TRUE(verify_bytes(key.public_key(), alg, "payload", sig));
    EXPECT_FALSE(verify_bytes(key.public_key(), alg, "payloaD", sig));
    EXPECT_FALSE(verify_bytes(key.public_key(), alg, "payload", sig.substr(1)));
    EXPECT_FALSE(verify_bytes(key.public_key(), alg, "payload", ""));
  }
  // RS256 and PS256 use one RSA key but are not interchangeable.
  const PrivateKey& rsa = testing::test_key(KeyType::kRsa);
  std::string pss = sign_bytes(rsa, JwsAlg::kPS256, "m");
  EXPECT_FALSE(verify_bytes(rsa.public_key(), JwsAlg::kRS256, "m", pss));
  EXPECT_NE(pss, sign_bytes(rsa, JwsAlg::kPS256, "m"));  // PSS is randomised
  EXPECT_EQ(sign_bytes(rsa, JwsAlg::kRS256, "m"), sign_bytes(rsa, JwsAlg::kRS256, "m"));
}

TEST(Signature, AlgorithmMustFitTheKey) {
  for (JwsAlg alg : kAll) {
    for (KeyType type : {KeyType::kEd25519, KeyType::kRsa, KeyType::kEcP256}) {
      if (alg_matches_key(alg, type)) continue;
      const PrivateKey& key = testing::test_key(type);
      EXPECT_THROW(sign_bytes(key, alg, "m"), core::Error);
      std::string sig = sign_bytes(key, default_alg(type), "m");
      EXPECT_FALSE(verify_bytes(key.public_key(), alg, "m", sig));
    }
  }
}

TEST(Signature, EcdsaDerConversion) {
  // R || S of RFC 7515 Appendix A.3.
  std::string raw = testing::unhex(
      "0ed1215379636c483c2f7f155807d402a3b228033af97c7e17819ac3169ea665"
      "c50a07d38c3c70e5d8f12daf084a5480a66590c5f293509a8f3f7f8a83a354d5");
  auto der = ecdsa_raw_to_der(raw);
  ASSERT_TRUE(der);
  EXPECT_EQ(static_cast<uint8_t>((*der)[0]), 0x30);
  EXPECT_EQ(ecdsa_der_to_raw(*der), raw);
  // Leading zero bytes of r and s survive the round trip (DER drops them, raw keeps width).
  std::string small(64, '\0');
  small[31] = 1;
  small[63] = 2;
  auto small_der = ecdsa_raw_to_der(small);
  ASSERT_TRUE(small_der);
  EXPECT_EQ(small_der->size(), 8u);
  EXPECT_EQ(ecdsa_der_to_raw(*small_der), small);
  EXPECT_FALSE(ecdsa_raw_to_der(""));
  EXPECT_FALSE(ecdsa_raw_to_der("abc"));
  EXPECT_FALSE(ecdsa_der_to_raw("garbage"));
  EXPECT_FALSE(ecdsa_der_to_raw(*der + "x"));  // trailing bytes
  std::string big(66, '\x7f');                 // r and s too wide for 32 bytes
  EXPECT_FALSE(ecdsa_der_to_raw(*ecdsa_raw_to_der(big)));
}

}  // namespace
}  // namespace registrar::crypto
