// Every rejection the JWS verifier promises, each isolated: the signatures in these tests are
// valid, so only the rule under test can fail them.
#include <gtest/gtest.h>

#include "crypto/jws.h"
#include "test_util.h"

namespace registrar::crypto {
namespace {

using testing::allow;
using testing::allow_all;
using testing::b64u;
using testing::craft;
using testing::key_for;

const PrivateKey& ed() {
  return key_for(JwsAlg::kEdDSA);
}

// The reason a compact JWS with this header text (signed with Ed25519) is rejected.
JoseError header_reason(std::string_view header, JwsVerifyOptions options = allow_all()) {
  auto r = verify_jws(craft(header, "p", ed(), JwsAlg::kEdDSA), ed().public_key(), options);
  EXPECT_FALSE(r) << header;
  return r ? JoseError::kMalformed : r.reason();
}

TEST(JwsReject, CraftedValidHeaderPasses) {
  EXPECT_TRUE(verify_jws(craft(R"({"alg":"EdDSA"})", "p", ed(), JwsAlg::kEdDSA), ed().public_key(),
                         allow_all()));
}

TEST(JwsReject, AlgNoneAndHmac) {
  EXPECT_EQ(header_reason(R"({"alg":"none"})"), JoseError::kAlgNone);
  for (const char* hs : {"HS256", "HS384", "HS512"}) {
    EXPECT_EQ(header_reason(std::string(R"({"alg":")") + hs + "\"}"), JoseError::kAlgHmac);
  }
  // The classic attack: HS256 with the RSA public key's PEM as the HMAC secret.
  EXPECT_EQ(header_reason(R"({"alg":"HS256","typ":"JWT"})", allow({JwsAlg::kRS256})),
            JoseError::kAlgHmac);
  // An unsecured JWS with an empty signature part.
  std::string unsecured = b64u(R"({"alg":"none"})") + "." + b64u("p") + ".";
  auto r = verify_jws(unsecured, ed().public_key(), allow_all());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kAlgNone);
}

TEST(JwsReject, AlgorithmPolicy) {
  EXPECT_EQ(header_reason(R"({"kid":"x"})"), JoseError::kMissingAlg);
  EXPECT_EQ(header_reason(R"({"alg":5})"), JoseError::kBadHeader);
  EXPECT_EQ(header_reason(R"({"alg":"RS512"})"), JoseError::kAlgUnsupported);
  EXPECT_EQ(header_reason(R"({"alg":"Ed25519"})"), JoseError::kAlgUnsupported);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA"})", allow({JwsAlg::kRS256})),
            JoseError::kAlgNotAllowed);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA"})", JwsVerifyOptions{}), JoseError::kAlgNotAllowed);
}

TEST(JwsReject, AlgorithmThatDoesNotFitTheKey) {
  // Signed correctly with RS256, verified with an EC key while both algorithms are allowed.
  std::string jws = sign_compact("p", key_for(JwsAlg::kRS256), JwsAlg::kRS256);
  auto r = verify_jws(jws, key_for(JwsAlg::kES256).public_key(), allow_all());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kAlgKeyMismatch);
  // EdDSA header over an RSA key.
  r = verify_jws(craft(R"({"alg":"EdDSA"})", "p", ed(), JwsAlg::kEdDSA),
                 key_for(JwsAlg::kRS256).public_key(), allow_all());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kAlgKeyMismatch);
}

TEST(JwsReject, KeyIndirectionHeaders) {
  std::string jwk = ed().public_key().to_jwk().dump();
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","jwk":)" + jwk + "}"), JoseError::kKeyIndirection);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","jku":"https://evil.example/jwks"})"),
            JoseError::kKeyIndirection);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","x5u":"https://evil.example/cert"})"),
            JoseError::kKeyIndirection);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","x5c":["MIIB"]})"), JoseError::kKeyIndirection);
  // Also when the member sits in the unprotected header.
  Json flat = sign_flattened("p", {ed(), JwsAlg::kEdDSA, {}, {{"jku", "https://evil.example"}}});
  auto r = verify_jws_json(flat, ed().public_key(), allow_all());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kKeyIndirection);
}

TEST(JwsReject, CriticalHeaders) {
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","crit":["exp"],"exp":1})"), JoseError::kUnknownCrit);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","crit":[]})"), JoseError::kBadHeader);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","crit":"exp"})"), JoseError::kBadHeader);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","crit":[1]})"), JoseError::kBadHeader);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","crit":["alg"]})"), JoseError::kBadHeader);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","b64":false,"crit":["b64"]})"),
            JoseError::kUnknownCrit);
  // Understood by the caller: accepted, but the member must be present.
  JwsVerifyOptions o = allow_all();
  o.understood_crit = {"exp"};
  EXPECT_TRUE(
      verify_jws(craft(R"({"alg":"EdDSA","crit":["exp"],"exp":1})", "p", ed(), JwsAlg::kEdDSA),
                 ed().public_key(), o));
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","crit":["exp"]})", o), JoseError::kBadHeader);
  // crit must be integrity protected.
  Json flat = sign_flattened("p", {ed(), JwsAlg::kEdDSA, {}, {{"crit", {"exp"}}, {"exp", 1}}});
  auto r = verify_jws_json(flat, ed().public_key(), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kBadHeader);
}

TEST(JwsReject, DuplicateAndConflictingHeaderMembers) {
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","alg":"EdDSA"})"), JoseError::kBadHeader);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","kid":"a","kid":"b"})"), JoseError::kBadHeader);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","x":{"a":1,"a":2}})"), JoseError::kBadHeader);
  // The same member in the protected and the unprotected header (crafted: signing refuses it).
  Json flat = sign_flattened("p", {ed(), JwsAlg::kEdDSA, {{"kid", "a"}}, {}});
  flat["header"] = {{"kid", "b"}};
  auto r = verify_jws_json(flat, ed().public_key(), allow_all());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kConflictingHeader);
  flat["header"] = {{"alg", "EdDSA"}};
  r = verify_jws_json(flat, ed().public_key(), allow_all());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kConflictingHeader);
  // Duplicate members at the top of a JSON serialisation.
  std::string text = flat.dump();
  text.insert(1, "\"payload\":\"cA\",");
  auto d = parse_jws(text, allow_all());
  ASSERT_FALSE(d);
  EXPECT_EQ(d.reason(), JoseError::kMalformed);
}

TEST(JwsReject, MalformedHeaders) {
  EXPECT_EQ(header_reason("not json"), JoseError::kBadHeader);
  EXPECT_EQ(header_reason(R"(["alg","EdDSA"])"), JoseError::kBadHeader);
  EXPECT_EQ(header_reason(R"({"alg":"EdDSA","kid":7})"), JoseError::kBadHeader);
  EXPECT_EQ(header_reason(""), JoseError::kBadHeader);
}

TEST(JwsReject, MalformedBase64url) {
  std::string good = sign_compact("payload", ed(), JwsAlg::kEdDSA);
  size_t d1 = good.find('.'), d2 = good.rfind('.');
  auto reason = [&](const std::string& jws) {
    auto r = verify_jws(jws, ed().public_key(), allow_all());
    EXPECT_FALSE(r) << jws;
    return r ? JoseError::kMalformed : r.reason();
  };
  EXPECT_EQ(reason("e+" + good.substr(2)), JoseError::kBadBase64);              // header, '+'
  EXPECT_EQ(reason(good.substr(0, d1 + 1) + "cGF5bG9hZA==" + good.substr(d2)),  // padded payload
            JoseError::kBadBase64);
  EXPECT_EQ(reason(good.substr(0, d2 + 1) + "!" + good.substr(d2 + 2)), JoseError::kBadBase64);
  EXPECT_EQ(reason(good.substr(0, d1) + "A" + good.substr(d1)), JoseError::kBadBase64);  // dangling
  EXPECT_EQ(reason(good.substr(0, d2 + 1) + "/" + good.substr(d2 + 2)), JoseError::kBadBase64);
}

TEST(JwsReject, WrongShapes) {
  auto reason = [&](std::string_view text) {
    auto r = parse_jws(text, allow_all());
    EXPECT_FALSE(r) << text;
    return r ? JoseError::kBadHeader : r.reason();
  };
  EXPECT_EQ(reason(""), JoseError::kMalformed);
  EXPECT_EQ(reason("abc"), JoseError::kMalformed);
  EXPECT_EQ(reason("a.b"), JoseError::kMalformed);
  EXPECT_EQ(reason("a.b.c.d.e"), JoseError::kMalformed);  // a JWE
  EXPECT_EQ(reason("{"), JoseError::kMalformed);
  EXPECT_EQ(reason(R"({"signature":"AA","protected":"e30"})"), JoseError::kMalformed);
  EXPECT_EQ(reason(R"({"payload":"cA","protected":"e30"})"), JoseError::kMalformed);
  EXPECT_EQ(reason(R"({"payload":"cA","signature":"AA"})"), JoseError::kMalformed);
  EXPECT_EQ(reason(R"({"payload":"cA","signatures":[]})"), JoseError::kMalformed);
  EXPECT_EQ(reason(R"({"payload":"cA","signatures":{}})"), JoseError::kMalformed);
  EXPECT_EQ(reason(R"({"payload":"cA","signatures":[5]})"), JoseError::kMalformed);
  EXPECT_EQ(reason(R"({"payload":"cA","signature":"AA","signatures":[]})"), JoseError::kMalformed);
  EXPECT_EQ(reason(R"({"payload":"cA","protected":5,"signature":"AA"})"), JoseError::kMalformed);
  EXPECT_EQ(reason(R"({"payload":"cA","header":"x","signature":"AA"})"), JoseError::kBadHeader);
  auto r = parse_jws_json(Json(42), allow_all());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kMalformed);
}

TEST(JwsReject, GeneralRejectsWhenAnyEntryBreaksPolicy) {
  Json general = sign_general(
      "p", {{ed(), JwsAlg::kEdDSA, {}, {}}, {key_for(JwsAlg::kRS256), JwsAlg::kRS256, {}, {}}});
  EXPECT_TRUE(verify_jws_json(general, ed().public_key(), allow_all()));
  auto r = verify_jws_json(general, ed().public_key(), allow({JwsAlg::kEdDSA}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kAlgNotAllowed);
}

TEST(JwsReject, OversizeInput) {
  JwsVerifyOptions o = allow_all();
  o.max_size = 200;
  std::string small = sign_compact("p", ed(), JwsAlg::kEdDSA);
  EXPECT_TRUE(verify_jws(small, ed().public_key(), o));
  std::string big = sign_compact(std::string(200, 'x'), ed(), JwsAlg::kEdDSA);
  auto r = verify_jws(big, ed().public_key(), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kTooLarge);
  Json flat = sign_flattened(std::string(200, 'x'), {ed(), JwsAlg::kEdDSA, {}, {}});
  EXPECT_EQ(verify_jws(flat.dump(), ed().public_key(), o).reason(), JoseError::kTooLarge);
  EXPECT_EQ(verify_jws_json(flat, ed().public_key(), o).reason(), JoseError::kTooLarge);
  // The default limit is 64 KiB.
  std::string huge = sign_compact(std::string(70 * 1024, 'x'), ed(), JwsAlg::kEdDSA);
  EXPECT_EQ(verify_jws(huge, ed().public_key(), allow_all()).reason(), JoseError::kTooLarge);
}

TEST(JwsReject, BadSignatureReason) {
  std::string a = sign_compact("p", ed(), JwsAlg::kEdDSA);
  std::string b = sign_compact("q", ed(), JwsAlg::kEdDSA);
  std::string spliced = a.substr(0, a.rfind('.')) + b.substr(b.rfind('.'));
  auto r = verify_jws(spliced, ed().public_key(), allow_all());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kBadSignature);
  EXPECT_EQ(r.message(), "signature verification failed");
}

}  // namespace
}  // namespace registrar::crypto
