// Published test vectors: RFC 8032 §7.1, RFC 8037 Appendix A, RFC 7515 Appendix A.2, A.3 and
// A.6, RFC 7638 §3.1.
#include <gtest/gtest.h>

#include "crypto/jws.h"
#include "crypto/keys.h"
#include "crypto/signature.h"
#include "test_util.h"

namespace registrar::crypto {
namespace {

using testing::b64u;
using testing::unb64u;
using testing::unhex;

struct Ed25519Vector {
  const char* name;
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 §7.1, TEST 1, 2 and 3.
const Ed25519Vector kRfc8032[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

TEST(Rfc8032, Ed25519VectorsSignAndVerify) {
  for (const auto& v : kRfc8032) {
    SCOPED_TRACE(v.name);
    PrivateKey key = PrivateKey::from_ed25519_seed(unhex(v.secret));
    PublicKey pub = PublicKey::from_ed25519_raw(unhex(v.public_key));
    EXPECT_TRUE(key.public_key() == pub);
    std::string message = unhex(v.message);
    EXPECT_EQ(sign_bytes(key, JwsAlg::kEdDSA, message), unhex(v.signature));
    EXPECT_TRUE(verify_bytes(pub, JwsAlg::kEdDSA, message, unhex(v.signature)));
    EXPECT_FALSE(verify_bytes(pub, JwsAlg::kEdDSA, message + "x", unhex(v.signature)));
  }
}

// RFC 8037 Appendix A.
constexpr const char* kRfc8037PrivateJwk =
    R"({"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
constexpr const char* kRfc8037PublicJwk =
    R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
constexpr const char* kRfc8037Jws =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

TEST(Rfc8037, KeysAndThumbprint) {
  PrivateKey key = PrivateKey::from_jwk(Json::parse(kRfc8037PrivateJwk));
  PublicKey pub = PublicKey::from_jwk(std::string_view(kRfc8037PublicJwk));
  EXPECT_TRUE(key.public_key() == pub);
  // A.1: d is the RFC 8032 TEST 1 secret key.
  EXPECT_EQ(key.public_key().to_spki_der().substr(12),
            unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  EXPECT_EQ(pub.to_jwk(), Json::parse(kRfc8037PublicJwk));
  EXPECT_EQ(key.to_private_jwk(), Json::parse(kRfc8037PrivateJwk));
  // A.3
  EXPECT_EQ(pub.thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

TEST(Rfc8037, JwsSignatureIsReproducedAndVerifies) {
  PrivateKey key = PrivateKey::from_jwk(Json::parse(kRfc8037PrivateJwk));
  // A.4: Ed25519 is deterministic, so signing gives the published JWS byte for byte.
  EXPECT_EQ(sign_compact("Example of Ed25519 signing", key, JwsAlg::kEdDSA), kRfc8037Jws);
  // A.5
  auto verified = verify_jws(kRfc8037Jws, key.public_key(), testing::allow({JwsAlg::kEdDSA}));
  ASSERT_TRUE(verified) << verified.message();
  EXPECT_EQ(verified->payload, "Example of Ed25519 signing");
}

// RFC 7515 Appendix A.2.1: the RSA key, as a JWK.
Json rfc7515_rsa_jwk() {
  return {
      {"kty", "RSA"},
      {"n",
       "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-"
       "4qPCJrcS2mJPMEzP1Pt0Bm4d4"
       "QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-"
       "bSf63kpaSHSXndS5z5rexMdb"
       "BYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_"
       "I5IhlJH7aGhyxXFvUK-D"
       "WNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"},
      {"e", "AQAB"},
      {"d",
       "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-"
       "7YwVol2NXOoA"
       "Je46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_"
       "V51gfpR"
       "LI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_"
       "jTj3ccPDVZF"
       "D9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ"},
      {"p",
       "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_"
       "Py5PJd"
       "TJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc"},
      {"q",
       "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-"
       "7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_"
       "YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc"},
      {"dp",
       "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-"
       "FOKnu1R6H"
       "sJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0"},
      {"dq",
       "h_96-mK1R_"
       "7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF"
       "-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU"},
      {"qi",
       "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_"
       "QJQ3ydy5cY7YIB"
       "i87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"},
  };
}

// RFC 7515 Appendix A.3.1: the EC key.
Json rfc7515_ec_jwk() {
  return {{"kty", "EC"},
          {"crv", "P-256"},
          {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
          {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
          {"d", "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}};
}

// The JWT claims of Appendix A.1–A.3, with their CR LF line breaks.
constexpr const char* kRfc7515Payload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q";
constexpr const char* kRs256Signature =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
    "O8W2Fp5jujG"
    "bds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"
    "nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-"
    "eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6"
    "LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
constexpr const char* kEs256Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

TEST(Rfc7515, A2Rs256VerifiesAndIsReproduced) {
  PrivateKey key = PrivateKey::from_jwk(rfc7515_rsa_jwk());
  Json pub_jwk = rfc7515_rsa_jwk();
  for (const char* m : {"d", "p", "q", "dp", "dq", "qi"}) pub_jwk.erase(m);
  PublicKey pub = PublicKey::from_jwk(pub_jwk);
  EXPECT_TRUE(key.public_key() == pub);
  std::string jws = std::string("eyJhbGciOiJSUzI1NiJ9.") + kRfc7515Payload + "." + kRs256Signature;
  auto verified = verify_jws(jws, pub, testing::allow({JwsAlg::kRS256}));
  ASSERT_TRUE(verified) << verified.message();
  EXPECT_EQ(Json::parse(verified->payload)["iss"], "joe");
  // RSASSA-PKCS1-v1_5 is deterministic: the published signature comes out again.
  std::string input = std::string("eyJhbGciOiJSUzI1NiJ9.") + kRfc7515Payload;
  EXPECT_EQ(b64u(sign_bytes(key, JwsAlg::kRS256, input)), kRs256Signature);
}

TEST(Rfc7515, A3Es256Verifies) {
  PrivateKey key = PrivateKey::from_jwk(rfc7515_ec_jwk());
  Json pub_jwk = rfc7515_ec_jwk();
  pub_jwk.erase("d");
  PublicKey pub = PublicKey::from_jwk(pub_jwk);
  EXPECT_TRUE(key.public_key() == pub);
  std::string jws = std::string("eyJhbGciOiJFUzI1NiJ9.") + kRfc7515Payload + "." + kEs256Signature;
  auto verified = verify_jws(jws, pub, testing::allow({JwsAlg::kES256}));
  ASSERT_TRUE(verified) << verified.message();
  // ECDSA is randomised; a fresh signature differs but verifies.
  std::string input = std::string("eyJhbGciOiJFUzI1NiJ9.") + kRfc7515Payload;
  std::string fresh = sign_bytes(key, JwsAlg::kES256, input);
  EXPECT_EQ(fresh.size(), 64u);
  EXPECT_TRUE(verify_bytes(pub, JwsAlg::kES256, input, fresh));
}

TEST(Rfc7515, A6GeneralSerialisationVerifiesWithEitherKey) {
  Json jws = {{"payload", kRfc7515Payload},
              {"signatures",
               {{{"protected", "eyJhbGciOiJSUzI1NiJ9"},
                 {"header", {{"kid", "2010-12-29"}}},
                 {"signature", kRs256Signature}},
                {{"protected", "eyJhbGciOiJFUzI1NiJ9"},
                 {"header", {{"kid", "e9bc097a-ce51-4036-9562-d2ade882db0d"}}},
                 {"signature", kEs256Signature}}}}};
  auto options = testing::allow({JwsAlg::kRS256, JwsAlg::kES256});
  auto parsed = parse_jws(jws.dump(), options);
  ASSERT_TRUE(parsed) << parsed.message();
  EXPECT_EQ(parsed->serialization, JwsSerialization::kGeneral);
  ASSERT_EQ(parsed->signatures.size(), 2u);
  EXPECT_EQ(parsed->signatures[0].kid, "2010-12-29");
  EXPECT_EQ(parsed->signatures[1].alg, JwsAlg::kES256);
  auto rsa = verify_parsed(*parsed, PrivateKey::from_jwk(rfc7515_rsa_jwk()).public_key());
  auto ec = verify_parsed(*parsed, PrivateKey::from_jwk(rfc7515_ec_jwk()).public_key());
  ASSERT_TRUE(rsa);
  ASSERT_TRUE(ec);
  EXPECT_EQ(rsa.value(), 0u);
  EXPECT_EQ(ec.value(), 1u);
  // A.7: the flattened form of the second signature.
  Json flat = {{"payload", kRfc7515Payload},
               {"protected", "eyJhbGciOiJFUzI1NiJ9"},
               {"header", {{"kid", "e9bc097a-ce51-4036-9562-d2ade882db0d"}}},
               {"signature", kEs256Signature}};
  EXPECT_TRUE(verify_jws_json(flat, PrivateKey::from_jwk(rfc7515_ec_jwk()).public_key(), options));
}

TEST(Rfc7638, RsaThumbprint) {
  Json jwk = {
      {"kty", "RSA"},
      {"n",
       "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
       "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
       "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"
       "bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"},
      {"e", "AQAB"},
      {"alg", "RS256"},
      {"kid", "2011-04-29"}};
  EXPECT_EQ(PublicKey::from_jwk(jwk).thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

}  // namespace
}  // namespace registrar::crypto
