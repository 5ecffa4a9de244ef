// JWS round trips in every serialisation and the bit-flip property.
#include "crypto/jws.h"
#include "crypto/jwks.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "core/random.h"
#include "test_util.h"

namespace registrar::crypto {
namespace {

using testing::allow_all;
using testing::b64u;
using testing::key_for;
using testing::unb64u;

constexpr JwsAlg kAll[] = {JwsAlg::kEdDSA, JwsAlg::kRS256, JwsAlg::kPS256, JwsAlg::kES256};

TEST(Jws, CompactRoundTripEveryAlgorithm) {
  for (JwsAlg alg : kAll) {
    SCOPED_TRACE(std::string(alg_name(alg)));
    const PrivateKey& key = key_for(alg);
    std::string jws =
        sign_compact("{\"nonce\":\"abc\"}", key, alg, {{"kid", "k1"}, {"typ", "JWT"}});
    auto parsed = parse_jws(jws, allow_all());
    ASSERT_TRUE(parsed) << parsed.message();
    EXPECT_EQ(parsed->serialization, JwsSerialization::kCompact);
    ASSERT_EQ(parsed->signatures.size(), 1u);
    const JwsSignature& sig = parsed->signatures[0];
    EXPECT_EQ(sig.alg, alg);
    EXPECT_EQ(sig.kid, "k1");
    EXPECT_EQ(sig.protected_header["typ"], "JWT");
    EXPECT_EQ(sig.protected_header["alg"], alg_name(alg));
    EXPECT_EQ(sig.signing_input, jws.substr(0, jws.rfind('.')));
    EXPECT_EQ(parsed->payload, "{\"nonce\":\"abc\"}");
    EXPECT_TRUE(verify_parsed(*parsed, key.public_key()));
    EXPECT_TRUE(verify_jws(jws, key.public_key(), testing::allow({alg})));
  }
}

TEST(Jws, FlattenedAndGeneralRoundTripEveryAlgorithm) {
  for (JwsAlg alg : kAll) {
    SCOPED_TRACE(std::string(alg_name(alg)));
    const PrivateKey& key = key_for(alg);
    JwsSigner signer{key, alg, {{"kid", "p"}}, {{"note", "unprotected"}}};
    Json flat = sign_flattened("payload bytes \x01\xff", signer);
    EXPECT_EQ(flat["header"]["note"], "unprotected");
    auto parsed = verify_jws(flat.dump(), key.public_key(), allow_all());
    ASSERT_TRUE(parsed) << parsed.message();
    EXPECT_EQ(parsed->serialization, JwsSerialization::kFlattened);
    EXPECT_EQ(parsed->payload, "payload bytes \x01\xff");
    EXPECT_EQ(parsed->signatures[0].unprotected_header["note"], "unprotected");
    EXPECT_TRUE(verify_jws_json(flat, key.public_key(), allow_all()));

    Json general = sign_general("p", {signer});
    auto g = verify_jws(general.dump(), key.public_key(), allow_all());
    ASSERT_TRUE(g) << g.message();
    EXPECT_EQ(g->serialization, JwsSerialization::kGeneral);
    // A compact JWS given inside a JSON body as a string.
    EXPECT_TRUE(verify_jws_json(Json(sign_compact("p", key, alg)), key.public_key(), allow_all()));
  }
}

TEST(Jws, GeneralWithSeveralSignersVerifiesWithEachKey) {
  std::vector<JwsSigner> signers;
  for (JwsAlg alg : kAll) signers.push_back({key_for(alg), alg, {{"kid", alg_name(alg)}}, {}});
  Json general = sign_general("shared payload", signers);
  auto parsed = parse_jws(general.dump(), allow_all());
  ASSERT_TRUE(parsed) << parsed.message();
  ASSERT_EQ(parsed->signatures.size(), 4u);
  // The caller picks the key by kid, then verifies that one signature. The entries share the
  // payload: none holds a signing input of its own (security issue 17: 25 MB from 64 KiB).
  for (size_t i = 0; i < parsed->signatures.size(); ++i) {
    const JwsSignature& sig = parsed->signatures[i];
    EXPECT_TRUE(sig.signing_input.empty());
    EXPECT_TRUE(verify_entry(*parsed, i, key_for(*parse_alg(sig.kid)).public_key()));
  }
  // The RSA key matches two entries; the first fitting one verifies.
  auto index = verify_parsed(*parsed, key_for(JwsAlg::kPS256).public_key());
  ASSERT_TRUE(index);
  EXPECT_EQ(index.value(), 1u);
  // A stranger's key of a matching type fails with a signature failure.
  auto stranger = verify_parsed(*parsed, PrivateKey::generate(KeyType::kEd25519).public_key());
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.reason(), JoseError::kBadSignature);
}

TEST(Jws, GeneralFormChecksAtMostMaxSignatures) {
  const PrivateKey& key = key_for(JwsAlg::kEdDSA);
  JwsVerifyOptions options = allow_all();
  std::vector<JwsSigner> signers(options.max_signatures, {key, JwsAlg::kEdDSA, {}, {}});
  EXPECT_TRUE(verify_jws(sign_general("p", signers).dump(), key.public_key(), options));
  signers.push_back(signers.front());
  auto refused = verify_jws(sign_general("p", signers).dump(), key.public_key(), options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.reason(), JoseError::kMalformed);
  EXPECT_EQ(refused.message(), "JWS has 9 signatures; at most 8 are checked");
}

TEST(Jws, EmptyPayloadAndFlattenedWithoutProtectedHeader) {
  const PrivateKey& key = key_for(JwsAlg::kEdDSA);
  std::string jws = sign_compact("", key, JwsAlg::kEdDSA);
  EXPECT_NE(jws.find(".."), std::string::npos);
  EXPECT_TRUE(verify_jws(jws, key.public_key(), allow_all()));
  // RFC 7515 allows a JWS with only an unprotected header; the signing input starts with '.'.
  std::string payload_b64 = b64u("x");
  std::string sig = b64u(sign_bytes(key, JwsAlg::kEdDSA, "." + payload_b64));
  Json flat = {{"payload", payload_b64}, {"header", {{"alg", "EdDSA"}}}, {"signature", sig}};
  auto parsed = verify_jws_json(flat, key.public_key(), allow_all());
  ASSERT_TRUE(parsed) << parsed.message();
  EXPECT_EQ(parsed->signatures[0].alg, JwsAlg::kEdDSA);
}

// Replaces part `index` (0 header, 1 payload, 2 signature) of a compact JWS with `bytes`.
std::string with_part(const std::string& jws, int index, const std::string& bytes) {
  size_t d1 = jws.find('.'), d2 = jws.rfind('.');
  std::string parts[3] = {jws.substr(0, d1), jws.substr(d1 + 1, d2 - d1 - 1), jws.substr(d2 + 1)};
  parts[index] = b64u(bytes);
  return parts[0] + "." + parts[1] + "." + parts[2];
}

// Property: flipping any single bit of the decoded protected header, payload or signature makes
// verification fail, for every algorithm.
TEST(Jws, AnyFlippedBitFailsVerification) {
  for (JwsAlg alg : kAll) {
    SCOPED_TRACE(std::string(alg_name(alg)));
    const PrivateKey& key = key_for(alg);
    std::string jws =
        sign_compact("{\"nonce\":\"" + core::random_token() + "\"}", key, alg, {{"kid", "key-1"}});
    ASSERT_TRUE(verify_jws(jws, key.public_key(), allow_all()));
    size_t d1 = jws.find('.'), d2 = jws.rfind('.');
    std::string parts[3] = {unb64u(jws.substr(0, d1)), unb64u(jws.substr(d1 + 1, d2 - d1 - 1)),
                            unb64u(jws.substr(d2 + 1))};
    for (int p = 0; p < 3; ++p) {
      for (size_t i = 0; i < parts[p].size(); ++i) {
        std::string bytes = parts[p];
        bytes[i] = static_cast<char>(bytes[i] ^ (1 << core::random_uniform(8)));
        EXPECT_FALSE(verify_jws(with_part(jws, p, bytes), key.public_key(), allow_all()))
            << "part " << p << " byte " << i;
      }
    }
  }
}

TEST(Jws, FlippedBitsFailInJsonSerialisationsToo) {
  for (JwsAlg alg : kAll) {
    const PrivateKey& key = key_for(alg);
    Json flat = sign_flattened("payload", {key, alg, {{"kid", "x"}}, {}});
    for (const char* member : {"protected", "payload", "signature"}) {
      std::string bytes = unb64u(flat[member].get<std::string>());
      for (size_t i = 0; i < bytes.size(); i += 7) {
        std::string flipped = bytes;
        flipped[i] = static_cast<char>(flipped[i] ^ 0x10);
        Json copy = flat;
        copy[member] = b64u(flipped);
        EXPECT_FALSE(verify_jws_json(copy, key.public_key(), allow_all())) << member << " " << i;
      }
    }
  }
}

TEST(Jws, SigningRejectsContradictoryHeaders) {
  const PrivateKey& key = key_for(JwsAlg::kEdDSA);
  EXPECT_THROW(sign_compact("p", key, JwsAlg::kEdDSA, {{"alg", "RS256"}}), core::Error);
  EXPECT_THROW(sign_compact("p", key, JwsAlg::kRS256), core::Error);
  EXPECT_THROW(sign_flattened("p", {key, JwsAlg::kEdDSA, {{"kid", "a"}}, {{"kid", "b"}}}),
               core::Error);
  EXPECT_THROW(sign_flattened("p", {key, JwsAlg::kEdDSA, {}, {{"alg", "EdDSA"}}}), core::Error);
  EXPECT_THROW(sign_general("p", {}), core::Error);
  // An explicit matching alg is fine.
  EXPECT_NO_THROW(sign_compact("p", key, JwsAlg::kEdDSA, {{"alg", "EdDSA"}}));
}

TEST(Jws, ErrorNamesAreDistinct) {
  std::set<std::string> names;
  for (int e = 0; e <= static_cast<int>(JoseError::kBadType); ++e) {
    names.insert(jose_error_name(static_cast<JoseError>(e)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(JoseError::kBadType) + 1);
  EXPECT_STREQ(jose_error_name(JoseError::kAlgNotAllowed), "alg-not-allowed");
}

}  // namespace
}  // namespace registrar::crypto

namespace registrar::crypto {
namespace {

// Text and JSON overloads: a std::string goes to the text one, a Json to the JSON one.
TEST(Jws, OverloadsForTextAndJson) {
  const PrivateKey& key = testing::key_for(JwsAlg::kEdDSA);
  std::string compact = sign_compact("p", key, JwsAlg::kEdDSA);
  Json flat = sign_flattened("p", {key, JwsAlg::kEdDSA, {}, {}});
  auto opts = testing::allow_all();
  EXPECT_TRUE(verify_jws(compact, key.public_key(), opts));
  EXPECT_TRUE(verify_jws(flat, key.public_key(), opts));
  EXPECT_TRUE(verify_jws(Json(compact), key.public_key(), opts));
  EXPECT_TRUE(parse_jws(flat, opts));
  EXPECT_TRUE(parse_jws(flat.dump(), opts));
  EXPECT_TRUE(Jwks::parse(Json::parse(R"({"keys":[]})")).keys().empty());
}

}  // namespace
}  // namespace registrar::crypto
