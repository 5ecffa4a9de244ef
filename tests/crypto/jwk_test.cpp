#include <gtest/gtest.h>

#include "core/error.h"
#include "crypto/keys.h"
#include "crypto/signature.h"
#include "test_util.h"

namespace registrar::crypto {
namespace {

using testing::test_key;

// The message of the core::Error that `f` throws, "" when it does not throw.
template <class F>
std::string rejection(F f) {
  try {
    f();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument);
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const char* fragment) {
  return s.find(fragment) != std::string::npos;
}

TEST(Jwk, PublicRoundTripForEveryType) {
  for (KeyType type : {KeyType::kEd25519, KeyType::kRsa, KeyType::kEcP256}) {
    SCOPED_TRACE(key_type_name(type));
    const PublicKey& pub = test_key(type).public_key();
    Json jwk = pub.to_jwk({.kid = "k1", .alg = "X", .use = "sig"});
    EXPECT_EQ(jwk["kid"], "k1");
    EXPECT_EQ(jwk["alg"], "X");
    EXPECT_EQ(jwk["use"], "sig");
    EXPECT_FALSE(jwk.contains("d"));
    EXPECT_TRUE(PublicKey::from_jwk(jwk) == pub);
    EXPECT_TRUE(PublicKey::from_jwk(std::string_view(jwk.dump())) == pub);
    // The thumbprint ignores the optional members.
    EXPECT_EQ(PublicKey::from_jwk(jwk).thumbprint(), pub.thumbprint());
    EXPECT_EQ(pub.thumbprint().size(), 43u);
  }
  EXPECT_EQ(test_key(KeyType::kEcP256).public_key().to_jwk()["crv"], "P-256");
  EXPECT_EQ(test_key(KeyType::kEd25519).public_key().to_jwk()["kty"], "OKP");
}

TEST(Jwk, PrivateRoundTripForEveryType) {
  for (KeyType type : {KeyType::kEd25519, KeyType::kRsa, KeyType::kEcP256}) {
    SCOPED_TRACE(key_type_name(type));
    const PrivateKey& key = test_key(type);
    Json jwk = key.to_private_jwk();
    ASSERT_TRUE(jwk.contains("d"));
    PrivateKey again = PrivateKey::from_jwk(jwk);
    EXPECT_TRUE(again.public_key() == key.public_key());
    JwsAlg alg = default_alg(type);
    EXPECT_TRUE(verify_bytes(key.public_key(), alg, "m", sign_bytes(again, alg, "m")));
  }
}

TEST(Jwk, PublicImportRejectsPrivateMembers) {
  for (KeyType type : {KeyType::kEd25519, KeyType::kRsa, KeyType::kEcP256}) {
    Json jwk = test_key(type).to_private_jwk();
    EXPECT_TRUE(contains(rejection([&] { PublicKey::from_jwk(jwk); }), "private key member 'd'"));
  }
  Json rsa = test_key(KeyType::kRsa).public_key().to_jwk();
  rsa["p"] = "AQAB";
  EXPECT_TRUE(contains(rejection([&] { PublicKey::from_jwk(rsa); }), "member 'p'"));
}

TEST(Jwk, RejectsOtherKeyTypesAndCurves) {
  auto reject = [](Json jwk) { return rejection([&] { PublicKey::from_jwk(jwk); }); };
  std::string x32 = testing::b64u(std::string(32, 'x'));
  EXPECT_TRUE(contains(reject({{"kty", "OKP"}, {"crv", "X25519"}, {"x", x32}}), "curve 'X25519'"));
  EXPECT_TRUE(contains(reject({{"kty", "OKP"}, {"crv", "Ed448"}, {"x", x32}}), "curve 'Ed448'"));
  EXPECT_TRUE(
      contains(reject({{"kty", "EC"}, {"crv", "P-384"}, {"x", x32}, {"y", x32}}), "curve 'P-384'"));
  EXPECT_TRUE(
      contains(reject({{"kty", "EC"}, {"crv", "secp256k1"}, {"x", x32}, {"y", x32}}), "secp256k1"));
  EXPECT_TRUE(contains(reject({{"kty", "oct"}, {"k", x32}}), "key type 'oct'"));
  EXPECT_TRUE(contains(reject({{"crv", "Ed25519"}}), "'kty'"));
  EXPECT_TRUE(contains(reject(Json::array()), "JSON object"));
  EXPECT_TRUE(contains(rejection([] { PublicKey::from_jwk(std::string_view("{oops")); }),
                       "not a JSON object"));
}

TEST(Jwk, RejectsMalformedMembers) {
  auto reject = [](Json jwk) { return rejection([&] { PublicKey::from_jwk(jwk); }); };
  Json ed = test_key(KeyType::kEd25519).public_key().to_jwk();
  Json ec = test_key(KeyType::kEcP256).public_key().to_jwk();
  Json rsa = test_key(KeyType::kRsa).public_key().to_jwk();

  Json j = ed;
  j["x"] = testing::b64u(std::string(31, 'x'));
  EXPECT_TRUE(contains(reject(j), "32 bytes"));
  j["x"] = "not base64url!";
  EXPECT_TRUE(contains(reject(j), "not base64url"));
  j["x"] = 42;
  EXPECT_TRUE(contains(reject(j), "must be a string"));

  j = ec;
  j.erase("y");
  EXPECT_TRUE(contains(reject(j), "'y' is missing"));
  j = ec;
  j["y"] = j["x"];  // (x, x) is not on the curve
  EXPECT_FALSE(reject(j).empty());

  j = rsa;
  j.erase("e");
  EXPECT_TRUE(contains(reject(j), "'e' is missing"));
  j = rsa;
  j["n"] = testing::b64u(std::string(128, '\x81'));  // 1024 bits
  EXPECT_TRUE(contains(reject(j), "2048 to 4096"));
  j = rsa;
  j["e"] = "Ag";  // an even exponent
  EXPECT_FALSE(reject(j).empty());
}

TEST(Jwk, PrivateImportChecksConsistency) {
  Json ed = test_key(KeyType::kEd25519).to_private_jwk();
  ed["x"] = PrivateKey::generate(KeyType::kEd25519).public_key().to_jwk()["x"];
  EXPECT_TRUE(contains(rejection([&] { PrivateKey::from_jwk(ed); }), "do not belong"));

  Json ec = test_key(KeyType::kEcP256).to_private_jwk();
  ec["d"] = PrivateKey::generate(KeyType::kEcP256).to_private_jwk()["d"];
  EXPECT_FALSE(rejection([&] { PrivateKey::from_jwk(ec); }).empty());

  Json rsa = test_key(KeyType::kRsa).to_private_jwk();
  rsa.erase("qi");
  EXPECT_TRUE(contains(rejection([&] { PrivateKey::from_jwk(rsa); }), "'qi' is missing"));
  rsa = test_key(KeyType::kRsa).to_private_jwk();
  rsa["oth"] = Json::array();
  EXPECT_TRUE(contains(rejection([&] { PrivateKey::from_jwk(rsa); }), "multi-prime"));
}

}  // namespace
}  // namespace registrar::crypto
