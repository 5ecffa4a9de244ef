#include "identity/tokens.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "core/background.h"
#include "core/base64.h"
#include "http/async_client.h"
#include "http/server.h"
#include "identity/authenticator.h"
#include "identity/store.h"
#include "support/databases.h"

namespace registrar::identity {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

// A stand-in for an external issuer (Maskinporten-style): its own keys, a JWKS served over real
// HTTP on loopback, counting fetches.
class ExternalIssuer {
 public:
  ExternalIssuer() {
    router_.get("/jwks", [this](http::Request&) {
      std::unique_lock lock(mu_);
      gate_cv_.wait(lock, [&] { return gate_open_; });  // a test may hold answers back
      fetches++;
      return http::Response::json(200, jwks_);
    });
    http::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.access_log = false;
    server_ = std::make_unique<http::Server>(o, router_, metrics_);
    port_ = server_->listen();
    thread_ = std::thread([this] { server_->run(false); });
    add_key("ext-1");
  }
  ~ExternalIssuer() {
    server_->shutdown();
    thread_.join();
  }
  void add_key(const std::string& kid) {
    keys_.insert_or_assign(kid, crypto::PrivateKey::generate(crypto::KeyType::kEcP256));
    std::lock_guard lock(mu_);
    jwks_ = {{"keys", Json::array()}};
    for (auto& [k, v] : keys_) jwks_["keys"].push_back(v.public_key().to_jwk({k, "ES256", "sig"}));
  }
  std::string token(const std::string& kid, const Json& claims) {
    return crypto::issue_jwt(claims, keys_.at(kid), crypto::JwsAlg::kES256, {kid, "JWT"});
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/jwks"; }
  void hold_answers(bool hold) {
    {
      std::lock_guard lock(mu_);
      gate_open_ = !hold;
    }
    gate_cv_.notify_all();
  }
  std::atomic<int> fetches{0};

 private:
  std::map<std::string, crypto::PrivateKey> keys_;
  std::mutex mu_;
  std::condition_variable gate_cv_;
  bool gate_open_ = true;
  Json jwks_;
  http::Router router_;
  core::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  uint16_t port_;
};

class TokensTest : public ::testing::Test {
 protected:
  TokensTest() : tdb_("sqlite"), db_(options()) {
    store::migrate(db_, {store::platform_schema(), {"identity", identity_migrations()}}, clock_);
    KeySettings ks;
    ks.reload_interval = 0s;
    keys_ = std::make_unique<KeyStore>(db_, clock_, MasterKey(std::string(32, 'm')), ks);
    keys_->ensure_signing_key();
  }
  store::DatabaseOptions options() {
    store::DatabaseOptions o;
    o.url = tdb_.url();
    o.pool_size = 2;
    return o;
  }
  TokenService service(TokenSettings s = {}) { return TokenService(*keys_, clock_, s, &metrics_); }
  // Settings that trust `ext` for ES256 tokens with audience "registrar".
  static TokenSettings trusting(const ExternalIssuer& ext) {
    TokenSettings s;
    TrustedIssuer t;
    t.issuer = "https://maskinporten.test";
    t.jwks_url = ext.url();
    t.audience = "registrar";
    t.scopes = {"*"};
    t.algs = {crypto::JwsAlg::kES256};
    s.trusted.push_back(std::move(t));
    s.jwks_min_refresh_seconds = 30;
    return s;
  }
  // A protected route that needs the "admin" scope.
  static http::Route admin_route() {
    http::Route route;
    route.scopes = {"admin"};
    route.auth = http::kBearerAuthenticator;
    return route;
  }

  testing::TestDatabase tdb_;
  core::ManualClock clock_{core::SystemTime(std::chrono::seconds(1'800'000'000))};
  store::Database db_;
  std::unique_ptr<KeyStore> keys_;
  core::Metrics metrics_;
};

TEST_F(TokensTest, IssuedTokensValidateWithTheirClaims) {
  TokenSettings s;
  s.issuer = "https://registrar.test";
  s.audience = "api";
  TokenService tokens = service(s);
  auto t = tokens.issue("alice", "portal", {"a", "b"}, std::string("alice"));
  EXPECT_EQ(t.scope, "a b");
  EXPECT_EQ(t.expires_in, 3600);
  TokenCheck c = tokens.validate(t.access_token);
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.token->info.subject, "alice");
  EXPECT_EQ(c.token->info.client_id, "portal");
  EXPECT_EQ(c.token->info.issuer, "https://registrar.test");
  EXPECT_EQ(c.token->info.scopes, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.token->info.username, "alice");
  EXPECT_EQ(c.token->info.expires_at, clock_.now_seconds() + 3600);
  EXPECT_EQ(c.token->info.audience, std::vector<std::string>{"api"});
}

TEST_F(TokensTest, ExpiryHonoursTheSkewAndTheCacheDoesNotOutliveTheToken) {
  TokenSettings s;
  s.skew_seconds = 60;
  TokenService tokens = service(s);
  auto t = tokens.issue("c", "c", {});
  EXPECT_TRUE(tokens.validate(t.access_token).ok);  // now cached
  clock_.advance(3600s + 59s);
  // The cache entry lives until exp; the signature check allows the skew beyond it.
  EXPECT_TRUE(tokens.validate(t.access_token).ok);
  clock_.advance(1s);
  TokenCheck late = tokens.validate(t.access_token);
  EXPECT_FALSE(late.ok);
}

TEST_F(TokensTest, CacheSkipsRepeatedVerification) {
  TokenService tokens = service();
  auto t = tokens.issue("c", "c", {"x"});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(tokens.validate(t.access_token).ok);
  std::string m = metrics_.render();
  EXPECT_NE(m.find("registrar_identity_token_validations_total 5"), std::string::npos) << m;
  EXPECT_NE(m.find("registrar_identity_token_cache_hits_total 4"), std::string::npos);
}

// The cache hashes only a token's tail (its signature) but must compare the whole text: a token
// that shares a cached token's signature and differs before it is verified, and refused.
TEST_F(TokensTest, CacheComparesTheWholeToken) {
  TokenService tokens = service();
  auto t = tokens.issue("c", "c", {"read"});
  TokenCheck first = tokens.validate(t.access_token);
  ASSERT_TRUE(first.ok);
  std::string other = t.access_token;
  other[other.find('.') + 3] ^= 1;  // a payload character; the last 64 bytes are unchanged
  EXPECT_FALSE(tokens.validate(other).ok);
  std::string shorter = t.access_token.substr(1);  // the same tail, one byte shorter
  EXPECT_FALSE(tokens.validate(shorter).ok);
  // The hit hands out the Principal built at verification, shared, not a copy.
  TokenCheck hit = tokens.validate(t.access_token);
  ASSERT_TRUE(hit.ok);
  EXPECT_EQ(hit.token.get(), first.token.get());
  EXPECT_EQ(hit.token->principal.subject, "c");
  EXPECT_EQ(hit.token->principal.client_id, "c");
  EXPECT_EQ(hit.token->principal.scopes, std::vector<std::string>{"read"});
  EXPECT_EQ(hit.token->principal.expires_at, hit.token->info.expires_at);
  std::string m = metrics_.render();
  EXPECT_NE(m.find("registrar_identity_token_cache_hits_total 1\n"), std::string::npos) << m;
}

// validate() in steps: a cached token and a fault found before the signature are decided at
// once; an unseen token leaves its signature to verify, and only a verified one is cached.
TEST_F(TokensTest, StartValidationDecidesWhatItCanAndLeavesTheSignature) {
  TokenService tokens = service();
  auto t = tokens.issue("c", "c", {"read"});
  TokenService::Validation unseen = tokens.start_validation(t.access_token);
  ASSERT_TRUE(unseen.needs_signature());
  EXPECT_TRUE(tokens.start_validation(t.access_token).needs_signature());  // not cached yet
  unseen.verify_signature();
  EXPECT_FALSE(unseen.needs_signature());
  TokenCheck first = std::move(unseen).finish();
  ASSERT_TRUE(first.ok) << first.error;
  TokenService::Validation cached = tokens.start_validation(t.access_token);
  EXPECT_FALSE(cached.needs_signature());
  TokenCheck hit = std::move(cached).finish();
  EXPECT_EQ(hit.token.get(), first.token.get());

  std::string forged = tokens.issue("c", "c", {"read"}).access_token;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
  for (int i = 0; i < 2; ++i) {  // a forgery is never remembered
    TokenService::Validation v = tokens.start_validation(forged);
    ASSERT_TRUE(v.needs_signature());
    v.verify_signature();
    EXPECT_FALSE(std::move(v).finish().ok);
  }
  TokenService::Validation malformed = tokens.start_validation("a.b.c");
  EXPECT_FALSE(malformed.needs_signature());
  EXPECT_FALSE(std::move(malformed).finish().ok);
  // Skipping the signature is a programming error, never an accepted token.
  TokenService::Validation skipped = tokens.start_validation(forged);
  EXPECT_THROW(std::move(skipped).finish(), std::logic_error);
}

TEST_F(TokensTest, RejectsTamperedForeignAndMalformedTokens) {
  TokenService tokens = service();
  auto t = tokens.issue("c", "c", {"read"});
  std::string tampered = t.access_token;
  // Swap the payload for one that claims more scopes, keeping the signature.
  auto dot1 = tampered.find('.'), dot2 = tampered.rfind('.');
  Json claims = Json::parse(*core::base64url_decode(tampered.substr(dot1 + 1, dot2 - dot1 - 1)));
  claims["scope"] = "read admin";
  tampered =
      tampered.substr(0, dot1 + 1) + core::base64url_encode(claims.dump()) + tampered.substr(dot2);
  EXPECT_FALSE(tokens.validate(tampered).ok);
  // Same claims, signed by a key the store does not know.
  auto stranger = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  std::string forged =
      crypto::issue_jwt(claims, stranger, crypto::JwsAlg::kEdDSA, {keys_->signer().kid, "JWT"});
  EXPECT_FALSE(tokens.validate(forged).ok);
  claims["iss"] = "https://elsewhere";
  TokenCheck untrusted =
      tokens.validate(crypto::issue_jwt(claims, stranger, crypto::JwsAlg::kEdDSA, {"k", "JWT"}));
  EXPECT_FALSE(untrusted.ok);
  EXPECT_EQ(untrusted.error, "issuer is not trusted");
  EXPECT_FALSE(tokens.validate("").ok);
  EXPECT_FALSE(tokens.validate("a.b.c").ok);
  EXPECT_FALSE(tokens.validate(std::string(100'000, 'a')).ok);
}

// Waits (without a time assertion) until `done` holds; fails the test after a generous bound.
template <class F>
bool eventually(F done) {
  for (int i = 0; i < 1000 && !done(); ++i) std::this_thread::sleep_for(10ms);
  return done();
}

// In the server the issuer's JWKS is fetched in the background: a validation never waits for the
// issuer, uses the last good set, and an unknown kid asks for a fetch the next token benefits from.
TEST_F(TokensTest, TrustedIssuerKeysAreRefreshedInTheBackground) {
  ExternalIssuer ext;
  TokenService tokens = service(trusting(ext));
  core::Background background({1, "test-bg", nullptr});
  http::HttpClient client;
  tokens.refresh_in_background(background, client);
  int64_t now = clock_.now_seconds();
  Json claims = {{"iss", "https://maskinporten.test"},
                 {"sub", "org:123"},
                 {"aud", "registrar"},
                 {"iat", now},
                 {"exp", now + 120}};
  EXPECT_EQ(ext.fetches, 1);  // the first set before any request
  TokenCheck first = tokens.validate(ext.token("ext-1", claims));
  ASSERT_TRUE(first.ok) << first.error;

  // The issuer rotates and is slow to answer: the validation does not wait for it.
  ext.add_key("ext-2");
  ext.hold_answers(true);
  clock_.advance(31s);  // past the rate limit
  claims["jti"] = "rotated";
  int before = ext.fetches;
  EXPECT_FALSE(tokens.validate(ext.token("ext-2", claims)).ok);  // answered while the fetch waits
  EXPECT_EQ(ext.fetches, before);
  // The token of the key everyone already knew still works meanwhile (the last good set).
  claims["jti"] = "old-key";
  EXPECT_TRUE(tokens.validate(ext.token("ext-1", claims)).ok);
  ext.hold_answers(false);
  ASSERT_TRUE(eventually([&] { return ext.fetches > before; }));
  claims["jti"] = "rotated-later";
  EXPECT_TRUE(eventually([&] { return tokens.validate(ext.token("ext-2", claims)).ok; }));
  tokens.stop_refresh();
}

TEST_F(TokensTest, TrustedIssuerTokensAreVerifiedAgainstItsJwks) {
  ExternalIssuer ext;
  TokenService tokens = service(trusting(ext));
  int64_t now = clock_.now_seconds();
  Json claims = {{"iss", "https://maskinporten.test"},
                 {"sub", "org:123"},
                 {"aud", "registrar"},
                 {"scope", "altinn:dd:authlookup"},
                 {"iat", now},
                 {"exp", now + 120},
                 {"client_id", "bank"}};
  TokenCheck ok = tokens.validate(ext.token("ext-1", claims));
  ASSERT_TRUE(ok.ok) << ok.error;
  EXPECT_EQ(ok.token->info.client_id, "bank");
  EXPECT_EQ(ext.fetches, 1);

  // Wrong audience is refused.
  Json wrong_aud = claims;
  wrong_aud["aud"] = "someone-else";
  EXPECT_FALSE(tokens.validate(ext.token("ext-1", wrong_aud)).ok);

  // A key the issuer rotated in is found by refetching on the unknown kid...
  ext.add_key("ext-2");
  claims["jti"] = "second";
  EXPECT_FALSE(tokens.validate(ext.token("ext-2", claims)).ok);  // refetch rate-limited: too soon
  clock_.advance(31s);
  claims["jti"] = "third";
  TokenCheck rotated = tokens.validate(ext.token("ext-2", claims));
  EXPECT_TRUE(rotated.ok) << rotated.error;
  int fetches = ext.fetches;
  // ...but unknown kids cannot make us hammer the issuer.
  for (int i = 0; i < 5; ++i) {
    claims["jti"] = "x" + std::to_string(i);
    tokens.validate(crypto::issue_jwt(claims,
                                      crypto::PrivateKey::generate(crypto::KeyType::kEcP256),
                                      crypto::JwsAlg::kES256, {"unknown", "JWT"}));
  }
  EXPECT_LE(ext.fetches, fetches + 1);
}

// oed-authz checked Maskinporten and Altinn tokens with no clock skew: a trusted issuer can have
// its own (clock_skew_seconds), else the global one applies.
TEST_F(TokensTest, ATrustedIssuersOwnClockSkewDecidesExpiry) {
  ExternalIssuer ext;
  const int64_t now = clock_.now_seconds();
  Json claims = {{"iss", "https://maskinporten.test"},
                 {"sub", "org:123"},
                 {"aud", "registrar"},
                 {"iat", now - 130},
                 {"exp", now - 10}};  // expired 10 s ago
  const std::string token = ext.token("ext-1", claims);
  for (std::optional<int64_t> skew :
       {std::optional<int64_t>(0), std::optional<int64_t>(60), std::optional<int64_t>()}) {
    TokenSettings s = trusting(ext);
    s.skew_seconds = 60;  // the global tolerance, for the unset case
    s.trusted[0].skew_seconds = skew;
    TokenService tokens = service(s);
    TokenCheck check = tokens.validate(token);
    const bool expect_ok = !skew || *skew == 60;
    EXPECT_EQ(check.ok, expect_ok) << (skew ? std::to_string(*skew) : "unset") << check.error;
    if (!expect_ok) EXPECT_NE(check.error.find("expired"), std::string::npos) << check.error;
  }
  // Unset, the global tolerance applies: with 0 the token is refused.
  TokenSettings zero = trusting(ext);
  zero.skew_seconds = 0;
  EXPECT_FALSE(service(zero).validate(token).ok);
}

TEST_F(TokensTest, AuthenticatorAnswers401And403WithChallenges) {
  TokenService tokens = service();
  BearerAuthenticator auth(tokens);
  http::Route route = admin_route();
  http::Request req;
  auto missing = auth.authenticate(req, route);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->headers.get("WWW-Authenticate"), "Bearer realm=\"registrar\"");

  req.headers.set("Authorization", "Bearer not-a-token");
  auto bad = auth.authenticate(req, route);
  EXPECT_EQ(bad->status, 401);
  EXPECT_NE(bad->headers.get("WWW-Authenticate")->find("error=\"invalid_token\""),
            std::string::npos);

  req.headers.set("Authorization", "Bearer " + tokens.issue("c", "c", {"read"}).access_token);
  auto forbidden = auth.authenticate(req, route);
  EXPECT_EQ(forbidden->status, 403);
  std::string challenge(*forbidden->headers.get("WWW-Authenticate"));
  EXPECT_NE(challenge.find("error=\"insufficient_scope\""), std::string::npos) << challenge;
  EXPECT_NE(challenge.find("scope=\"admin\""), std::string::npos) << challenge;

  // The codes protocols' error formats rewrite the answer from (DHP's plain-text 401).
  EXPECT_EQ(forbidden->code, "insufficient_scope");
  EXPECT_EQ(bad->code, "invalid_token");
  EXPECT_EQ(missing->code, "");
  EXPECT_EQ(forbidden->field, "Authorization");

  req.headers.set("Authorization",
                  "bearer " + tokens.issue("c", "c", {"admin"}).access_token + " idtoken");
  EXPECT_FALSE(auth.authenticate(req, route));
  ASSERT_TRUE(req.principal);
  EXPECT_EQ(req.principal->client_id, "c");
}

// The I/O thread's path: start() decides a missing or cached token at once and hands back the
// signature of an unseen one; the pending part then answers as authenticate() would.
TEST_F(TokensTest, AuthenticatorStartDefersOnlyTheSignatureOfUnseenTokens) {
  TokenService tokens = service();
  BearerAuthenticator auth(tokens);
  http::Route route = admin_route();
  http::Request req;
  std::optional<http::Failure> decision;
  EXPECT_FALSE(auth.start(req, route, decision));
  ASSERT_TRUE(decision);
  EXPECT_EQ(decision->status, 401);

  req.headers.set("Authorization", "Bearer " + tokens.issue("c", "c", {"read"}).access_token);
  decision.reset();
  auto pending = auth.start(req, route, decision);
  ASSERT_TRUE(pending);
  EXPECT_FALSE(decision);
  pending->run_heavy();
  auto forbidden = pending->finish(req, route);
  ASSERT_TRUE(forbidden);
  EXPECT_EQ(forbidden->status, 403);
  EXPECT_FALSE(req.principal);
  // Now cached: decided at once, still by scope.
  EXPECT_FALSE(auth.start(req, route, decision));
  EXPECT_EQ(decision->status, 403);

  req.headers.set("Authorization", "Bearer " + tokens.issue("d", "d", {"admin"}).access_token);
  pending = auth.start(req, route, decision);
  ASSERT_TRUE(pending);
  pending->run_heavy();
  EXPECT_FALSE(pending->finish(req, route));
  ASSERT_TRUE(req.principal);
  EXPECT_EQ(req.principal->subject, "d");
}

}  // namespace
}  // namespace registrar::identity
