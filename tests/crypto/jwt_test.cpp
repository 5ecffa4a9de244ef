#include "crypto/jwt.h"

#include <gtest/gtest.h>

#include <limits>

#include "core/error.h"
#include "test_util.h"

namespace registrar::crypto {
namespace {

using namespace std::chrono_literals;
using testing::key_for;

constexpr int64_t kNow = 1'800'000'000;

class JwtTest : public ::testing::Test {
 protected:
  core::ManualClock clock{core::SystemTime(std::chrono::seconds(kNow))};

  JwtValidationOptions options(std::vector<JwsAlg> algs = {JwsAlg::kEdDSA}) {
    JwtValidationOptions o;
    o.allowed_algs = std::move(algs);
    o.clock = &clock;
    o.skew = 30s;
    return o;
  }

  // A resolver that knows one key under one kid, and records what it was asked.
  KeyResolver resolver(const PublicKey& key, std::string kid = "k1") {
    return [this, key, kid](std::string_view asked_kid, JwsAlg alg) -> std::optional<PublicKey> {
      asked_kid_ = std::string(asked_kid);
      asked_alg_ = alg;
      if (asked_kid != kid) return std::nullopt;
      return key;
    };
  }

  std::string issue(Json claims, JwsAlg alg = JwsAlg::kEdDSA, std::string kid = "k1") {
    return issue_jwt(claims, key_for(alg), alg, {.kid = std::move(kid)});
  }

  JoseResult<Jwt> validate(const std::string& token, JwtValidationOptions o) {
    return validate_jwt(token, resolver(key_for(o.allowed_algs.front()).public_key()), o);
  }

  std::string asked_kid_;
  std::optional<JwsAlg> asked_alg_;
};

TEST_F(JwtTest, IssueAndValidateEveryAlgorithm) {
  for (JwsAlg alg : {JwsAlg::kEdDSA, JwsAlg::kRS256, JwsAlg::kPS256, JwsAlg::kES256}) {
    SCOPED_TRACE(std::string(alg_name(alg)));
    Json claims = {{"iss", "https://issuer.example"},
                   {"sub", "client-7"},
                   {"aud", "registrar"},
                   {"exp", kNow + 300},
                   {"iat", kNow},
                   {"nbf", kNow},
                   {"jti", "j1"},
                   {"scope", "ids.read  ids.write "},
                   {"custom", {{"a", 1}}}};
    std::string token = issue(claims, alg);
    auto o = options({alg});
    o.issuer = "https://issuer.example";
    o.audience = "registrar";
    o.typ = "JWT";
    auto jwt = validate(token, o);
    ASSERT_TRUE(jwt) << jwt.message();
    EXPECT_EQ(asked_kid_, "k1");
    EXPECT_EQ(asked_alg_, alg);
    EXPECT_EQ(jwt->alg, alg);
    EXPECT_EQ(jwt->kid, "k1");
    EXPECT_EQ(jwt->header["typ"], "JWT");
    EXPECT_EQ(jwt->iss, "https://issuer.example");
    EXPECT_EQ(jwt->sub, "client-7");
    EXPECT_EQ(jwt->jti, "j1");
    EXPECT_EQ(jwt->aud, std::vector<std::string>{"registrar"});
    EXPECT_EQ(jwt->exp, kNow + 300);
    EXPECT_EQ(jwt->iat, kNow);
    EXPECT_EQ(jwt->nbf, kNow);
    EXPECT_EQ(jwt->scopes, (std::vector<std::string>{"ids.read", "ids.write"}));
    EXPECT_TRUE(jwt->has_scope("ids.write"));
    EXPECT_FALSE(jwt->has_scope("ids"));
    EXPECT_EQ(jwt->claims["custom"]["a"], 1);
  }
}

TEST_F(JwtTest, ExpiryWithSkew) {
  std::string token = issue({{"exp", kNow + 10}});
  EXPECT_TRUE(validate(token, options()));
  clock.advance(39s);  // exp + 29 s: inside the 30 s skew
  EXPECT_TRUE(validate(token, options()));
  clock.advance(1s);  // exp + 30 s
  auto r = validate(token, options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.reason(), JoseError::kExpired);
  auto strict = options();
  strict.skew = 0s;
  clock.set(core::SystemTime(std::chrono::seconds(kNow + 10)));  // exactly at exp
  EXPECT_EQ(validate(token, strict).reason(), JoseError::kExpired);
  clock.set(core::SystemTime(std::chrono::seconds(kNow + 9)));
  EXPECT_TRUE(validate(token, strict));
}

TEST_F(JwtTest, ExtremeNumericDatesDoNotOverflow) {
  EXPECT_TRUE(validate(issue({{"exp", std::numeric_limits<int64_t>::max()}}), options()));
  EXPECT_TRUE(validate(issue({{"exp", std::numeric_limits<uint64_t>::max()}}), options()));
  EXPECT_TRUE(validate(issue({{"exp", 1e300}}), options()));
  EXPECT_EQ(validate(issue({{"exp", std::numeric_limits<int64_t>::min()}}), options()).reason(),
            JoseError::kExpired);
  EXPECT_TRUE(validate(issue({{"exp", kNow + 60}, {"nbf", std::numeric_limits<int64_t>::min()}}),
                       options()));
  EXPECT_EQ(
      validate(issue({{"exp", kNow + 60}, {"iat", std::numeric_limits<int64_t>::max()}}), options())
          .reason(),
      JoseError::kIssuedInFuture);
}

TEST_F(JwtTest, NotBeforeAndIssuedAtWithSkew) {
  std::string nbf = issue({{"exp", kNow + 600}, {"nbf", kNow + 60}});
  EXPECT_EQ(validate(nbf, options()).reason(), JoseError::kNotYetValid);
  clock.advance(30s);  // nbf - 30 s: within skew
  EXPECT_TRUE(validate(nbf, options()));

  clock.set(core::SystemTime(std::chrono::seconds(kNow)));
  std::string iat = issue({{"exp", kNow + 600}, {"iat", kNow + 31}});
  EXPECT_EQ(validate(iat, options()).reason(), JoseError::kIssuedInFuture);
  std::string iat_ok = issue({{"exp", kNow + 600}, {"iat", kNow + 30}});
  EXPECT_TRUE(validate(iat_ok, options()));
}

TEST_F(JwtTest, ExpIsRequiredUnlessDisabled) {
  std::string token = issue({{"sub", "x"}});
  EXPECT_EQ(validate(token, options()).reason(), JoseError::kMissingClaim);
  auto o = options();
  o.require_exp = false;
  EXPECT_TRUE(validate(token, o));
}

TEST_F(JwtTest, FractionalNumericDates) {
  std::string token = issue({{"exp", kNow + 1.5}, {"iat", kNow - 0.25}});
  auto o = options();
  o.skew = 0s;
  auto jwt = validate(token, o);
  ASSERT_TRUE(jwt) << jwt.message();
  EXPECT_EQ(jwt->exp, kNow + 1);  // rounded down: never later than the issuer meant
  EXPECT_EQ(jwt->iat, kNow - 1);
  EXPECT_EQ(validate(issue({{"exp", kNow + 0.5}}), o).reason(), JoseError::kExpired);
}

TEST_F(JwtTest, IssuerAndAudience) {
  auto o = options();
  o.issuer = "https://a.example";
  EXPECT_EQ(validate(issue({{"exp", kNow + 60}}), o).reason(), JoseError::kMissingClaim);
  EXPECT_EQ(validate(issue({{"exp", kNow + 60}, {"iss", "https://a.example/"}}), o).reason(),
            JoseError::kBadIssuer);
  o.issuer.reset();
  o.audience = "registrar";
  EXPECT_EQ(validate(issue({{"exp", kNow + 60}}), o).reason(), JoseError::kMissingClaim);
  EXPECT_EQ(validate(issue({{"exp", kNow + 60}, {"aud", "other"}}), o).reason(),
            JoseError::kBadAudience);
  EXPECT_TRUE(validate(issue({{"exp", kNow + 60}, {"aud", {"other", "registrar"}}}), o));
  EXPECT_EQ(validate(issue({{"exp", kNow + 60}, {"aud", {"other"}}}), o).reason(),
            JoseError::kBadAudience);
}

TEST_F(JwtTest, ClaimTypesAreChecked) {
  for (Json claims :
       {Json{{"exp", "tomorrow"}}, Json{{"exp", kNow + 60}, {"nbf", true}},
        Json{{"exp", kNow + 60}, {"iss", 5}}, Json{{"exp", kNow + 60}, {"aud", 5}},
        Json{{"exp", kNow + 60}, {"aud", {1}}}, Json{{"exp", kNow + 60}, {"scope", 1}},
        Json{{"exp", kNow + 60}, {"scope", {1}}}}) {
    EXPECT_EQ(validate(issue(claims), options()).reason(), JoseError::kBadClaims) << claims;
  }
  // Scopes as an array are accepted.
  auto jwt = validate(issue({{"exp", kNow + 60}, {"scope", {"a", "b"}}}), options());
  ASSERT_TRUE(jwt);
  EXPECT_EQ(jwt->scopes, (std::vector<std::string>{"a", "b"}));
}

TEST_F(JwtTest, PayloadMustBeOneJsonObject) {
  const PrivateKey& key = key_for(JwsAlg::kEdDSA);
  auto reason = [&](std::string_view payload) {
    std::string token = sign_compact(payload, key, JwsAlg::kEdDSA, {{"kid", "k1"}});
    return validate(token, options()).reason();
  };
  EXPECT_EQ(reason("not json"), JoseError::kBadClaims);
  EXPECT_EQ(reason("[1,2]"), JoseError::kBadClaims);
  EXPECT_EQ(reason(R"({"exp":1,"exp":1900000000})"), JoseError::kBadClaims);
}

TEST_F(JwtTest, KeyResolution) {
  EXPECT_EQ(validate(issue({{"exp", kNow + 60}}, JwsAlg::kEdDSA, "other"), options()).reason(),
            JoseError::kUnknownKey);
  EXPECT_EQ(asked_kid_, "other");
  EXPECT_EQ(validate(issue({{"exp", kNow + 60}}, JwsAlg::kEdDSA, ""), options()).reason(),
            JoseError::kUnknownKey);
  EXPECT_EQ(asked_kid_, "");
  // The resolver returns a key of another type: the algorithm does not fit it.
  auto o = options({JwsAlg::kEdDSA});
  std::string token = issue({{"exp", kNow + 60}});
  auto r = validate_jwt(token, resolver(key_for(JwsAlg::kES256).public_key()), o);
  EXPECT_EQ(r.reason(), JoseError::kAlgKeyMismatch);
  // A right-typed key that did not sign it.
  r = validate_jwt(token, resolver(PrivateKey::generate(KeyType::kEd25519).public_key()), o);
  EXPECT_EQ(r.reason(), JoseError::kBadSignature);
}

TEST_F(JwtTest, JwsPolicyStillApplies) {
  std::string token = issue({{"exp", kNow + 60}});
  EXPECT_EQ(validate(token, options({JwsAlg::kRS256})).reason(), JoseError::kAlgNotAllowed);
  std::string none =
      testing::b64u(R"({"alg":"none"})") + "." + testing::b64u(R"({"exp":1900000000})") + ".";
  EXPECT_EQ(validate(none, options()).reason(), JoseError::kAlgNone);
  Json flat = sign_flattened(R"({"exp":1900000000})",
                             {key_for(JwsAlg::kEdDSA), JwsAlg::kEdDSA, {{"kid", "k1"}}, {}});
  EXPECT_EQ(validate(flat.dump(), options()).reason(), JoseError::kMalformed);
  auto o = options();
  o.max_size = 64;
  EXPECT_EQ(validate(token, o).reason(), JoseError::kTooLarge);
}

TEST_F(JwtTest, TypeCheck) {
  auto o = options();
  o.typ = "at+jwt";
  const PrivateKey& key = key_for(JwsAlg::kEdDSA);
  EXPECT_EQ(validate(issue({{"exp", kNow + 60}}), o).reason(), JoseError::kBadType);
  std::string at = issue_jwt({{"exp", kNow + 60}}, key, JwsAlg::kEdDSA,
                             {.kid = "k1", .typ = "application/AT+JWT"});
  EXPECT_TRUE(validate(at, o));
  std::string untyped =
      issue_jwt({{"exp", kNow + 60}}, key, JwsAlg::kEdDSA, {.kid = "k1", .typ = ""});
  EXPECT_EQ(validate(untyped, o).reason(), JoseError::kBadType);
  o.typ.reset();
  EXPECT_TRUE(validate(untyped, o));
}

// decode_jwt + validate_decoded_jwt (the identity module's path: it picks the options by the
// unverified issuer) must accept exactly the tokens validate_jwt accepts, with the same claims,
// and refuse the others for the same reason when a token has only one fault.
TEST_F(JwtTest, TwoStepValidationAgreesWithValidateJwt) {
  const PrivateKey& ed = key_for(JwsAlg::kEdDSA);
  std::string good = issue({{"exp", kNow + 60}, {"iss", "https://a.example"}, {"scope", "x y"}});
  std::string tampered = good;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  std::vector<std::string> tokens = {
      good,
      tampered,
      issue({{"exp", kNow - 60}}),
      issue({{"exp", kNow + 60}, {"nbf", kNow + 600}}),
      issue({{"exp", kNow + 60}}, JwsAlg::kEdDSA, "other"),
      issue({{"exp", kNow + 60}}, JwsAlg::kES256),
      issue({{"sub", "no exp"}}),
      issue({{"exp", "soon"}}),
      sign_compact("not json", ed, JwsAlg::kEdDSA, {{"kid", "k1"}}),
      sign_compact("[1]", ed, JwsAlg::kEdDSA, {{"kid", "k1"}}),
      sign_compact(R"({"exp":1900000000,"exp":1900000000})", ed, JwsAlg::kEdDSA, {{"kid", "k1"}}),
      issue_jwt({{"exp", kNow + 60}}, ed, JwsAlg::kEdDSA, {.kid = "k1", .typ = "other"}),
      "a.b",
      "eyJhbGciOiJub25lIn0.e30.",
      std::string(20000, 'a'),
      R"({"payload":"e30"})",
  };
  auto o = options();
  o.typ = "JWT";
  auto resolve = resolver(ed.public_key());
  for (const auto& token : tokens) {
    SCOPED_TRACE(token.substr(0, 80));
    auto one = validate_jwt(token, resolve, o);
    auto decoded = decode_jwt(token);
    auto two = decoded ? validate_decoded_jwt(decoded.value(), resolve, o)
                       : JoseResult<Jwt>(decoded.failure());
    // The same in three steps, as the bearer authenticator runs it around a deferred signature.
    auto three = [&]() -> JoseResult<Jwt> {
      if (!decoded) return decoded.failure();
      auto pending = PendingJwt::start(std::move(decoded).value(), resolve, o);
      if (!pending) return pending.failure();
      pending->verify_signature();
      return std::move(pending).value().finish(o);
    }();
    ASSERT_EQ(bool(one), bool(two)) << (one ? two.message() : one.message());
    ASSERT_EQ(bool(two), bool(three)) << (two ? three.message() : two.message());
    if (one) {
      EXPECT_EQ(one->claims, two->claims);
      EXPECT_EQ(one->scopes, two->scopes);
      EXPECT_EQ(one->kid, two->kid);
      EXPECT_EQ(two->claims, three->claims);
      EXPECT_EQ(two->kid, three->kid);
    } else {
      EXPECT_EQ(one.reason(), two.reason()) << one.message() << " / " << two.message();
      EXPECT_EQ(two.reason(), three.reason()) << two.message() << " / " << three.message();
    }
  }
  // The options' size limit applies even when decode_jwt allowed a larger token.
  o.max_size = good.size() - 1;
  EXPECT_EQ(validate_decoded_jwt(decode_jwt(good).value(), resolve, o).reason(),
            JoseError::kTooLarge);
}

// The claims of a PendingJwt are never read before its signature has been checked.
TEST_F(JwtTest, PendingJwtRefusesToFinishUnverified) {
  auto o = options();
  auto resolve = resolver(key_for(JwsAlg::kEdDSA).public_key());
  auto pending = PendingJwt::start(decode_jwt(issue({{"exp", kNow + 60}})).value(), resolve, o);
  ASSERT_TRUE(pending) << pending.message();
  EXPECT_THROW(std::move(pending).value().finish(o), std::logic_error);
  // A key that is not the signer's: start() finds it, the signature step refuses the token.
  auto stranger = resolver(PrivateKey::generate(KeyType::kEd25519).public_key());
  auto wrong = PendingJwt::start(decode_jwt(issue({{"exp", kNow + 60}})).value(), stranger, o);
  ASSERT_TRUE(wrong);
  wrong->verify_signature();
  EXPECT_EQ(std::move(wrong).value().finish(o).reason(), JoseError::kBadSignature);
}

TEST_F(JwtTest, UnverifiedIssuer) {
  auto iss = [](const std::string& token) -> std::optional<std::string> {
    auto d = decode_jwt(token);
    if (!d) return "<" + d.message() + ">";
    const std::string* i = d->unverified_issuer();
    return i ? std::optional<std::string>(*i) : std::nullopt;
  };
  const PrivateKey& ed = key_for(JwsAlg::kEdDSA);
  EXPECT_EQ(iss(issue({{"iss", "https://a.example"}})), "https://a.example");
  EXPECT_EQ(iss(issue({{"iss", 5}})), std::nullopt);
  EXPECT_EQ(iss(issue({{"sub", "x"}})), std::nullopt);
  EXPECT_EQ(iss(sign_compact(R"({"iss":"a","iss":"b"})", ed, JwsAlg::kEdDSA)), std::nullopt);
  EXPECT_EQ(iss(sign_compact("[]", ed, JwsAlg::kEdDSA)), std::nullopt);
  // Decoding never verifies: a forged signature still shows its claimed issuer (for choosing
  // which keys to verify with, and nothing else).
  std::string forged = issue({{"iss", "https://a.example"}});
  char& c = forged[forged.size() - 2];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(iss(forged), "https://a.example");
}

TEST(Jwt, SplitScopes) {
  EXPECT_EQ(split_scopes(""), std::vector<std::string>{});
  EXPECT_EQ(split_scopes("  a   b "), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_scopes("appid_default gen_id_challenge"),
            (std::vector<std::string>{"appid_default", "gen_id_challenge"}));
}

TEST(Jwt, IssueRejectsNonObjectClaims) {
  EXPECT_THROW(issue_jwt(Json::array(), key_for(JwsAlg::kEdDSA), JwsAlg::kEdDSA), core::Error);
}

}  // namespace
}  // namespace registrar::crypto
