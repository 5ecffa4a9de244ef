// The callback routes over real loopback HTTP (registrar's own server, the client's senders on a
// real database of each backend), signed with real Ed25519 keys on a ManualClock: what is
// accepted reaches the sink, what is refused gets the §7.8 status and never does. The JWKS of
// the senders is served by the same server, so that a key rotation at the IBR can be staged.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/base64.h"
#include "core/metrics.h"
#include "crypto/keys.h"
#include "dci/signature.h"
#include "dci_client/callback_api.h"
#include "dci_client/senders_fixture.h"
#include "http/async_client.h"
#include "http/server.h"

namespace registrar::dci_client {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

// Records what it is handed; says "changed" unless told otherwise.
class RecordingSink final : public CallbackSink {
 public:
  CallbackOutcome on_search(const std::string& sender_id, const Json& message) override {
    core::MutexLock lock(mu_);
    calls_.push_back({sender_id, message});
    return outcome_;
  }
  size_t calls() {
    core::MutexLock lock(mu_);
    return calls_.size();
  }
  std::pair<std::string, Json> last() {
    core::MutexLock lock(mu_);
    return calls_.back();
  }
  void answer(CallbackOutcome o) {
    core::MutexLock lock(mu_);
    outcome_ = std::move(o);
  }

 private:
  core::Mutex mu_;
  std::vector<std::pair<std::string, Json>> calls_ GUARDED_BY(mu_);
  CallbackOutcome outcome_ GUARDED_BY(mu_){true, true, ""};
};

// An IBR: its sender id, one signing key per key id.
struct Ibr {
  std::string sender_id;
  std::string key_id;
  crypto::PrivateKey key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  std::string public_b64() const {
    const auto& raw = key.public_key().ed25519_raw();
    return core::base64_encode(
        std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
  }
  crypto::JwksKey jwk(std::string kid = "") const {
    return {kid.empty() ? sender_id + "|" + key_id + "|ed25519" : kid, std::nullopt,
            key.public_key()};
  }
};

class CallbackRoutes : public test::SendersDbTest {
 protected:
  void SetUp() override {
    router_.get("/jwks.json", [this](http::Request&) {
      ++jwks_hits_;
      core::MutexLock lock(mu_);
      return http::Response::json(200, jwks_.to_json());
    });
    keys_ = std::make_unique<dci::SenderKeys>(client_, *db_, clock_,
                                              dci::JwksSettings{.min_refetch = 30s, .timeout = 5s},
                                              sender_table());
    router_.add_authenticator(kCallbackAuthenticator,
                              make_callback_authenticator(*senders_, keys_.get(), clock_, false));
    add_callback_routes(router_, sink_, clock_, kCallbackAuthenticator);
    http::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.io_threads = 1;
    o.access_log = false;
    server_ = std::make_unique<http::Server>(o, router_, metrics_);
    port_ = server_->listen();
    thread_ = std::thread([this] { server_->run(false); });
    senders_->add({ibr_.sender_id, "National IBR", ibr_.public_b64(), "", "", ""}, "test", "");
  }
  void TearDown() override {
    client_.stop();
    server_->shutdown();
    thread_.join();
  }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void publish(std::vector<crypto::JwksKey> keys) {
    core::MutexLock lock(mu_);
    jwks_ = crypto::Jwks();
    for (auto& k : keys) jwks_.add(std::move(k));
  }

  static Json search_message(const std::string& correlation_id) {
    return {
        {"transaction_id", "t-1"},
        {"correlation_id", correlation_id},
        {"search_response",
         Json::array({{{"status", "succ"},
                       {"data",
                        {{"reg_records",
                          Json::array({{{"programs", Json::array({{{"name", "Cash"}}})}}})}}}}})}};
  }
  // A signed envelope from `ibr`, made at `clock` (the receiver's clock unless given).
  std::string envelope(const Ibr& ibr, const Json& message, const core::Clock* at = nullptr,
                       const std::string& action = "on-search") {
    dci::MsgHeader h;
    h.message_id = "m-" + std::to_string(++messages_);
    h.message_ts = dci::format_message_ts(clock_.now());
    h.action = action;
    h.sender_id = ibr.sender_id;
    h.receiver_id = "registrar-client";
    h.total_count = 1;
    dci::Signer signer(ibr.key, dci::SignatureAlgorithm::kEd25519, ibr.sender_id, ibr.key_id,
                       at ? *at : clock_);
    return signer.sign_envelope(dci::Header(h), message);
  }
  std::pair<int, Json> post(const std::string& path, const std::string& body) {
    http::ClientRequest req;
    req.method = http::Method::kPost;
    req.url = base() + path;
    req.headers.set("Content-Type", "application/json");
    req.body = body;
    http::Response res = client_.send_and_wait(std::move(req));
    return {res.status, Json::parse(res.body, nullptr, false)};
  }
  // A refusal in the DCI ERR ack; the sink untouched.
  void expect_refused(const std::string& body, int status, const std::string& code,
                      const std::string& message_part = "") {
    size_t before = sink_.calls();
    auto [got, answer] = post("/dci_api/v1/ibr/on-search", body);
    EXPECT_EQ(got, status) << answer.dump();
    EXPECT_EQ(answer["message"]["ack_status"], "ERR") << answer.dump();
    EXPECT_EQ(answer["message"]["error"]["code"], code) << answer.dump();
    if (!message_part.empty()) {
      EXPECT_NE(answer["message"]["error"]["message"].get<std::string>().find(message_part),
                std::string::npos)
          << answer.dump();
    }
    EXPECT_EQ(sink_.calls(), before);
  }

  Ibr ibr_{"ibr.national.gov", "2026-k1"};
  RecordingSink sink_;
  http::Router router_;
  core::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
  http::HttpClient client_;
  std::unique_ptr<dci::SenderKeys> keys_;
  core::Mutex mu_;
  crypto::Jwks jwks_ GUARDED_BY(mu_);
  std::atomic<int> jwks_hits_{0};
  int messages_ = 0;
};

TEST_P(CallbackRoutes, SignedOnSearchReachesTheSinkOnEveryPath) {
  for (const char* path : {"/dci_api/v1/ibr/on-search", "/dci_api/ibr/on-search"}) {
    size_t before = sink_.calls();
    auto [status, ack] = post(path, envelope(ibr_, search_message("CORR-1")));
    ASSERT_EQ(status, 200) << path << " " << ack.dump();
    ASSERT_EQ(sink_.calls(), before + 1);
    auto [sender, message] = sink_.last();
    EXPECT_EQ(sender, ibr_.sender_id);
    EXPECT_EQ(message, search_message("CORR-1"));
    // OpenSPP's ack body, key for key.
    const Json& m = ack["message"];
    EXPECT_EQ(m.size(), 4u) << ack.dump();
    EXPECT_EQ(m["ack_status"], "rcvd");
    EXPECT_TRUE(m["error"].is_null());
    EXPECT_EQ(m["correlation_id"], "CORR-1");
    EXPECT_EQ(m["timestamp"], dci::format_message_ts(clock_.now()));
  }
}

TEST_P(CallbackRoutes, AckSaysWhenNothingChanged) {
  sink_.answer({false, false, "no duplication check waits for correlation_id CORR-X"});
  auto [status, ack] = post("/dci_api/v1/ibr/on-search", envelope(ibr_, search_message("CORR-X")));
  ASSERT_EQ(status, 200) << ack.dump();
  EXPECT_EQ(ack["message"]["ack_status"], "rcvd");
  EXPECT_EQ(ack["message"]["error"]["code"], "rjct.correlation_id.unknown");
  EXPECT_EQ(ack["message"]["error"]["message"],
            "no duplication check waits for correlation_id CORR-X");
  sink_.answer({true, false, "check already completed"});
  std::tie(status, ack) = post("/dci_api/ibr/on-search", envelope(ibr_, search_message("CORR-X")));
  ASSERT_EQ(status, 200) << ack.dump();
  EXPECT_EQ(ack["message"]["error"]["code"], "rjct.check.not_pending");
  // No correlation id: "" in the ack, as OpenSPP's `correlation_id or ""`.
  Json message = search_message("");
  message.erase("correlation_id");
  std::tie(status, ack) = post("/dci_api/v1/ibr/on-search", envelope(ibr_, message));
  ASSERT_EQ(status, 200) << ack.dump();
  EXPECT_EQ(ack["message"]["correlation_id"], "");
}

TEST_P(CallbackRoutes, OnSubscribeIsVerifiedAndAckedWithoutTheSink) {
  Json message = {{"transaction_id", "t-9"}, {"correlation_id", "SUB-1"}};
  for (const char* path : {"/dci_api/v1/ibr/on-subscribe", "/dci_api/ibr/on-subscribe"}) {
    auto [status, ack] = post(path, envelope(ibr_, message, nullptr, "on-subscribe"));
    ASSERT_EQ(status, 200) << ack.dump();
    EXPECT_EQ(ack["message"]["ack_status"], "rcvd");
    EXPECT_EQ(ack["message"]["correlation_id"], "SUB-1");
    EXPECT_TRUE(ack["message"]["error"].is_null());
  }
  EXPECT_EQ(sink_.calls(), 0u);
  Ibr stranger{"ibr.stranger", "k1"};
  auto [status, ack] =
      post("/dci_api/v1/ibr/on-subscribe", envelope(stranger, message, nullptr, "on-subscribe"));
  EXPECT_EQ(status, 401) << ack.dump();
}

TEST_P(CallbackRoutes, RefusalsNeverReachTheSink) {
  // Tampered: one value of the signed message changed after signing.
  Json tampered = Json::parse(envelope(ibr_, search_message("CORR-T")));
  tampered["message"]["correlation_id"] = "CORR-U";
  expect_refused(tampered.dump(), 401, "err.signature.invalid", "Invalid signature");

  core::ManualClock past(clock_.now() - 1000s);
  expect_refused(envelope(ibr_, search_message("CORR-E"), &past), 401, "err.signature.invalid");
  core::ManualClock future(clock_.now() + 3600s);
  expect_refused(envelope(ibr_, search_message("CORR-F"), &future), 401, "err.signature.invalid");

  for (Json signature : {Json(), Json(""), Json("unsigned-stub")}) {
    Json unsigned_env = Json::parse(envelope(ibr_, search_message("CORR-N")));
    if (signature.is_null())
      unsigned_env.erase("signature");
    else
      unsigned_env["signature"] = signature;
    expect_refused(unsigned_env.dump(), 401, "err.signature.missing",
                   "Missing signature in envelope");
  }

  Ibr stranger{"ibr.stranger", "k1"};
  expect_refused(envelope(stranger, search_message("CORR-S")), 401, "err.sender_id.invalid",
                 "Unknown IBR sender_id: ibr.stranger");

  Ibr retired{"ibr.retired", "k1"};
  senders_->add({retired.sender_id, "", retired.public_b64(), "", "", ""}, "test", "");
  senders_->disable(retired.sender_id, "test", "");
  expect_refused(envelope(retired, search_message("CORR-D")), 401, "err.sender_id.invalid");

  Ibr impostor{ibr_.sender_id, ibr_.key_id};  // the right names, another key
  expect_refused(envelope(impostor, search_message("CORR-W")), 401, "err.signature.invalid");

  Json no_sender = Json::parse(envelope(ibr_, search_message("CORR-0")));
  no_sender["header"]["sender_id"] = "";
  expect_refused(no_sender.dump(), 400, "err.sender_id.invalid",
                 "Missing sender_id in message header");
  expect_refused("{not json", 400, "err.request.bad");
  Json no_member = Json::parse(envelope(ibr_, search_message("CORR-0")));
  no_member["header"].erase("sender_id");
  expect_refused(no_member.dump(), 400, "err.sender_id.invalid");

  // The right key still works after all that.
  auto [status, ack] = post("/dci_api/v1/ibr/on-search", envelope(ibr_, search_message("OK")));
  EXPECT_EQ(status, 200) << ack.dump();
  EXPECT_EQ(sink_.calls(), 1u);
}

TEST_P(CallbackRoutes, KeyRotationAtTheIbrNeedsNoOperator) {
  Ibr old_key{"ibr.rotating", "2026-a"};
  Ibr new_key{"ibr.rotating", "2026-b"};
  publish({old_key.jwk()});
  senders_->add({old_key.sender_id, "", "", base() + "/jwks.json", "", ""}, "test", "");
  // First use fetches the set.
  auto [status, ack] = post("/dci_api/v1/ibr/on-search", envelope(old_key, search_message("R1")));
  ASSERT_EQ(status, 200) << ack.dump();
  EXPECT_EQ(jwks_hits_.load(), 1);
  // The IBR replaces its key (a new kid); the next callback names it and is verified, once the
  // rate limit of refetches (30 s here) has passed since the first fetch.
  publish({new_key.jwk()});
  clock_.advance(31s);
  std::tie(status, ack) =
      post("/dci_api/v1/ibr/on-search", envelope(new_key, search_message("R2")));
  ASSERT_EQ(status, 200) << ack.dump();
  EXPECT_EQ(jwks_hits_.load(), 2);
  EXPECT_EQ(sink_.calls(), 2u);
  EXPECT_EQ(senders_->find(old_key.sender_id)->last_key_fetch_result, "ok: " + new_key.jwk().kid);
  // The old key is gone from the set: its signatures are refused, with no new fetch within the
  // rate limit.
  expect_refused(envelope(old_key, search_message("R3")), 401, "err.signature.invalid");
  expect_refused(envelope(old_key, search_message("R4")), 401, "err.signature.invalid");
  EXPECT_EQ(jwks_hits_.load(), 2);
}

TEST_P(CallbackRoutes, JwksKeysOfAnotherSenderAreNeverUsed) {
  Ibr ibr{"ibr.prefixed", "k1"};
  // The set's only key is the IBR's own key, but published under another sender's name.
  publish({ibr.jwk("ibr.other|k1|ed25519")});
  senders_->add({ibr.sender_id, "", "", base() + "/jwks.json", "", ""}, "test", "");
  expect_refused(envelope(ibr, search_message("P1")), 401, "err.signature.invalid");
}

TEST_P(CallbackRoutes, FirstKeyWithTheSenderPrefixStandsInForAnUnknownKid) {
  // OpenSPP's rule (§6.3): with no kid match, the first key whose kid starts with
  // "{sender_id}|". The IBR signs with kid "...|current|..." which its set does not list.
  Ibr ibr{"ibr.openspp", "current"};
  Ibr other{"ibr.openspp", "backup"};
  publish({ibr.jwk("ibr.openspp|2024-key|ed25519"), other.jwk()});
  senders_->add({ibr.sender_id, "", "", base() + "/jwks.json", "", ""}, "test", "");
  auto [status, ack] = post("/dci_api/v1/ibr/on-search", envelope(ibr, search_message("O1")));
  EXPECT_EQ(status, 200) << ack.dump();
  // Not a key without the prefix, though.
  Ibr bare{"ibr.bare", "k2"};
  publish({bare.jwk("k1")});
  senders_->add({bare.sender_id, "", "", base() + "/jwks.json", "", ""}, "test", "");
  expect_refused(envelope(bare, search_message("O2")), 401, "err.signature.invalid");
}

TEST(NoChecksSink, SaysNoCheckWaits) {
  NoChecksSink sink;
  CallbackOutcome out = sink.on_search("ibr", {{"correlation_id", "C-1"}});
  EXPECT_FALSE(out.known);
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.note, "no duplication check waits for correlation_id C-1");
  EXPECT_EQ(outcome_error(out)["code"], "rjct.correlation_id.unknown");
  EXPECT_TRUE(outcome_error({true, true, ""}).is_null());
}

INSTANTIATE_TEST_SUITE_P(Backends, CallbackRoutes, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::dci_client
