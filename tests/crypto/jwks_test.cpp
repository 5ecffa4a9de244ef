#include "crypto/jwks.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_util.h"

namespace registrar::crypto {
namespace {

using testing::key_for;
using testing::test_key;

Json jwk(KeyType type, std::string kid, std::string alg = "") {
  return test_key(type).public_key().to_jwk({.kid = std::move(kid), .alg = std::move(alg)});
}

std::string skip_reason(const Jwks& set, const std::string& kid) {
  for (const auto& s : set.skipped()) {
    if (s.kid == kid) return s.reason;
  }
  return "<not skipped>";
}

TEST(Jwks, ParsesUsableKeysAndReportsTheRest) {
  std::string x32 = testing::b64u(std::string(32, 'x'));
  Json enc = jwk(KeyType::kRsa, "enc");
  enc["use"] = "enc";
  Json doc = {{"keys",
               {jwk(KeyType::kEd25519, "ed", "EdDSA"),
                jwk(KeyType::kRsa, "rsa"),
                jwk(KeyType::kEcP256, "ec", "ES256"),
                {{"kty", "OKP"}, {"crv", "X25519"}, {"x", x32}, {"kid", "x25519"}},
                {{"kty", "EC"}, {"crv", "P-384"}, {"x", x32}, {"y", x32}, {"kid", "p384"}},
                {{"kty", "oct"}, {"k", x32}, {"kid", "hmac"}},
                enc,
                jwk(KeyType::kRsa, "rs512", "RS512"),
                jwk(KeyType::kRsa, "mismatch", "EdDSA"),
                jwk(KeyType::kEcP256, "ed"),  // duplicate kid
                test_key(KeyType::kEcP256).to_private_jwk({.kid = "private"}),
                "not an object",
                {{"kty", "RSA"}, {"kid", 5}}}}};
  Jwks set = Jwks::parse(doc.dump());
  ASSERT_EQ(set.keys().size(), 3u);
  EXPECT_EQ(set.keys()[0].kid, "ed");
  EXPECT_EQ(set.keys()[0].alg, JwsAlg::kEdDSA);
  EXPECT_FALSE(set.keys()[1].alg);
  EXPECT_TRUE(set.find("rsa")->key == test_key(KeyType::kRsa).public_key());
  EXPECT_EQ(set.find("nope"), nullptr);
  EXPECT_EQ(set.skipped().size(), 10u);
  EXPECT_NE(skip_reason(set, "x25519").find("X25519"), std::string::npos);
  EXPECT_NE(skip_reason(set, "p384").find("P-384"), std::string::npos);
  EXPECT_NE(skip_reason(set, "hmac").find("oct"), std::string::npos);
  EXPECT_NE(skip_reason(set, "enc").find("use"), std::string::npos);
  EXPECT_NE(skip_reason(set, "rs512").find("RS512"), std::string::npos);
  EXPECT_NE(skip_reason(set, "mismatch").find("does not fit"), std::string::npos);
  EXPECT_NE(skip_reason(set, "ed").find("duplicate"), std::string::npos);
  EXPECT_NE(skip_reason(set, "private").find("private"), std::string::npos);
  EXPECT_EQ(set.skipped()[8].index, 11u);
}

TEST(Jwks, RejectsDocumentsThatAreNotASet) {
  EXPECT_THROW(Jwks::parse("nope"), core::Error);
  EXPECT_THROW(Jwks::parse("[]"), core::Error);
  EXPECT_THROW(Jwks::parse("{}"), core::Error);
  EXPECT_THROW(Jwks::parse(R"({"keys":{}})"), core::Error);
  EXPECT_TRUE(Jwks::parse(R"({"keys":[]})").keys().empty());
}

TEST(Jwks, ResolveHonoursKidTypeAndAlg) {
  Jwks set;
  set.add({"a", JwsAlg::kPS256, test_key(KeyType::kRsa).public_key()});
  set.add({"b", std::nullopt, test_key(KeyType::kRsa).public_key()});
  set.add({"", std::nullopt, test_key(KeyType::kEd25519).public_key()});
  EXPECT_THROW(set.add({"a", std::nullopt, test_key(KeyType::kEcP256).public_key()}), core::Error);
  EXPECT_TRUE(set.resolve("a", JwsAlg::kPS256));
  EXPECT_FALSE(set.resolve("a", JwsAlg::kRS256));  // the key is pinned to PS256
  EXPECT_TRUE(set.resolve("b", JwsAlg::kRS256));
  EXPECT_FALSE(set.resolve("b", JwsAlg::kES256));  // wrong key type
  EXPECT_TRUE(set.resolve("", JwsAlg::kEdDSA));
  EXPECT_FALSE(set.resolve("c", JwsAlg::kRS256));
}

TEST(Jwks, SerialisesAndParsesBack) {
  Jwks set;
  set.add({"ed", JwsAlg::kEdDSA, test_key(KeyType::kEd25519).public_key()});
  set.add({"rsa", JwsAlg::kRS256, test_key(KeyType::kRsa).public_key()});
  set.add({"ec", JwsAlg::kES256, test_key(KeyType::kEcP256).public_key()});
  Json doc = set.to_json();
  ASSERT_EQ(doc["keys"].size(), 3u);
  for (const Json& k : doc["keys"]) {
    EXPECT_EQ(k["use"], "sig");
    EXPECT_FALSE(k.contains("d"));
  }
  Jwks back = Jwks::parse(doc.dump());
  EXPECT_TRUE(back.skipped().empty());
  ASSERT_EQ(back.keys().size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.keys()[i].kid, set.keys()[i].kid);
    EXPECT_EQ(back.keys()[i].alg, set.keys()[i].alg);
    EXPECT_TRUE(back.keys()[i].key == set.keys()[i].key);
  }
}

TEST(Jwks, ResolverValidatesTokens) {
  Jwks set;
  set.add({"ec-1", JwsAlg::kES256, test_key(KeyType::kEcP256).public_key()});
  std::string token =
      issue_jwt({{"sub", "s"}}, key_for(JwsAlg::kES256), JwsAlg::kES256, {.kid = "ec-1"});
  JwtValidationOptions o;
  o.allowed_algs = {JwsAlg::kES256, JwsAlg::kEdDSA};
  o.require_exp = false;
  auto resolver = set.resolver();
  EXPECT_TRUE(validate_jwt(token, resolver, o));
  std::string other =
      issue_jwt({{"sub", "s"}}, key_for(JwsAlg::kEdDSA), JwsAlg::kEdDSA, {.kid = "ec-1"});
  EXPECT_EQ(validate_jwt(other, resolver, o).reason(), JoseError::kUnknownKey);
}

}  // namespace
}  // namespace registrar::crypto
