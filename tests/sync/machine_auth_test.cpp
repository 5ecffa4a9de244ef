// The "sync-machine" authenticator with real keys (RSA / RS256 for machine A, P-256 / ES256 for
// machine B) and machines read from a real database: each check refuses on its own and says
// which check failed.
#include <gtest/gtest.h>

#include "core/base64.h"
#include "cursor_fixture.h"
#include "http/router.h"

namespace registrar::sync {
namespace {

using namespace std::chrono_literals;

class MachineAuthTest : public testing::CursorFixture {
 protected:
  std::optional<http::Failure> auth(http::Request& r) {
    // A cache of its own: these tests change machines between requests, and a GET trusts its
    // cache entry until the pull's statement checks it (pull_test.cpp).
    MachineCache machines(service_);
    MachineAuthenticator a(machines, 300);
    http::Route route;
    return a.authenticate(r, route);
  }
  // The failure's message, "" when the request was accepted.
  std::string refusal(http::Request r) {
    auto f = auth(r);
    if (!f) return "";
    EXPECT_EQ(f->status, 401);
    EXPECT_FALSE(r.principal);
    // Never the signature bytes (the JWS's last part).
    std::string jws(*r.headers.get("Authorization"));
    EXPECT_EQ(f->message.find(jws.substr(jws.rfind('.') + 1)), std::string::npos);
    return f->message;
  }
  void set_machine(const std::string& id, bool active, bool deleted) {
    auto row = *db_.read([&](soci::session& s) { return db::find_row(s, "machines", id, ""); });
    if (deleted) {
      service_.remove(*find_entity("machines"), id, "", "tester");
      return;
    }
    Json body = Json::parse(row.data);
    body["isActive"] = active;
    put("machines", body);
  }
};

TEST_P(MachineAuthTest, AcceptsAGoodSignatureOfEitherKeyTypeAndNamesTheMachine) {
  auto r = signed_request(sign_a_, "GET", "/v1/sync/pull?cursor=12", "");
  EXPECT_FALSE(auth(r));
  ASSERT_TRUE(r.principal);
  EXPECT_EQ(r.principal->subject, "machine:mA");
  EXPECT_EQ(machine_id_of(r), "mA");

  auto b = signed_request(sign_b_, "POST", "/v1/sync/push", R"({"changes":[]})");
  EXPECT_FALSE(auth(b));
  ASSERT_TRUE(b.principal);
  EXPECT_EQ(b.principal->subject, "machine:mB");

  // The kid is looked up in lower case; a client may send it in upper case.
  std::string upper = key_index(sign_a_);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(refusal(signed_request(sign_a_, "GET", "/x", "", Json::object(), upper)), "");
  // iat exactly at the skew's edge, both sides.
  int64_t now = core::to_unix_seconds(clock_.now());
  EXPECT_EQ(refusal(signed_request(sign_a_, "GET", "/x", "", {{"iat", now - 300}})), "");
  EXPECT_EQ(refusal(signed_request(sign_a_, "GET", "/x", "", {{"iat", now + 300}})), "");
}

TEST_P(MachineAuthTest, RefusesAWrongKeyAnUnknownKidAndTheEncryptionKeysIndex) {
  auto other = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
  // Signed by another key under machine A's kid.
  EXPECT_EQ(refusal(signed_request(other, "GET", "/x", "", Json::object(), key_index(sign_a_))),
            "the signature does not verify with the machine's signing key");
  // A key no machine has.
  EXPECT_EQ(refusal(signed_request(other, "GET", "/x", "")), "kid: no machine has this key index");
  // Machine A's encryption key index, even signed with that key: it never signs.
  EXPECT_EQ(refusal(signed_request(enc_a_, "GET", "/x", "")),
            "kid: is not the index of the machine's signing key");
  // Machine B's P-256 key under an RS256 signature of machine A's key: alg/key mismatch.
  EXPECT_EQ(refusal(signed_request(sign_a_, "GET", "/x", "", Json::object(), key_index(sign_b_))),
            "the JWS alg does not fit the machine's signing key type");
}

TEST_P(MachineAuthTest, RefusesStaleOrFutureRequests) {
  auto r = signed_request(sign_a_, "GET", "/v1/sync/pull?cursor=0", "");
  clock_.advance(301s);
  EXPECT_EQ(refusal(r),
            "iat is more than 300 s away from the server's clock (stale or future request)");
  int64_t now = core::to_unix_seconds(clock_.now());
  EXPECT_NE(refusal(signed_request(sign_a_, "GET", "/x", "", {{"iat", now + 301}})), "");
  EXPECT_EQ(refusal(signed_request(sign_a_, "GET", "/x", "", {{"iat", "now"}})),
            "the signed payload has no integer \"iat\"");
}

TEST_P(MachineAuthTest, RefusesTamperedPathMethodOrBody) {
  auto r = signed_request(sign_a_, "GET", "/v1/sync/pull?cursor=12", "");
  r.target = "/v1/sync/pull?cursor=0";
  EXPECT_EQ(refusal(r), "the signed path is not the request's path and query");
  r = signed_request(sign_a_, "GET", "/v1/sync/pull?cursor=12", "");
  r.method_text = "POST";
  EXPECT_EQ(refusal(r), "the signed method is not the request's method");
  r = signed_request(sign_a_, "POST", "/v1/sync/push", R"({"changes":[]})");
  r.body = R"({"changes":[{}]})";
  EXPECT_EQ(refusal(r), "bodySha256 does not match the request's body");
  // A signature over a changed payload: the header keeps its kid, the payload is swapped.
  r = signed_request(sign_a_, "GET", "/v1/sync/pull?cursor=12", "");
  std::string jws(*r.headers.get("Authorization"));
  size_t p1 = jws.find('.'), p2 = jws.rfind('.');
  Json forged = {{"method", "GET"},
                 {"path", "/v1/sync/pull?cursor=0"},
                 {"iat", core::to_unix_seconds(clock_.now())},
                 {"bodySha256", body_sha256_b64("")}};
  r.headers.set("Authorization",
                jws.substr(0, p1 + 1) + core::base64url_encode(forged.dump()) + jws.substr(p2));
  r.target = "/v1/sync/pull?cursor=0";
  EXPECT_EQ(refusal(r), "the signature does not verify with the machine's signing key");
}

TEST_P(MachineAuthTest, RefusesMissingOrMalformedCredentials) {
  http::Request r;
  r.method_text = "GET";
  r.target = "/x";
  auto f = auth(r);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message, "missing Authorization: Machine <JWS>");
  EXPECT_EQ(f->headers.get("WWW-Authenticate").value_or(""), "Machine");
  r.headers.set("Authorization", "Bearer abc");
  EXPECT_EQ(auth(r)->message, "the Authorization scheme must be Machine");
  // alg "none" is never accepted.
  r.headers.set("Authorization", "Machine " +
                                     core::base64url_encode(R"({"alg":"none","kid":"aa"})") + "." +
                                     core::base64url_encode("{}") + ".");
  EXPECT_NE(auth(r)->message.find("the JWS is not acceptable"), std::string::npos);
}

TEST_P(MachineAuthTest, RefusesADisabledOrDeletedMachine) {
  set_machine("mA", false, false);
  EXPECT_EQ(refusal(signed_request(sign_a_, "GET", "/x", "")), "the machine is not active");
  set_machine("mA", true, false);
  EXPECT_EQ(refusal(signed_request(sign_a_, "GET", "/x", "")), "");
  set_machine("mA", true, true);
  EXPECT_EQ(refusal(signed_request(sign_a_, "GET", "/x", "")), "the machine is deleted");
}

INSTANTIATE_TEST_SUITE_P(Backends, MachineAuthTest,
                         ::testing::ValuesIn(registrar::testing::test_backends()));

}  // namespace
}  // namespace registrar::sync
