// The async DCI routes over real HTTP with the real binary: a signed ACK-then-callback search
// whose on-search reaches a receiver on loopback and verifies with the key from our JWKS;
// txn/status showing the callback delivered; subscribe / notify / unsubscribe; and the refusals
// (a sender_uri we will not call, a malformed message), each with nothing queued.
#include <gtest/gtest.h>

#include <set>

#include "ibr/api_fixture.h"
#include "support/callback_receiver.h"

namespace registrar::ibr {
namespace {

using namespace test;

// Fast polling and retries, so that the tests wait little.
constexpr const char* kFastOutbox =
    "[ibr.outbox]\npoll_interval_ms = 50\nbackoff_base_ms = 50\nbackoff_cap_ms = 200\n"
    "request_timeout_ms = 2000\n";

class IbrAsyncApiTest : public IbrProcessTest {
 protected:
  IbrAsyncApiTest() { start(kFastOutbox); }

  std::string body(const std::string& action, const Json& message,
                   const std::optional<std::string>& sender_uri, const std::string& sender = "") {
    dci::MsgHeader h = header("sp-mis", action);
    h.sender_uri = sender_uri;
    if (sender.empty()) return signer_.sign_envelope(h, message);
    h.sender_id = sender;
    dci::Signer other(other_key_, dci::SignatureAlgorithm::kEd25519, sender, "k1",
                      core::SystemClock::instance());
    return other.sign_envelope(h, message);
  }
  // The ACK of an accepted async request.
  Json expect_ack(const http::Response& r) {
    EXPECT_EQ(r.status, 202) << r.body;
    Json ack = Json::parse(r.body)["message"];
    EXPECT_EQ(ack["ack_status"], "ACK") << r.body;
    EXPECT_FALSE(ack["correlation_id"].get<std::string>().empty());
    return ack;
  }
  // The received callbacks on `path`, each verified with our published key.
  std::vector<dci::Envelope> callbacks_on(const std::string& path, size_t at_least) {
    EXPECT_TRUE(receiver_.wait_until([&](const auto& got) {
      size_t n = 0;
      for (const auto& g : got) n += g.path == path;
      return n >= at_least;
    })) << "fewer than "
        << at_least << " callbacks on " << path;
    crypto::PublicKey ours = our_key();
    std::vector<dci::Envelope> out;
    for (const auto& g : receiver_.received())
      if (g.path == path) {
        out.push_back(dci::parse_envelope(g.body));
        expect_verifies(out.back(), ours);
      }
    return out;
  }

  testing::CallbackReceiver receiver_;
  crypto::PrivateKey other_key_ = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
};

TEST_P(IbrAsyncApiTest, SearchAcksThenPostsASignedOnSearchToTheSenderUri) {
  ASSERT_EQ(post(kUpdates, signed_body("notify", updates_message("111"))).status, 200);
  Json ack = expect_ack(post("/registry/search", body("search", search_message("111", "t-async"),
                                                      receiver_.url("/on-search"))));
  auto got = callbacks_on("/cb/on-search", 1);
  ASSERT_EQ(got.size(), 1u);
  const dci::Envelope& cb = got[0];
  ASSERT_TRUE(cb.is_callback());
  EXPECT_EQ(cb.common().action, "on-search");
  EXPECT_EQ(cb.common().sender_id, "registrar-ibr");
  EXPECT_EQ(cb.common().receiver_id, "sp-mis");
  EXPECT_EQ(std::get<dci::MsgCallbackHeader>(cb.header).status, dci::RequestStatus::kSucc);
  EXPECT_EQ(cb.message["transaction_id"], "t-async");
  EXPECT_EQ(cb.message["correlation_id"], ack["correlation_id"]);
  const Json& item = cb.message["search_response"][0];
  EXPECT_EQ(item["status"], "succ");
  EXPECT_EQ(item["data"]["reg_records"][0]["programs"][0]["name"], "Cash Transfer");

  // txn/status, answered at once: the callback is (or is about to be recorded as) delivered.
  Json query = {{"transaction_id", "q-1"},
                {"txnstatus_request",
                 {{"reference_id", "q"},
                  {"txn_type", "search"},
                  {"attribute_type", "correlation_id"},
                  {"attribute_value", ack["correlation_id"]}}}};
  std::string state;
  for (int i = 0; i < 200 && state != "delivered"; ++i) {
    auto r = post("/registry/sync/txn/status", body("txn-status", query, std::nullopt));
    ASSERT_EQ(r.status, 200) << r.body;
    dci::Envelope status = dci::parse_envelope(r.body);
    expect_verifies(status, our_key());
    EXPECT_EQ(status.common().action, "txn-on-status");
    state = status.message["txnstatus_response"]["callbacks"][0]["state"];
    if (state != "delivered") std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(state, "delivered");

  // The async form posts its txn-on-status, and the /ibr alias serves the same.
  expect_ack(post("/ibr/txn/status", body("txn-status", query, receiver_.url("/status"))));
  auto status = callbacks_on("/cb/status", 1);
  EXPECT_EQ(status[0].message["txnstatus_response"]["txn_status"]["correlation_id"],
            ack["correlation_id"]);
}

TEST_P(IbrAsyncApiTest, RefusedRequestsQueueNothing) {
  expect_refused(post("/registry/search", body("search", search_message("1"), "ftp://x/cb")), 400,
                 "err.sender_uri.invalid");
  expect_refused(post("/registry/search", body("search", search_message("1"), std::nullopt)), 400,
                 "err.sender_uri.invalid");
  Json no_items = {{"transaction_id", "t"}};
  expect_refused(post("/registry/search", body("search", no_items, receiver_.url("/x"))), 400,
                 "err.request.bad");
  expect_refused(post("/registry/txn/status", body("txn-status", no_items, receiver_.url("/x"))),
                 400, "err.request.bad");
  expect_refused(post("/registry/subscribe", body("subscribe", no_items, receiver_.url("/x"))), 400,
                 "err.request.bad");
  expect_refused(post("/registry/unsubscribe", body("unsubscribe", no_items, receiver_.url("/x"))),
                 400, "err.request.bad");
  // The wrong action for the route.
  expect_refused(post("/registry/search", body("subscribe", search_message("1"), receiver_.url())),
                 400, "err.request.bad");
  // A changed byte: refused before anything runs.
  std::string good = body("search", search_message("1"), receiver_.url("/x"));
  std::string changed = good;
  changed.replace(changed.find("\"r-1\""), 5, "\"r-2\"");
  expect_refused(post("/registry/search", changed), 401, "err.signature.invalid");

  // The next good request's callback is the only one that ever arrives.
  expect_ack(post("/registry/search", body("search", search_message("1"), receiver_.url("/ok"))));
  callbacks_on("/cb/ok", 1);
  EXPECT_EQ(receiver_.received().size(), 1u);
}

TEST_P(IbrAsyncApiTest, SubscriberIsNotifiedOfMatchingEnrollmentsUntilItUnsubscribes) {
  ASSERT_EQ(admin_post("/v1/ibr/senders", Json{{"sender_id", "sp-other"},
                                               {"public_key", raw_key(other_key_)},
                                               {"callback_url", receiver_.url("/other")}})
                .status,
            201);
  Json subscribe = {{"transaction_id", "s-1"},
                    {"subscribe_request",
                     {{{"reference_id", "sub-1"},
                       {"timestamp", "2024-01-01T00:00:00Z"},
                       {"subscribe_criteria",
                        {{"reg_event_type", "enrollement"},
                         {"filter", {{"type", "NID"}, {"value", "555"}}},
                         {"notify_record_type", "Beneficiary"}}}}}}};
  expect_ack(
      post("/registry/subscribe", body("subscribe", subscribe, receiver_.url("/sp/on-subscribe"))));
  auto on_sub = callbacks_on("/cb/sp/on-subscribe", 1);
  std::string code = on_sub[0].message["subscribe_response"][0]["subscription_code"];

  // Another sender enrolls the person: a signed notify reaches the subscriber.
  auto update = post(kUpdates, body("notify", updates_message("555"), std::nullopt, "sp-other"));
  ASSERT_EQ(update.status, 200) << update.body;
  auto notified = callbacks_on("/cb/sp/notify", 1);
  EXPECT_EQ(notified[0].common().action, "notify");
  EXPECT_EQ(notified[0].message["notify_event"][0]["subscription_code"], code);
  EXPECT_EQ(notified[0].message["notify_event"][0]["data"]["reg_records"][0]["reference_id"],
            "ref-555");

  // sp-other's sender_uri must lie under its registered callback URL.
  expect_refused(post("/registry/search",
                      body("search", search_message("1"), receiver_.url("/x"), "sp-other")),
                 400, "err.sender_uri.invalid");

  Json unsubscribe = {{"transaction_id", "u-1"}, {"subscription_codes", {code}}};
  expect_ack(post("/registry/unsubscribe",
                  body("unsubscribe", unsubscribe, receiver_.url("/sp/on-unsubscribe"))));
  auto ended = callbacks_on("/cb/sp/on-unsubscribe", 1);
  EXPECT_EQ(ended[0].message["subscription_status"][0]["status"], "unsubscribe");
}

INSTANTIATE_TEST_SUITE_P(Backends, IbrAsyncApiTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr
