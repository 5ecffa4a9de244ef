// The SourceClient against a scripted registry on loopback, over real databases: the registry
// checks the signature of every envelope it receives (dci/signature.h) with the key our signing
// service holds for the kid, and the authentication headers: bearer, basic, OAuth2 client
// credentials (token cached across calls, refreshed after expiry on a ManualClock, a 401 makes a
// new token and one retry, expires_in as a string, credentials in the query). Retryable failures
// are retried after a backoff (measured on a ManualTimerClock), a 400 is not, a timeout is
// called one, and no more than the source's limit is ever in flight.
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "core/base64.h"
#include "core/error.h"
#include "crypto/signature.h"
#include "dci/envelope.h"
#include "dci/signature.h"
#include "dci_client/source_client.h"
#include "dci_client/source_client_answers.h"
#include "dci_client/sources_fixture.h"
#include "support/scripted_peer.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// identity's signing service: one Ed25519 key per kid, made by ensure_key; sign() refuses a kid
// nobody ensured, as identity does.
class TestSigning final : public services::Signing {
 public:
  void ensure_key(const std::string& kid, crypto::JwsAlg, const std::string& owner) override {
    std::lock_guard lock(mu_);
    if (!keys_.count(kid))
      keys_.emplace(kid, crypto::PrivateKey::generate(crypto::KeyType::kEd25519));
    owners_[kid] = owner;
  }
  std::string sign(const std::string& kid, std::string_view data) const override {
    return crypto::sign_bytes(key(kid), crypto::JwsAlg::kEdDSA, data);
  }
  crypto::PublicKey public_key(const std::string& kid) const override {
    return key(kid).public_key();
  }
  crypto::JwsAlg algorithm(const std::string&) const override { return crypto::JwsAlg::kEdDSA; }
  std::string owner(const std::string& kid) const {
    std::lock_guard lock(mu_);
    return owners_.count(kid) ? owners_.at(kid) : "";
  }

 private:
  crypto::PrivateKey key(const std::string& kid) const {
    std::lock_guard lock(mu_);
    auto it = keys_.find(kid);
    if (it == keys_.end()) throw core::not_found("no key " + kid);
    return it->second;
  }
  mutable std::mutex mu_;
  std::map<std::string, crypto::PrivateKey> keys_;
  std::map<std::string, std::string> owners_;
};

// What the registry saw of one request.
struct Seen {
  std::string path;
  std::string query;
  std::string authorization;
  std::string content_type;
  std::string body;
  std::string kid;       // data requests: the signature's kidId
  std::string verified;  // data requests: verify_status_name of our check
  Json header;           // data requests
};

class SourceClientTest : public test::SourcesDbTest {
 protected:
  SourceClientTest() {
    settings_.retries = 3;
    settings_.backoff_base = 1000ms;
    settings_.backoff_cap = 4000ms;
  }
  ~SourceClientTest() override {
    if (client_) client_->stop();
  }

  http::Response handle(const http::Request& r) {
    Seen s{r.path,
           r.query,
           std::string(r.headers.get("Authorization").value_or("")),
           std::string(r.headers.get("Content-Type").value_or("")),
           r.body,
           "",
           "",
           nullptr};
    if (r.path == "/oauth2/client/token") {
      int n;
      Json lifetime;
      {
        std::lock_guard lock(mu_);
        tokens_seen_.push_back(s);
        n = int(tokens_seen_.size());
        lifetime = expires_in_;
      }
      Json answer = {{"access_token", "tok-" + std::to_string(n)}, {"token_type", "bearer"}};
      if (!lifetime.is_null()) answer["expires_in"] = lifetime;
      return http::Response::json(200, answer);
    }
    try {
      dci::Envelope env = dci::parse_envelope(r.body);
      s.header = dci::header_to_json(env.header);
      s.kid = dci::parse_signature_params(env.signature.value_or("")).kid_id;
      dci::VerifyResult v = dci::verify_envelope(env, signing_.public_key(s.kid),
                                                 dci::SignatureAlgorithm::kEd25519, clock_);
      s.verified = std::string(dci::verify_status_name(v.status));
    } catch (const std::exception& e) {
      s.verified = std::string("unreadable: ") + e.what();
    }
    std::function<http::Response(const http::Request&, int)> answer;
    int n;
    {
      std::lock_guard lock(mu_);
      seen_.push_back(s);
      n = int(seen_.size());
      answer = registry_;
    }
    if (answer) return answer(r, n);
    return http::Response::json(200, {{"header", {{"action", "on-search"}}},
                                      {"message", {{"search_response", Json::array()}}}});
  }

  void start() {
    sources_.reload();
    client_ = HttpSourceClient::create(sources_, signing_, http_, background_, clock_, settings_);
    client_->ensure_keys();
  }

  SourceInput source(const std::string& auth) {
    SourceInput in;
    in.code = "ibr";
    in.name = "IBR";
    in.base_url = peer_.url();
    in.auth_type = auth;
    in.our_sender_id = "sp.example";
    in.our_callback_uri = "https://sp.example/dci_api/v1/ibr/on-search";
    if (auth == "bearer") in.bearer_token = "static-token";
    if (auth == "basic") {
      in.basic_username = "alice";
      in.basic_password = "pa ss:word";
    }
    if (auth == "oauth2") {
      in.oauth2_token_url = peer_.url("/oauth2/client/token");
      in.oauth2_client_id = "sp-client";
      in.oauth2_client_secret = "sp secret&=";
      in.oauth2_scope = "registry.search";
    }
    return in;
  }
  void add(const SourceInput& in) { sources_.create(in, "test", ""); }

  PeerAnswer post(Endpoint e = Endpoint::kSyncSearch, const std::string& code = "ibr") {
    return wait(start_post(e, code));
  }
  std::future<PeerAnswer> start_post(Endpoint e = Endpoint::kSyncSearch,
                                     const std::string& code = "ibr") {
    auto done = std::make_shared<std::promise<PeerAnswer>>();
    auto future = done->get_future();
    Json message = {{"transaction_id", "t-1"},
                    {"search_request", {{{"reference_id", "r-1"}}, {{"reference_id", "r-2"}}}}};
    client_->post(code, e, message, [done](PeerAnswer a) { done->set_value(std::move(a)); });
    return future;
  }
  static PeerAnswer wait(std::future<PeerAnswer> f) {
    if (f.wait_for(30s) != std::future_status::ready) {
      ADD_FAILURE() << "no answer";
      return {};
    }
    return f.get();
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  std::vector<Seen> tokens_seen() {
    std::lock_guard lock(mu_);
    return tokens_seen_;
  }
  void answer_with(std::function<http::Response(const http::Request&, int)> f) {
    std::lock_guard lock(mu_);
    registry_ = std::move(f);
  }
  // Waits until a retry's timer is armed (the client has chosen to wait).
  void wait_for_timer() {
    for (int i = 0; i < 3000 && background_.armed_timers() == 0; ++i)
      std::this_thread::sleep_for(5ms);
    ASSERT_EQ(background_.armed_timers(), 1u);
  }

  TestSigning signing_;
  core::ManualTimerClock timers_;
  core::Background background_{{2, "test-bg", &timers_}};
  http::HttpClient http_;
  ClientSettings settings_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::vector<Seen> tokens_seen_;
  Json expires_in_ = 3600;
  std::function<http::Response(const http::Request&, int)> registry_;
  testing::ScriptedPeer peer_{[this](const http::Request& r) { return handle(r); }};
  std::shared_ptr<HttpSourceClient> client_;
};

TEST_P(SourceClientTest, SendsASignedEnvelopeWithTheSourcesHeaderAndItsBearerToken) {
  SourceInput in = source("bearer");
  in.receiver_id = "ibr.gov";
  add(in);
  start();
  EXPECT_EQ(signing_.owner("sp.example|dci-client-1|ed25519"), "dci_client");
  PeerAnswer a = post();
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(a.http_status, 200);
  // A sync answer is left as text for its reader (parsed once, with its signature).
  EXPECT_TRUE(a.body.is_null());
  EXPECT_EQ(Json::parse(a.raw)["header"]["action"], "on-search");
  ASSERT_EQ(seen().size(), 1u);
  Seen s = seen()[0];
  EXPECT_EQ(s.path, "/registry/sync/search");
  EXPECT_EQ(s.verified, "ok");
  EXPECT_EQ(s.kid, "sp.example|dci-client-1|ed25519");
  EXPECT_EQ(s.authorization, "Bearer static-token");
  EXPECT_EQ(s.content_type, "application/json");
  EXPECT_EQ(s.header["action"], "search");
  EXPECT_EQ(s.header["sender_id"], "sp.example");
  EXPECT_EQ(s.header["sender_uri"], "https://sp.example/dci_api/v1/ibr/on-search");
  EXPECT_EQ(s.header["receiver_id"], "ibr.gov");
  EXPECT_EQ(s.header["total_count"], 2);
  EXPECT_EQ(s.header["meta"], Json::object());
  EXPECT_EQ(s.header["version"], "1.0.0");
  EXPECT_EQ(s.header["message_ts"], dci::format_message_ts(clock_.now()));
  EXPECT_EQ(Json::parse(s.body)["message"]["transaction_id"], "t-1");

  // The other endpoints, each with its own action.
  ASSERT_TRUE(post(Endpoint::kSearch).ok());
  ASSERT_TRUE(post(Endpoint::kSubscribe).ok());
  ASSERT_EQ(seen().size(), 3u);
  EXPECT_EQ(seen()[1].path, "/registry/search");
  EXPECT_EQ(seen()[1].header["action"], "search");
  EXPECT_EQ(seen()[2].path, "/registry/subscribe");
  EXPECT_EQ(seen()[2].header["action"], "subscribe");
  EXPECT_EQ(seen()[2].verified, "ok");
  EXPECT_NE(seen()[1].header["message_id"], seen()[2].header["message_id"]);
}

TEST_P(SourceClientTest, ASourceWithoutReceiverIdNamesItsBaseUrlAndBasicAuthIsSent) {
  add(source("basic"));
  start();
  ASSERT_TRUE(post().ok());
  Seen s = seen().at(0);
  EXPECT_EQ(s.header["receiver_id"], peer_.url());
  EXPECT_EQ(s.authorization, "Basic " + core::base64_encode("alice:pa ss:word"));
  EXPECT_EQ(s.verified, "ok");
}

TEST_P(SourceClientTest, AnOAuth2TokenIsCachedAcrossCallsAndRefreshedAfterExpiry) {
  add(source("oauth2"));
  start();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(post().ok());
  ASSERT_EQ(tokens_seen().size(), 1u);
  Seen t = tokens_seen()[0];
  EXPECT_EQ(t.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(t.query, "");
  auto form = http::parse_form(t.body);
  ASSERT_TRUE(form);
  std::map<std::string, std::string> fields(form->begin(), form->end());
  EXPECT_EQ(fields["grant_type"], "client_credentials");
  EXPECT_EQ(fields["client_id"], "sp-client");
  EXPECT_EQ(fields["client_secret"], "sp secret&=");
  EXPECT_EQ(fields["scope"], "registry.search");
  for (const auto& s : seen()) EXPECT_EQ(s.authorization, "Bearer tok-1");

  // Valid until 60 s before its expiry (3600 s).
  clock_.advance(3539s);
  ASSERT_TRUE(post().ok());
  EXPECT_EQ(tokens_seen().size(), 1u);
  clock_.advance(2s);
  ASSERT_TRUE(post().ok());
  EXPECT_EQ(tokens_seen().size(), 2u);
  EXPECT_EQ(seen().back().authorization, "Bearer tok-2");
  EXPECT_EQ(seen().back().verified, "ok");
}

TEST_P(SourceClientTest, ExpiresInAsAStringAndCredentialsInTheQuery) {
  expires_in_ = "120";  // the SPDCI authz spec types it as a string
  SourceInput in = source("oauth2");
  in.oauth2_credential_location = "query";
  add(in);
  start();
  ASSERT_TRUE(post().ok());
  Seen t = tokens_seen().at(0);
  EXPECT_EQ(t.body, "");
  auto query = http::parse_form(t.query);
  ASSERT_TRUE(query);
  std::map<std::string, std::string> fields(query->begin(), query->end());
  EXPECT_EQ(fields["grant_type"], "client_credentials");
  EXPECT_EQ(fields["client_id"], "sp-client");
  EXPECT_EQ(fields["client_secret"], "sp secret&=");

  clock_.advance(59s);
  ASSERT_TRUE(post().ok());
  EXPECT_EQ(tokens_seen().size(), 1u);
  clock_.advance(2s);  // 61 s: within 60 s of the 120 s expiry
  ASSERT_TRUE(post().ok());
  EXPECT_EQ(tokens_seen().size(), 2u);
}

TEST_P(SourceClientTest, A401MakesANewTokenAndOneRetry) {
  add(source("oauth2"));
  start();
  // The registry revoked tok-1.
  answer_with([](const http::Request& r, int) {
    if (r.headers.get("Authorization") == "Bearer tok-1")
      return http::Response::json(401, {{"detail", "token revoked"}});
    return http::Response::json(200, {{"message", {{"search_response", Json::array()}}}});
  });
  PeerAnswer a = post();
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(tokens_seen().size(), 2u);
  ASSERT_EQ(seen().size(), 2u);
  EXPECT_EQ(seen()[0].authorization, "Bearer tok-1");
  EXPECT_EQ(seen()[1].authorization, "Bearer tok-2");
  EXPECT_EQ(seen()[1].verified, "ok");
  // The new token is cached for the next call.
  ASSERT_TRUE(post().ok());
  EXPECT_EQ(tokens_seen().size(), 2u);

  // A registry that refuses every token: one retry, then the 401 in words.
  answer_with([](const http::Request&, int) {
    return http::Response::json(401, {{"detail", "who are you"}});
  });
  size_t before = seen().size();
  a = post();
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.http_status, 401);
  EXPECT_FALSE(a.retryable);
  EXPECT_NE(a.error.find("HTTP 401"), std::string::npos) << a.error;
  EXPECT_NE(a.error.find("who are you"), std::string::npos) << a.error;
  EXPECT_EQ(seen().size(), before + 2);
  EXPECT_EQ(tokens_seen().size(), 3u);
}

TEST_P(SourceClientTest, A503IsRetriedAfterItsBackoffThenSucceeds) {
  add(source("none"));
  start();
  answer_with([](const http::Request&, int n) {
    if (n <= 2) return http::Response::text(503, "busy");
    return http::Response::json(200, {{"message", {{"search_response", Json::array()}}}});
  });
  auto answer = start_post();
  wait_for_timer();
  // The client waits: nothing more reaches the registry until the backoff has passed.
  EXPECT_EQ(peer_.requests(), 1);
  EXPECT_EQ(answer.wait_for(0s), std::future_status::timeout);
  timers_.advance(1000ms);  // the first delay is at most the base (equal jitter)
  for (int i = 0; i < 3000 && peer_.requests() < 2; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(peer_.requests(), 2);
  wait_for_timer();
  EXPECT_EQ(peer_.requests(), 2);
  timers_.advance(2000ms);  // the second at most twice the base
  PeerAnswer a = wait(std::move(answer));
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(peer_.requests(), 3);
  // Each attempt is a new, validly signed message.
  auto s = seen();
  ASSERT_EQ(s.size(), 3u);
  for (const auto& one : s) EXPECT_EQ(one.verified, "ok");
  EXPECT_NE(s[0].header["message_id"], s[1].header["message_id"]);
}

TEST_P(SourceClientTest, RetriesStopAtTheConfiguredCount) {
  settings_.retries = 1;
  add(source("none"));
  start();
  answer_with([](const http::Request&, int) { return http::Response::text(500, "broken"); });
  auto answer = start_post();
  wait_for_timer();
  timers_.advance(1000ms);
  PeerAnswer a = wait(std::move(answer));
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.http_status, 500);
  EXPECT_TRUE(a.retryable);
  EXPECT_NE(a.error.find("HTTP 500"), std::string::npos) << a.error;
  EXPECT_EQ(peer_.requests(), 2);
}

TEST_P(SourceClientTest, A400IsNotRetriedAndSaysWhatTheRegistrySaid) {
  add(source("none"));
  start();
  answer_with([](const http::Request&, int) {
    return http::Response::json(
        400, {{"message",
               {{"ack_status", "ERR"},
                {"timestamp", "2026-01-01T00:00:00Z"},
                {"correlation_id", "c"},
                {"error", {{"code", "err.request.bad"}, {"message", "search_request missing"}}}}}});
  });
  PeerAnswer a = post();
  EXPECT_FALSE(a.ok());
  EXPECT_FALSE(a.retryable);
  EXPECT_EQ(a.http_status, 400);
  EXPECT_NE(a.error.find("HTTP 400 from " + peer_.url("/registry/sync/search")), std::string::npos)
      << a.error;
  EXPECT_NE(a.error.find("err.request.bad: search_request missing"), std::string::npos) << a.error;
  EXPECT_EQ(a.body["message"]["ack_status"], "ERR");
  EXPECT_EQ(peer_.requests(), 1);
  EXPECT_EQ(background_.armed_timers(), 0u);
}

TEST_P(SourceClientTest, ATimeoutAndARefusedConnectionAreCalledWhatTheyAre) {
  settings_.retries = 0;
  SourceInput in = source("none");
  in.timeout_seconds = 0.3;
  add(in);
  start();
  answer_with([](const http::Request&, int) {
    std::this_thread::sleep_for(1500ms);
    return http::Response::json(200, Json::object());
  });
  PeerAnswer a = post();
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.http_status, 0);
  EXPECT_TRUE(a.retryable);
  EXPECT_EQ(a.error.rfind("timeout: no answer from " + peer_.url("/registry/sync/search"), 0), 0u)
      << a.error;

  std::string closed;
  {
    testing::ScriptedPeer gone([](const http::Request&) { return http::Response::no_content(); });
    closed = gone.url();
  }
  SourceInput other = source("none");
  other.code = "gone";
  other.base_url = closed;
  sources_.create(other, "test", "");
  a = post(Endpoint::kSyncSearch, "gone");
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.error.rfind("connection: cannot reach " + closed, 0), 0u) << a.error;
  EXPECT_TRUE(a.retryable);
}

TEST_P(SourceClientTest, NoMoreThanTheSourcesLimitIsInFlight) {
  SourceInput in = source("none");
  in.max_concurrency = 2;
  add(in);
  start();
  answer_with([](const http::Request&, int) {
    std::this_thread::sleep_for(150ms);
    return http::Response::json(200, {{"message", Json::object()}});
  });
  std::vector<std::future<PeerAnswer>> answers;
  for (int i = 0; i < 6; ++i) answers.push_back(start_post());
  for (auto& f : answers) EXPECT_TRUE(wait(std::move(f)).ok());
  EXPECT_EQ(peer_.requests(), 6);
  EXPECT_EQ(peer_.max_in_flight(), 2);
}

TEST_P(SourceClientTest, UnknownInactiveAndLaterAddedSources) {
  add(source("none"));
  start();
  PeerAnswer a = post(Endpoint::kSyncSearch, "nobody");
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.error, "no data source nobody");
  sources_.set_active("ibr", false, "test", "");
  a = post();
  EXPECT_EQ(a.error, "data source ibr is inactive");
  // Added by another instance (the snapshot has not seen it): found after one reload, and its
  // new sender id gets a key.
  DataSources elsewhere(db_, clock_, &sealing_);
  SourceInput late = source("none");
  late.code = "late";
  late.our_sender_id = "other.sender";
  elsewhere.create(late, "test", "");
  EXPECT_EQ(sources_.snapshot()->count("late"), 0u);
  a = post(Endpoint::kSyncSearch, "late");
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(seen().back().kid, "other.sender|dci-client-1|ed25519");
  EXPECT_EQ(seen().back().verified, "ok");
  EXPECT_EQ(signing_.owner("other.sender|dci-client-1|ed25519"), "dci_client");
  // Stopped: nothing is sent, and the answer says so.
  client_->stop();
  a = post(Endpoint::kSyncSearch, "late");
  EXPECT_FALSE(a.ok());
  EXPECT_NE(a.error.find("shutting down"), std::string::npos) << a.error;
}

TEST_P(SourceClientTest, TlsToAPlainHttpPeerIsCalledATlsFailureAndNotRetried) {
  SourceInput in = source("none");
  in.base_url = "https://" + peer_.url().substr(std::string("http://").size());
  add(in);
  start();
  PeerAnswer a = post();
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.error.rfind("TLS: the secure connection to " + in.base_url, 0), 0u) << a.error;
  EXPECT_FALSE(a.retryable);
  EXPECT_EQ(background_.armed_timers(), 0u);
}

// The words for failures a loopback test cannot provoke (DNS), from the HTTP client's messages.
TEST(SourceClientAnswers, TransportFailuresInOperatorWords) {
  struct Case {
    core::Error error;
    const char* starts;
    bool retryable;
  };
  const std::string url = "https://ibr.example/registry/sync/search?token=x";
  const Case cases[] = {
      {core::Error(core::ErrorKind::kUnavailable,
                   "POST https://ibr.example: resolve failed: Host not found (authoritative)"),
       "DNS: cannot resolve the host of https://ibr.example/registry/sync/search ", false},
      {core::Error(core::ErrorKind::kUnavailable,
                   "POST https://ibr.example: TLS handshake failed: certificate verify failed"),
       "TLS: ", false},
      {core::Error(core::ErrorKind::kUnavailable,
                   "POST https://ibr.example: connect timeout (5 s) passed during connect"),
       "timeout: no answer from https://ibr.example/registry/sync/search within 30 s", true},
      {core::Error(core::ErrorKind::kUnavailable,
                   "POST https://ibr.example: read failed: Connection reset by peer"),
       "connection: cannot reach https://ibr.example/registry/sync/search: ", true},
      {core::Error(core::ErrorKind::kUnavailable, "client stopped"), "not sent: ", false},
      {core::Error(core::ErrorKind::kInvalidArgument, "not an http(s) URL", "url"), "bad URL ",
       false},
  };
  for (const auto& c : cases) {
    PeerAnswer a = transport_failure(c.error, url, std::chrono::seconds(30));
    EXPECT_EQ(a.error.rfind(c.starts, 0), 0u) << a.error;
    EXPECT_EQ(a.retryable, c.retryable) << a.error;
    EXPECT_EQ(a.http_status, 0);
    EXPECT_EQ(a.error.find("token=x"), std::string::npos) << a.error;  // the query stays out
  }
  // HTTP answers: 2xx with JSON is ok; without JSON it is not; 5xx/429/408 are retryable.
  EXPECT_TRUE(http_answer(http::Response::json(200, {{"a", 1}}), url).ok());
  EXPECT_FALSE(http_answer(http::Response::text(200, "<html>"), url).ok());
  EXPECT_TRUE(http_answer(http::Response::text(429, ""), url).retryable);
  EXPECT_TRUE(http_answer(http::Response::text(408, ""), url).retryable);
  EXPECT_FALSE(http_answer(http::Response::text(404, ""), url).retryable);
  PeerAnswer spec =
      http_answer(http::Response::json(
                      403, {{"errors", {{{"code", "err.request.forbidden"}, {"message", "no"}}}}}),
                  url);
  EXPECT_NE(spec.error.find("err.request.forbidden no"), std::string::npos) << spec.error;
  // Backoff: doubling, capped, equal jitter.
  EXPECT_EQ(retry_delay(1, 1000ms, 30'000ms, 0.0), 500ms);
  EXPECT_EQ(retry_delay(1, 1000ms, 30'000ms, 1.0), 1000ms);
  EXPECT_EQ(retry_delay(3, 1000ms, 30'000ms, 1.0), 4000ms);
  EXPECT_EQ(retry_delay(40, 1000ms, 30'000ms, 1.0), 30'000ms);
  EXPECT_EQ(retry_delay(40, 1000ms, 30'000ms, 0.0), 15'000ms);
}

INSTANTIATE_TEST_SUITE_P(Backends, SourceClientTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::dci_client
