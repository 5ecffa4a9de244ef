// The identity module over real HTTP against the real binary, on each database backend.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/base64.h"
#include "crypto/jws.h"
#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "store/database.h"
#include "support/databases.h"
#include "support/loopback_server.h"
#include "support/registrar_process.h"

namespace registrar::identity {
namespace {

using Json = nlohmann::json;
using testing::bearer;
using testing::RegistrarProcess;

class IdentityApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  IdentityApiTest() : db_(GetParam()), p_(options()) {
    auto r = p_.cli(
        "clients add app --scope gen_id_challenge --scope verify_identity --scope read "
        "--secret-file " +
        p_.dir().file("app.secret"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    secret_ = read_first_line(p_.dir().file("app.secret"));
  }
  testing::ProcessOptions options() {
    testing::ProcessOptions o;
    o.database_url = db_.url();
    o.extra_config =
        "[identity]\nissuer = \"https://registrar.test\"\ndhp_login_client = \"app\"\n";
    return o;
  }
  static std::string read_first_line(const std::string& path) {
    std::ifstream in(path);
    std::string s;
    std::getline(in, s);
    return s;
  }
  http::Response token_request(const std::string& form, const std::string& user,
                               const std::string& pass) {
    http::Headers h;
    h.set("Authorization", "Basic " + core::base64_encode(user + ":" + pass));
    return p_.post("/oauth2/token", form, "application/x-www-form-urlencoded", h);
  }
  std::string token(const std::string& scope = "") {
    auto r = token_request(
        "grant_type=client_credentials" + (scope.empty() ? "" : "&scope=" + scope), "app", secret_);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body)["access_token"];
  }

  testing::TestDatabase db_;
  RegistrarProcess p_;
  std::string secret_;
};

TEST_P(IdentityApiTest, ClientCredentialsTokenWorksOnProtectedRoutes) {
  auto r = token_request("grant_type=client_credentials&scope=read", "app", secret_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");
  Json body = Json::parse(r.body);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["scope"], "read");
  EXPECT_EQ(body["expires_in"], 3600);
  auto who = p_.get("/v1/identity/whoami", bearer(body["access_token"]));
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.headers.get("Content-Type"), "application/json");
  Json me = Json::parse(who.body);
  EXPECT_EQ(me["client_id"], "app");
  EXPECT_EQ(me["subject"], "app");
  EXPECT_EQ(me["issuer"], "https://registrar.test");
  EXPECT_EQ(me["scopes"], Json::array({"read"}));
  EXPECT_TRUE(me["expires_at"].is_number_integer());
  EXPECT_GT(me["expires_at"].get<int64_t>(), 1'700'000'000);
  EXPECT_EQ(me.size(), 5u);
}

// Secrets on disk are the owner's alone from their first byte (security issue 17): the master key
// the server generated, the client secret `clients add --secret-file` wrote, and the SQLite
// database with its WAL.
TEST_P(IdentityApiTest, SecretFilesAreOwnerOnly) {
  auto mode = [](const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return unsigned(st.st_mode & 0777);
  };
  EXPECT_EQ(mode(p_.dir().file("master.key")), 0600u);
  EXPECT_EQ(mode(p_.dir().file("app.secret")), 0600u);
  if (GetParam() == "sqlite") {
    const std::string db_file = store::sqlite_path(db_.url());
    EXPECT_EQ(mode(db_file), 0600u);
    EXPECT_EQ(mode(db_file + "-wal"), 0600u);
  }
  // A second client asked to write its secret where a link was planted is refused.
  std::filesystem::create_symlink(p_.dir().file("stolen"), p_.dir().file("planted.secret"));
  auto r =
      p_.cli("clients add other --scope read --secret-file " + p_.dir().file("planted.secret"));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_FALSE(std::filesystem::exists(p_.dir().file("stolen")));
}

// Password guessing (issue 17): wrong secrets are counted per account and per client address;
// past the limit further checks are refused with 429 and Retry-After before any hashing, while
// a secret proven right lately still passes and other routes keep answering.
TEST_P(IdentityApiTest, WrongSecretsAreThrottledPerAccountAndAddress) {
  testing::TestDatabase db(GetParam());
  testing::ProcessOptions o;
  o.database_url = db.url();
  o.extra_config =
      "[identity.login]\nmax_failures_per_account = 3\nmax_failures_per_address = 5\n"
      "first_lockout_seconds = 120\n";
  RegistrarProcess p(o);
  for (const char* id : {"alpha", "beta"}) {
    auto r = p.cli(std::string("clients add ") + id + " --scope read --secret-file " +
                   p.dir().file(std::string(id) + ".secret"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  const std::string alpha = read_first_line(p.dir().file("alpha.secret"));
  const std::string beta = read_first_line(p.dir().file("beta.secret"));
  auto token = [&](const std::string& id, const std::string& secret) {
    http::Headers h;
    h.set("Authorization", "Basic " + core::base64_encode(id + ":" + secret));
    return p.post("/oauth2/token", "grant_type=client_credentials",
                  "application/x-www-form-urlencoded", h);
  };
  ASSERT_EQ(token("alpha", alpha).status, 200);  // proven right: remembered for a minute
  for (int i = 0; i < 3; ++i) EXPECT_EQ(token("alpha", "wrong-secret-0000000").status, 401);
  auto locked = token("alpha", "wrong-secret-0000000");
  EXPECT_EQ(locked.status, 429) << locked.body;
  auto retry = locked.headers.get("Retry-After");
  ASSERT_TRUE(retry.has_value());
  EXPECT_GE(std::stoi(std::string(*retry)), 100);
  EXPECT_LE(std::stoi(std::string(*retry)), 120);
  // The owner's secret, proven right before the attack, still works.
  EXPECT_EQ(token("alpha", alpha).status, 200);
  // The address has 3 failures; two more (for another client) reach its limit of 5, and then
  // even beta's right secret waits: the address is locked, whatever account it tries.
  EXPECT_EQ(token("beta", "wrong-secret-0000000").status, 401);
  EXPECT_EQ(token("nobody", "wrong-secret-0000000").status, 401);  // unknown accounts count too
  auto address_locked = token("beta", beta);
  EXPECT_EQ(address_locked.status, 429) << address_locked.body;
  EXPECT_TRUE(address_locked.headers.get("Retry-After").has_value());
  EXPECT_EQ(p.get("/healthz").status, 200);
}

TEST_P(IdentityApiTest, TokenEndpointErrorsFollowRfc6749) {
  auto bad_secret = token_request("grant_type=client_credentials", "app", "wrong-secret-000000");
  EXPECT_EQ(bad_secret.status, 401);
  EXPECT_EQ(Json::parse(bad_secret.body)["error"], "invalid_client");
  EXPECT_TRUE(bad_secret.headers.get("WWW-Authenticate").has_value());
  auto no_auth = p_.post("/oauth2/token", "grant_type=client_credentials",
                         "application/x-www-form-urlencoded");
  EXPECT_EQ(Json::parse(no_auth.body)["error"], "invalid_client");
  EXPECT_EQ(
      Json::parse(token_request("grant_type=authorization_code", "app", secret_).body)["error"],
      "unsupported_grant_type");
  EXPECT_EQ(Json::parse(token_request("scope=read", "app", secret_).body)["error"],
            "invalid_request");
  auto scope = token_request("grant_type=client_credentials&scope=admin", "app", secret_);
  EXPECT_EQ(scope.status, 400);
  EXPECT_EQ(Json::parse(scope.body)["error"], "invalid_scope");
  auto json = p_.post("/oauth2/token", R"({"grant_type":"client_credentials"})");
  EXPECT_EQ(Json::parse(json.body)["error"], "invalid_request");
  auto twice = token_request("grant_type=client_credentials&grant_type=password", "app", secret_);
  EXPECT_EQ(Json::parse(twice.body)["error"], "invalid_request");
}

TEST_P(IdentityApiTest, PasswordGrantAndIntrospection) {
  std::ofstream(p_.dir().file("pw")) << "s3cret-password\n";
  auto add = p_.cli("users add amina --scope read --password-file " + p_.dir().file("pw"));
  ASSERT_EQ(add.exit_code, 0) << add.output;
  auto r =
      token_request("grant_type=password&username=amina&password=s3cret-password", "app", secret_);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string access = Json::parse(r.body)["access_token"];
  auto wrong =
      token_request("grant_type=password&username=amina&password=nope-nope", "app", secret_);
  EXPECT_EQ(Json::parse(wrong.body)["error"], "invalid_grant");

  http::Headers h;
  h.set("Authorization", "Basic " + core::base64_encode("app:" + secret_));
  auto intro =
      p_.post("/oauth2/introspect", "token=" + access, "application/x-www-form-urlencoded", h);
  ASSERT_EQ(intro.status, 200) << intro.body;
  Json i = Json::parse(intro.body);
  EXPECT_EQ(i["active"], true);
  EXPECT_EQ(i["sub"], "amina");
  EXPECT_EQ(i["username"], "amina");
  EXPECT_EQ(i["client_id"], "app");
  auto dead =
      p_.post("/oauth2/introspect", "token=garbage", "application/x-www-form-urlencoded", h);
  EXPECT_EQ(Json::parse(dead.body), (Json{{"active", false}}));
}

TEST_P(IdentityApiTest, MissingBadAndUnderScopedTokens) {
  auto none = p_.get("/v1/identity/whoami");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.headers.get("WWW-Authenticate"), "Bearer realm=\"registrar\"");
  auto bad = p_.get("/v1/identity/whoami", bearer("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."));
  EXPECT_EQ(bad.status, 401);
  auto scoped = p_.post("/v1/identity/challenges", "{}", "application/json", bearer(token("read")));
  EXPECT_EQ(scoped.status, 403);
}

// POST /v1/identity/jws/verify: a verified JWS answers its header and payload; a JSON payload
// comes back as JSON, anything else as a string (invalid UTF-8 replaced, never a 500); a bad
// signature is a 422 with the reason; missing members are 400s naming them.
TEST_P(IdentityApiTest, JwsVerifyAnswersHeaderAndPayload) {
  const std::string auth = token("read");
  const auto key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  auto verify = [&](const std::string& payload, const Json& public_key) {
    Json body = {{"jws", crypto::sign_compact(payload, key, crypto::JwsAlg::kEdDSA)},
                 {"public_key", public_key}};
    return p_.post("/v1/identity/jws/verify", body.dump(), "application/json", bearer(auth));
  };
  const Json jwk = key.public_key().to_jwk();

  auto ok = verify(R"({"nonce": "n-1", "n": [1, 2]})", jwk);
  ASSERT_EQ(ok.status, 200) << ok.body;
  Json v = Json::parse(ok.body);
  EXPECT_EQ(v["valid"], true);
  EXPECT_EQ(v["header"]["alg"], "EdDSA");
  EXPECT_EQ(v["payload"], Json({{"nonce", "n-1"}, {"n", {1, 2}}}));

  auto text = verify("not json", jwk);
  ASSERT_EQ(text.status, 200) << text.body;
  EXPECT_EQ(Json::parse(text.body)["payload"], "not json");

  auto bytes = verify(std::string("\xff\xfe{", 3), jwk);
  ASSERT_EQ(bytes.status, 200) << bytes.body;
  EXPECT_EQ(Json::parse(bytes.body)["payload"], "\xEF\xBF\xBD\xEF\xBF\xBD{");

  const auto other = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  auto wrong = verify("{}", other.public_key().to_jwk());
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_EQ(Json::parse(wrong.body)["field"], "jws");
  EXPECT_FALSE(Json::parse(wrong.body)["reason"].get<std::string>().empty());

  // Key texts are capped (the verifier's key cache holds digests, not texts).
  auto huge = verify("{}", std::string(16 * 1024 + 1, 'A'));
  EXPECT_EQ(huge.status, 400) << huge.body;
  EXPECT_EQ(Json::parse(huge.body)["field"], "public_key");
  const std::string pem = key.public_key().to_pem();
  EXPECT_EQ(verify("{}", pem).status, 200);  // a key as text, twice: then from the cache
  EXPECT_EQ(verify("{}", pem).status, 200);

  auto no_key =
      p_.post("/v1/identity/jws/verify", R"({"jws": "a.b.c"})", "application/json", bearer(auth));
  EXPECT_EQ(no_key.status, 400);
  EXPECT_EQ(Json::parse(no_key.body)["field"], "public_key");
  EXPECT_EQ(p_.post("/v1/identity/jws/verify", "{}", "application/json").status, 401);

  // The general form: one entry per key that signed; more than 8 are refused unchecked.
  std::vector<crypto::JwsSigner> signers(8, {key, crypto::JwsAlg::kEdDSA, {}, {}});
  auto general = [&] {
    Json body = {{"jws", crypto::sign_general("{}", signers)}, {"public_key", jwk}};
    return p_.post("/v1/identity/jws/verify", body.dump(), "application/json", bearer(auth));
  };
  EXPECT_EQ(general().status, 200);
  signers.push_back(signers.front());
  auto many = general();
  EXPECT_EQ(many.status, 422) << many.body;
  EXPECT_EQ(Json::parse(many.body)["detail"], "JWS has 9 signatures; at most 8 are checked");
}

TEST_P(IdentityApiTest, JwksPublishesTheSigningKey) {
  auto r = p_.get("/.well-known/jwks.json");
  ASSERT_EQ(r.status, 200);
  Json jwks = Json::parse(r.body);
  // Other modules' keys (services::Signing: ibr's Ed25519 DCI key, sync's RSA file-signing key)
  // are published beside the token key, so the token key is the one that verifies an issued
  // token.
  ASSERT_GE(jwks["keys"].size(), 1u);
  std::string t = token();
  crypto::JwsVerifyOptions o;
  o.allowed_algs = {crypto::JwsAlg::kEdDSA};
  int verifying = 0;
  for (const auto& k : jwks["keys"]) {
    EXPECT_TRUE(k["kty"] == "OKP" || k["kty"] == "RSA") << k.dump();
    EXPECT_FALSE(k.contains("d"));
    if (crypto::verify_jws(t, crypto::PublicKey::from_jwk(k), o).ok()) ++verifying;
  }
  EXPECT_EQ(verifying, 1);
}

TEST_P(IdentityApiTest, CleanChallengeApiIsSingleUse) {
  auto key = crypto::PrivateKey::generate(crypto::KeyType::kEcP256);
  std::string t = token();
  auto gen =
      p_.post("/v1/identity/challenges", Json{{"public_key", key.public_key().to_jwk()}}.dump(),
              "application/json", bearer(t));
  ASSERT_EQ(gen.status, 400) << "a JWK object is not a string: the field is named";
  EXPECT_EQ(Json::parse(gen.body)["field"], "public_key");
  gen = p_.post("/v1/identity/challenges", Json{{"public_key", key.public_key().to_pem()}}.dump(),
                "application/json", bearer(t));
  ASSERT_EQ(gen.status, 201) << gen.body;
  std::string nonce = Json::parse(gen.body)["nonce"];
  std::string jws =
      crypto::sign_compact(Json{{"nonce", nonce}}.dump(), key, crypto::JwsAlg::kES256);
  auto ok = p_.post("/v1/identity/challenges/verify", Json{{"signature", jws}}.dump(),
                    "application/json", bearer(t));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json::parse(ok.body)["key_thumbprint"], key.public_key().thumbprint());
  auto replay = p_.post("/v1/identity/challenges/verify", Json{{"signature", jws}}.dump(),
                        "application/json", bearer(t));
  EXPECT_EQ(replay.status, 410);
  EXPECT_EQ(Json::parse(replay.body)["reason"], "already_used");
}

TEST_P(IdentityApiTest, DhpRoutesKeepTheOriginalShapes) {
  std::ofstream(p_.dir().file("pw")) << "dhp-password-1\n";
  ASSERT_EQ(p_.cli("users add holder@mail.com --scope gen_id_challenge --scope verify_identity "
                   "--password-file " +
                   p_.dir().file("pw"))
                .exit_code,
            0);
  auto login =
      p_.post("/dhp/login", R"({"username":"holder@mail.com","password":"dhp-password-1"})");
  ASSERT_EQ(login.status, 200) << login.body;
  Json tokens = Json::parse(login.body);
  EXPECT_TRUE(tokens.contains("id_token"));
  EXPECT_EQ(tokens["token_type"], "Bearer");
  auto bad_login = p_.post("/dhp/login", R"({"username":"holder@mail.com","password":"wrong"})");
  EXPECT_EQ(bad_login.status, 400);
  EXPECT_EQ(Json::parse(bad_login.body)["trace"],
            "Invalid client_id/username/password given in the request");
  EXPECT_EQ(Json::parse(bad_login.body)["errors"][0]["errorCode"], "400");

  std::string access = tokens["access_token"];
  // The id_token has our key and issuer but is no access token (typ "JWT", not "at+jwt").
  const std::string id_token = tokens["id_token"];
  auto as_bearer = p_.get("/v1/identity/whoami", bearer(id_token));
  EXPECT_EQ(as_bearer.status, 401) << as_bearer.body;
  http::Headers basic;
  basic.set("Authorization", "Basic " + core::base64_encode("app:" + secret_));
  auto intro = p_.post("/oauth2/introspect", "token=" + id_token,
                       "application/x-www-form-urlencoded", basic);
  EXPECT_EQ(Json::parse(intro.body), (Json{{"active", false}}));
  EXPECT_EQ(p_.get("/v1/identity/whoami", bearer(access)).status, 200);
  auto rsa = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  std::string der = core::base64_encode(rsa.public_key().to_spki_der());
  auto gen = p_.post("/dhp/generate", Json{{"public_key", der}}.dump(), "application/json",
                     bearer(access));
  ASSERT_EQ(gen.status, 200) << gen.body;
  std::string nonce = Json::parse(gen.body)["challenge"]["nonce"];
  EXPECT_EQ(nonce.size(), 24u);
  // The client signs the whole generate response, as the DHP flow allows.
  std::string jws = crypto::sign_compact(Json::parse(gen.body).dump(), rsa, crypto::JwsAlg::kRS256);
  auto ver = p_.post("/dhp/verify", Json{{"public_key", der}, {"signature", jws}}.dump(),
                     "application/json", bearer(access));
  EXPECT_EQ(ver.status, 200);
  EXPECT_EQ(Json::parse(ver.body), (Json{{"verified", true}}));
  auto again = p_.post("/dhp/verify", Json{{"public_key", der}, {"signature", jws}}.dump(),
                       "application/json", bearer(access));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(Json::parse(again.body)["reason"],
            "The nonce has expired or there is a public key mismatch");
  auto no_nonce =
      p_.post("/dhp/verify",
              Json{{"public_key", der},
                   {"signature", crypto::sign_compact("{}", rsa, crypto::JwsAlg::kRS256)}}
                  .dump(),
              "application/json", bearer(access));
  EXPECT_EQ(Json::parse(no_nonce.body)["reason"],
            "'nonce' is missing from the signature payload. Expected $.nonce or $.challenge.nonce");
  auto unauth = p_.post("/dhp/generate", "{}");
  EXPECT_EQ(unauth.status, 401);
  EXPECT_EQ(unauth.body, "Unauthorized");
  EXPECT_NE(unauth.headers.get("WWW-Authenticate")->find("scope=\"gen_id_challenge\""),
            std::string::npos);
  EXPECT_EQ(Json::parse(p_.get("/dhp/health").body)["status"], "UP");
  // Every error under the DHP prefix is DHP's, whichever layer raised it: Express's 404 for an
  // unknown path or method, the envelope for a body over the limit.
  for (auto r : {p_.get("/dhp/nothing"), p_.get("/dhp/generate")}) {
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(Json::parse(r.body), (Json{{"error", {{"message", "No route found"}}}}));
  }
  auto big = p_.post("/dhp/login", std::string(17 * 1024, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Json::parse(big.body)["errors"][0]["errorCode"], "413");
}

TEST_P(IdentityApiTest, TokensOfATrustedExternalIssuerAreAccepted) {
  // A second registrar plays the external issuer (Maskinporten-style); this one trusts its JWKS.
  testing::TestDatabase other_db(GetParam());
  testing::ProcessOptions o;
  o.database_url = other_db.url();
  o.extra_config =
      "[identity]\nissuer = \"https://maskinporten.test\"\naudience = \"https://registrar.test\"\n";
  RegistrarProcess issuer(o);
  testing::ProcessOptions mine = options();
  // Trusted for "read" only: the "write" its tokens also carry is dropped here. Its JWKS is
  // served over plain http on loopback, which needs the explicit test switch.
  const std::string trust =
      "trusted_issuers = [{issuer = \"https://maskinporten.test\", jwks_url = \"" +
      issuer.url("/.well-known/jwks.json") +
      "\", audience = \"https://registrar.test\", scopes = [\"read\"]";
  mine.extra_config += trust + ", allow_http = true}]\n";
  testing::TestDatabase my_db(GetParam());
  mine.database_url = my_db.url();
  RegistrarProcess me(mine);
  auto t = issuer.cli("token issue --client bank --scope read --scope write");
  ASSERT_EQ(t.exit_code, 0) << t.output;
  // Output mixes stderr logs with the token on stdout: take the token line.
  std::string external;
  std::istringstream lines(t.output);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("eyJ", 0) == 0) external = line;
  auto who = me.get("/v1/identity/whoami", bearer(external));
  ASSERT_EQ(who.status, 200) << who.body << me.log();
  EXPECT_EQ(Json::parse(who.body)["issuer"], "https://maskinporten.test");
  EXPECT_EQ(Json::parse(who.body)["scopes"], Json::array({"read"}));
  // The issuer's own instance accepts it too, and an untrusted third one does not.
  EXPECT_EQ(issuer.get("/v1/identity/whoami", bearer(external)).status, 200);
  EXPECT_EQ(p_.get("/v1/identity/whoami", bearer(external)).status, 401);

  // Refused configurations: a plain-http JWKS without the switch, no audience, no scopes.
  for (const std::string& bad : std::vector<std::string>{
           trust + "}]",
           "trusted_issuers = [{issuer = \"x\", jwks_url = \"https://x/j\", scopes = [\"read\"]}]",
           "trusted_issuers = [{issuer = \"x\", jwks_url = \"https://x/j\", audience = \"a\"}]"}) {
    std::ofstream(me.dir().file("bad.toml")) << "[identity]\n" << bad << "\n";
    auto check =
        testing::run_registrar("--config " + me.dir().file("bad.toml") + " config check", me.env());
    EXPECT_NE(check.exit_code, 0) << bad << "\n" << check.output;
    EXPECT_NE(check.output.find("identity.trusted_issuers"), std::string::npos) << check.output;
  }
}

// oed-authz's callers send Maskinporten and Altinn tokens to its lookup routes, and the original
// checks `exp` with no clock skew. The example configuration (examples/authz/oed.toml) gives
// both issuers clock_skew_seconds = 0; it runs here as written, its JWKS URLs pointed at a key
// served on loopback, beside an issuer with 60 s of skew and one with the global default (60 s).
TEST_P(IdentityApiTest, AnIssuersClockSkewDecidesWhetherAJustExpiredTokenPasses) {
  const auto key = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  const Json jwks = {{"keys", Json::array({key.public_key().to_jwk({"k1", "RS256", "sig"})})}};
  http::Router jwks_router;
  jwks_router.get("/jwk", [jwks](http::Request&) { return http::Response::json(200, jwks); });
  testing::LoopbackServer jwks_server(jwks_router);
  const std::string jwks_url = jwks_server.url("/jwk");

  std::ifstream in(std::string(REGISTRAR_EXAMPLES_DIR) + "/authz/oed.toml");
  std::stringstream written;
  written << in.rdbuf();
  const std::string example =
      std::regex_replace(written.str(), std::regex(R"(jwks_url = "[^"]*")"),
                         "jwks_url = \"" + jwks_url + "\"\nallow_http = true");
  ASSERT_NE(example, written.str()) << "no jwks_url in the example";
  auto issuer = [&](const std::string& iss, const std::string& skew) {
    return "[[identity.trusted_issuers]]\nissuer = \"" + iss + "\"\njwks_url = \"" + jwks_url +
           "\"\nallow_http = true\naudience = \"https://oed-authz.example\"\n" +
           "scopes = [\"altinn:dd:authlookup\"]\n" + skew + "\n";
  };
  testing::TestDatabase db(GetParam());
  testing::ProcessOptions o;
  o.database_url = db.url();
  o.extra_config = example + issuer("https://skew60.test/", "clock_skew_seconds = 60") +
                   issuer("https://default-skew.test/", "");
  RegistrarProcess authz(o);

  // A Maskinporten-shaped token (scope, client_id, consumer), `exp` relative to now.
  int serial = 0;
  auto mint = [&](const std::string& iss, int64_t exp_from_now) {
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    Json claims = {{"iss", iss},
                   {"aud", "https://oed-authz.example"},
                   {"scope", "altinn:dd:authlookup"},
                   {"client_id", "caller"},
                   {"consumer", {{"authority", "iso6523-actorid-upis"}, {"ID", "0192:991825827"}}},
                   {"iat", now - 120},
                   {"exp", now + exp_from_now},
                   {"jti", "t" + std::to_string(++serial)}};
    return crypto::issue_jwt(claims, key, crypto::JwsAlg::kRS256, {"k1", "JWT"});
  };
  auto search = [&](const std::string& token) {
    return authz.post("/api/v1/authorization/roles/search", R"({"estateSsn":"11111111111"})",
                      "application/json", bearer(token));
  };
  const std::string maskinporten = "https://test.maskinporten.no/";
  const std::string altinn = "https://platform.tt02.altinn.no/authentication/api/v1/openid/";
  for (const std::string& iss : {maskinporten, altinn}) {
    SCOPED_TRACE(iss);
    auto valid = search(mint(iss, 120));
    ASSERT_EQ(valid.status, 200) << valid.body << authz.log();
    EXPECT_TRUE(Json::parse(valid.body)["roleAssignments"].is_array()) << valid.body;
    auto expired = search(mint(iss, -10));  // expired 10 s ago: the original refuses it
    EXPECT_EQ(expired.status, 401) << expired.body;
    EXPECT_NE(expired.headers.get("WWW-Authenticate"), std::nullopt);
  }
  for (const std::string& iss : {"https://skew60.test/", "https://default-skew.test/"}) {
    SCOPED_TRACE(iss);
    EXPECT_EQ(search(mint(iss, -10)).status, 200);  // within 60 s
    EXPECT_EQ(search(mint(iss, -120)).status, 401);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityApiTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::identity
