// The async operations on real databases: each request stores its transaction and its signed
// callback together, or (a bad request, a sender_uri we will not call) nothing at all;
// txn-status reports the delivery of callbacks; subscriptions turn matching enrollment updates
// into signed notify envelopes in the update's transaction.
#include "ibr/async.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "core/error.h"
#include "crypto/signature.h"
#include "ibr/ibr_fixture.h"
#include "ibr/outbox_store.h"

namespace registrar::ibr {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// identity's signing service, reduced to one Ed25519 key.
class TestSigning final : public services::Signing {
 public:
  void ensure_key(const std::string&, crypto::JwsAlg, const std::string&) override {}
  std::string sign(const std::string&, std::string_view data) const override {
    return crypto::sign_bytes(key_, crypto::JwsAlg::kEdDSA, data);
  }
  crypto::PublicKey public_key(const std::string&) const override { return key_.public_key(); }
  crypto::JwsAlg algorithm(const std::string&) const override { return crypto::JwsAlg::kEdDSA; }

 private:
  crypto::PrivateKey key_ = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
};

std::string raw_key(const crypto::PrivateKey& k) {
  const auto& raw = k.public_key().ed25519_raw();
  return core::base64_encode(std::string(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

Json beneficiary_update(const std::string& ref, const std::string& nid) {
  Json b = {{"reference_id", ref},
            {"identifier", {{{"identifier_type", "NID"}, {"identifier_value", nid}}}},
            {"programme", {{{"programme_identifier", "CT"}, {"programme_name", "Cash"}}}}};
  return {{"transaction_id", "u-" + ref}, {"enrolled_updates", {{"beneficiaries", {b}}}}};
}

Json search_message(const std::string& txn, const std::string& nid) {
  return {{"transaction_id", txn},
          {"search_request",
           {{{"reference_id", "r1"},
             {"timestamp", "2024-01-01T00:00:00Z"},
             {"search_criteria",
              {{"query_type", "idtype-value"}, {"query", {{"type", "NID"}, {"value", nid}}}}}}}}};
}

Json subscribe_message(const std::string& nid) {
  return {{"transaction_id", "s-1"},
          {"subscribe_request",
           {{{"reference_id", "sub-ref"},
             {"timestamp", "2024-01-01T00:00:00Z"},
             {"subscribe_criteria",
              {{"reg_event_type", "enrollement"},
               {"filter_type", "idtype-value"},
               {"filter", {{"type", "NID"}, {"value", nid}}},
               {"notify_record_type", "Beneficiary"}}}}}}};
}

Json txn_status_message(const std::string& type, const std::string& value) {
  return {{"transaction_id", "q-1"},
          {"txnstatus_request",
           {{"reference_id", "q-ref"},
            {"txn_type", "search"},
            {"attribute_type", type},
            {"attribute_value", value}}}};
}

constexpr const char* kRegisteredB = "http://127.0.0.1:9/b";

class AsyncDb : public test::IbrDbTest {
 protected:
  AsyncDb() {
    answers_ = std::make_unique<AnswerSigner>(signing_, settings_, clock_);
    async_ = std::make_unique<AsyncOperations>(*db_, clock_, *service_, *answers_, *senders_);
    service_->set_update_listener(
        [this](soci::session& s, const std::string& txn, const std::vector<UpdateEvent>& events) {
          async_->notify(s, txn, events);
        });
    senders_->add({"sp-a", "", raw_key(key_a_), "", "", "", ""}, "test", "");
    senders_->add({"sp-b", "", raw_key(key_b_), "", "", "", kRegisteredB}, "test", "");
  }

  dci::Envelope request(const std::string& sender, const std::string& action, const Json& message,
                        std::optional<std::string> sender_uri) {
    dci::MsgHeader h;
    h.message_id = "m-" + std::to_string(++n_);
    h.message_ts = dci::format_message_ts(clock_.now());
    h.action = action;
    h.sender_id = sender;
    h.sender_uri = std::move(sender_uri);
    h.total_count = 1;
    dci::Signer signer(sender == "sp-a" ? key_a_ : key_b_, dci::SignatureAlgorithm::kEd25519,
                       sender, "k1", clock_);
    return dci::parse_envelope(signer.sign_envelope(h, message));
  }

  int64_t count(const std::string& table, const std::string& where = "1 = 1") {
    return db_->read([&](soci::session& s) {
      long long n = 0;
      s << "SELECT COUNT(*) FROM " + table + " WHERE " + where, soci::into(n);
      return int64_t(n);
    });
  }
  std::vector<OutboxRow> rows(const std::string& sender, const std::string& correlation) {
    return db_->read([&](soci::session& s) { return db::outbox_of(s, sender, correlation); });
  }
  // The only row with this action, its envelope checked against our key.
  dci::Envelope queued(const std::string& where, OutboxRow* out = nullptr) {
    auto ids = db_->read([&](soci::session& s) {
      std::vector<std::string> v;
      soci::rowset<std::string> rs =
          (s.prepare << "SELECT id FROM ibr_outbox WHERE " + where + " ORDER BY created_us, id");
      for (const auto& id : rs) v.push_back(id);
      return v;
    });
    EXPECT_EQ(ids.size(), 1u) << where;
    if (ids.empty()) return {};
    auto row = db_->read([&](soci::session& s) { return db::find_outbox(s, ids.back()); });
    if (out) *out = *row;
    dci::Envelope env = dci::parse_envelope(row->message.body);
    auto v = dci::verify_envelope(env, signing_.public_key(""), dci::SignatureAlgorithm::kEd25519,
                                  clock_);
    EXPECT_TRUE(v.ok()) << dci::verify_status_name(v.status) << " " << v.detail;
    return env;
  }
  template <typename F>
  void expect_refused(F&& f, const std::string& field) {
    try {
      f();
      ADD_FAILURE() << "accepted; expected a refusal about " << field;
    } catch (const core::Error& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument) << e.what();
      EXPECT_EQ(e.field(), field) << e.what();
    }
  }

  IbrSettings settings_;
  TestSigning signing_;
  crypto::PrivateKey key_a_ = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  crypto::PrivateKey key_b_ = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  std::unique_ptr<AnswerSigner> answers_;
  std::unique_ptr<AsyncOperations> async_;
  int n_ = 0;
};

TEST_P(AsyncDb, SearchAcksAndQueuesItsSignedCallbackWithTheTransaction) {
  service_->apply_updates(beneficiary_update("p1", "111"), "sp-b", "");
  dci::Ack ack = async_->search(
      request("sp-a", "search", search_message("t-1", "111"), "http://127.0.0.1:7/on-search"),
      "sp-a");
  EXPECT_EQ(ack.status, dci::AckStatus::kAck);
  ASSERT_FALSE(ack.correlation_id.empty());
  EXPECT_EQ(count("ibr_transactions"), 1);

  OutboxRow row;
  dci::Envelope cb = queued("action = 'on-search'", &row);
  EXPECT_EQ(row.message.target_url, "http://127.0.0.1:7/on-search");
  EXPECT_EQ(row.message.sender_id, "sp-a");
  EXPECT_EQ(row.message.transaction_id, "t-1");
  EXPECT_EQ(row.state, OutboxState::kPending);
  ASSERT_TRUE(cb.is_callback());
  EXPECT_EQ(cb.common().action, "on-search");
  EXPECT_EQ(cb.common().receiver_id, "sp-a");
  EXPECT_EQ(cb.common().message_id, row.message.message_id);
  EXPECT_EQ(cb.message["correlation_id"], ack.correlation_id);
  EXPECT_EQ(cb.message["search_response"][0]["status"], "succ");
  EXPECT_EQ(cb.message["search_response"][0]["data"]["reg_records"][0]["programs"][0]["name"],
            "Cash");
}

TEST_P(AsyncDb, ACorrelationIdChosenByTheSenderIsEchoedAndNotReused) {
  Json msg = search_message("t-1", "111");
  msg["correlation_id"] = "mine-1";
  EXPECT_EQ(async_->search(request("sp-a", "search", msg, "http://h/cb"), "sp-a").correlation_id,
            "mine-1");
  expect_refused([&] { async_->search(request("sp-a", "search", msg, "http://h/cb"), "sp-a"); },
                 "message.correlation_id");
  EXPECT_EQ(count("ibr_outbox"), 1);
  // Another sender may use the same one: correlation ids are per sender.
  EXPECT_EQ(async_->search(request("sp-b", "search", msg, std::nullopt), "sp-b").correlation_id,
            "mine-1");
}

TEST_P(AsyncDb, SenderUriIsAnHttpUrlUnderTheRegisteredCallbackUrl) {
  auto search_to = [&](const std::string& sender, std::optional<std::string> uri) {
    return async_->search(request(sender, "search", search_message("t", "1"), std::move(uri)),
                          sender);
  };
  const std::string field = "header.sender_uri";
  expect_refused([&] { search_to("sp-a", "ftp://127.0.0.1/cb"); }, field);
  expect_refused([&] { search_to("sp-a", "file:///etc/passwd"); }, field);
  expect_refused([&] { search_to("sp-a", "http://"); }, field);
  expect_refused([&] { search_to("sp-a", "http://a.example@127.0.0.1/cb"); }, field);
  expect_refused([&] { search_to("sp-a", std::nullopt); }, field);  // and none registered
  expect_refused([&] { search_to("sp-b", "http://127.0.0.1:9/bad"); }, field);
  expect_refused([&] { search_to("sp-b", "http://127.0.0.1:9/b.evil/x"); }, field);
  expect_refused([&] { search_to("sp-b", "http://127.0.0.1:99/b"); }, field);
  EXPECT_EQ(count("ibr_outbox"), 0);
  EXPECT_EQ(count("ibr_transactions"), 0);

  search_to("sp-b", "http://127.0.0.1:9/b/on-search");
  search_to("sp-b", std::nullopt);  // the registered URL
  EXPECT_EQ(count("ibr_outbox", "target_url = 'http://127.0.0.1:9/b/on-search'"), 1);
  EXPECT_EQ(count("ibr_outbox", "target_url = 'http://127.0.0.1:9/b'"), 1);
}

TEST_P(AsyncDb, MalformedRequestsAreRefusedWithNothingStored) {
  const std::string uri = "http://127.0.0.1:7/cb";
  expect_refused(
      [&] {
        async_->search(request("sp-a", "search", {{"transaction_id", "t"}}, uri), "sp-a");
      },
      "message.search_request");
  expect_refused(
      [&] {
        async_->txn_status(request("sp-a", "txn-status", {{"transaction_id", "t"}}, uri), "sp-a");
      },
      "message.txnstatus_request");
  Json bad_type = txn_status_message("nonsense", "x");
  expect_refused([&] { async_->txn_status(request("sp-a", "txn-status", bad_type, uri), "sp-a"); },
                 "message.txnstatus_request.attribute_type");
  expect_refused(
      [&] {
        async_->subscribe(request("sp-a", "subscribe", {{"transaction_id", "t"}}, uri), "sp-a");
      },
      "message.subscribe_request");
  expect_refused(
      [&] {
        async_->unsubscribe(
            request("sp-a", "unsubscribe",
                    {{"transaction_id", "t"}, {"subscription_codes", Json::array()}}, uri),
            "sp-a");
      },
      "message.subscription_codes");
  EXPECT_EQ(count("ibr_outbox"), 0);
  EXPECT_EQ(count("ibr_transactions"), 0);
  EXPECT_EQ(count("ibr_subscriptions"), 0);
}

TEST_P(AsyncDb, TxnStatusReportsTheTransactionAndTheDeliveryOfItsCallbacks) {
  dci::Ack searched = async_->search(
      request("sp-a", "search", search_message("t-9", "111"), "http://h/on-search"), "sp-a");
  auto search_rows = rows("sp-a", searched.correlation_id);
  ASSERT_EQ(search_rows.size(), 1u);

  async_->txn_status(
      request("sp-a", "txn-status", txn_status_message("transaction_id", "t-9"), "http://h/st"),
      "sp-a");
  dci::Envelope cb = queued("action = 'txn-on-status'");
  EXPECT_EQ(cb.common().action, "txn-on-status");
  const Json& status = cb.message["txnstatus_response"];
  EXPECT_EQ(status["txn_type"], "search");
  EXPECT_EQ(status["txn_status"]["correlation_id"], searched.correlation_id);
  EXPECT_EQ(status["txn_status"]["search_response"][0]["reference_id"], "r1");
  EXPECT_EQ(status["transaction"]["status"], "succ");
  ASSERT_EQ(status["callbacks"].size(), 1u);
  EXPECT_EQ(status["callbacks"][0]["state"], "pending");
  EXPECT_EQ(status["callbacks"][0]["attempts"], 0);

  // Delivered, asked by correlation id through the sync form.
  db_->write([&](soci::session& s) {
    db::claim_outbox(s, "x", 10, clock_.now(), clock_.now() + 1min);
    db::mark_outbox_delivered(s, search_rows[0].id, clock_.now());
  });
  auto sync = [&](const std::string& sender, const Json& msg) {
    return dci::parse_envelope(
        async_->sync_txn_status(request(sender, "txn-status", msg, std::nullopt), sender));
  };
  dci::Envelope now = sync("sp-a", txn_status_message("correlation_id", searched.correlation_id));
  EXPECT_EQ(std::get<dci::MsgCallbackHeader>(now.header).status, dci::RequestStatus::kSucc);
  EXPECT_EQ(now.message["txnstatus_response"]["callbacks"][0]["state"], "delivered");
  EXPECT_EQ(now.message["txnstatus_response"]["callbacks"][0]["attempts"], 1);

  // Unknown, and another sender's: rejected alike.
  for (auto [sender, msg] : {std::pair{"sp-a", txn_status_message("transaction_id", "nope")},
                             std::pair{"sp-b", txn_status_message("transaction_id", "t-9")}}) {
    dci::Envelope r = sync(sender, msg);
    EXPECT_EQ(std::get<dci::MsgCallbackHeader>(r.header).status, dci::RequestStatus::kRjct)
        << sender;
    EXPECT_EQ(r.message["txnstatus_response"]["txn_status"]["status"], "rjct");
    EXPECT_FALSE(r.message["txnstatus_response"].contains("callbacks"));
  }
}

TEST_P(AsyncDb, MatchingUpdatesNotifyTheSubscriberUntilItUnsubscribes) {
  async_->subscribe(
      request("sp-b", "subscribe", subscribe_message("111"), "http://127.0.0.1:9/b/on-subscribe"),
      "sp-b");
  dci::Envelope on_sub = queued("action = 'on-subscribe'");
  const Json& item = on_sub.message["subscribe_response"][0];
  ASSERT_EQ(item["status"], "succ") << on_sub.message.dump();
  std::string code = item["subscription_code"];
  EXPECT_EQ(item["subscriptions"][0]["code"], code);
  EXPECT_EQ(item["subscriptions"][0]["status"], "subscribe");

  // The same subscription again is refused as such.
  async_->subscribe(request("sp-b", "subscribe", subscribe_message("111"), std::nullopt), "sp-b");
  EXPECT_EQ(count("ibr_subscriptions"), 1);

  service_->apply_updates(beneficiary_update("p1", "111"), "sp-a", "");
  OutboxRow row;
  dci::Envelope n = queued("action = 'notify'", &row);
  EXPECT_EQ(row.message.target_url, "http://127.0.0.1:9/b/notify");
  EXPECT_EQ(row.message.sender_id, "sp-b");
  EXPECT_FALSE(n.is_callback());
  EXPECT_EQ(n.common().action, "notify");
  EXPECT_EQ(n.common().receiver_id, "sp-b");
  const Json& event = n.message["notify_event"][0];
  EXPECT_EQ(event["subscription_code"], code);
  EXPECT_EQ(event["data"]["reg_event_type"], "enrollement");
  EXPECT_EQ(event["data"]["reg_records"][0]["reference_id"], "p1");

  // Another person, the subscriber's own update, a status change (not subscribed to): nothing.
  service_->apply_updates(beneficiary_update("p2", "222"), "sp-a", "");
  service_->apply_updates(beneficiary_update("p3", "111"), "sp-b", "");
  service_->apply_updates(beneficiary_update("p1", "111"), "sp-a", "");
  EXPECT_EQ(count("ibr_outbox", "action = 'notify'"), 1);

  Json unsub = {{"transaction_id", "x-1"}, {"subscription_codes", {code}}};
  async_->unsubscribe(request("sp-b", "unsubscribe", unsub, std::nullopt), "sp-b");
  dci::Envelope ended = queued("action = 'on-unsubscribe'");
  EXPECT_EQ(ended.message["status"], "succ");
  EXPECT_EQ(ended.message["subscription_status"][0]["status"], "unsubscribe");
  service_->apply_updates(beneficiary_update("p4", "111"), "sp-a", "");
  EXPECT_EQ(count("ibr_outbox", "action = 'notify'"), 1);

  // Ending it again, or a code of someone else's: rejected in the callback.
  async_->unsubscribe(request("sp-b", "unsubscribe", unsub, std::nullopt), "sp-b");
  async_->unsubscribe(request("sp-a", "unsubscribe", unsub, "http://h/cb"), "sp-a");
  dci::Envelope again = queued(
      "action = 'on-unsubscribe' AND sender_id = 'sp-b' AND "
      "correlation_id <> '" +
      ended.message["correlation_id"].get<std::string>() + "'");
  EXPECT_EQ(again.message["status_reason_code"], "rjct.event.already_unsubscribed");
  dci::Envelope foreign = queued("action = 'on-unsubscribe' AND sender_id = 'sp-a'");
  EXPECT_EQ(foreign.message["status_reason_code"], "rjct.subscription_code.invalid");
}

TEST_P(AsyncDb, UnsupportedSubscribeCriteriaAreRejectedPerItem) {
  Json msg = subscribe_message("111");
  msg["subscribe_request"][0]["subscribe_criteria"]["reg_event_type"] = "death";
  async_->subscribe(request("sp-b", "subscribe", msg, std::nullopt), "sp-b");
  dci::Envelope cb = queued("action = 'on-subscribe'");
  EXPECT_EQ(std::get<dci::MsgCallbackHeader>(cb.header).status, dci::RequestStatus::kRjct);
  EXPECT_EQ(cb.message["subscribe_response"][0]["status_reason_code"], "rjct.notify_types.invalid");
  EXPECT_EQ(count("ibr_subscriptions"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, AsyncDb, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr
