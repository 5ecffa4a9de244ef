// The DCI routes' handlers take the envelope the signature authenticator parsed (handed over on
// the request, http::Request::attachment) instead of parsing the body again.
#include <gtest/gtest.h>

#include "core/base64.h"
#include "core/error.h"
#include "crypto/keys.h"
#include "dci/signature.h"
#include "ibr/api.h"
#include "ibr/ibr_fixture.h"
#include "ibr/signature_auth.h"

namespace registrar::ibr {
namespace {

using Json = nlohmann::json;

class EnvelopeHandover : public test::IbrDbTest {
 protected:
  EnvelopeHandover()
      : key_(crypto::PrivateKey::generate(crypto::KeyType::kEd25519)),
        signer_(key_, dci::SignatureAlgorithm::kEd25519, "sp-mis", "k1", clock_) {
    const auto& raw = key_.public_key().ed25519_raw();
    senders_->add(
        {"sp-mis", "",
         core::base64_encode(std::string(reinterpret_cast<const char*>(raw.data()), raw.size())),
         "", "ed25519", ""},
        "tester", "");
    auth_ = make_signature_authenticator(*senders_, nullptr, clock_, false);
  }

  std::string signed_search(const Json& message) {
    dci::MsgHeader h;
    h.message_id = "m-1";
    h.message_ts = dci::format_message_ts(clock_.now());
    h.action = "search";
    h.sender_id = "sp-mis";
    h.total_count = 1;
    return signer_.sign_envelope(h, message);
  }

  crypto::PrivateKey key_;
  dci::Signer signer_;
  std::shared_ptr<dci::SignatureAuthenticator> auth_;
  http::Route route_;
};

const Json kSearch = {{"transaction_id", "t-1"},
                      {"search_request",
                       {{{"reference_id", "r-1"},
                         {"timestamp", "2024-01-01T00:00:00Z"},
                         {"search_criteria",
                          {{"query_type", "idtype-value"},
                           {"query", {{"type", "NID"}, {"value", "4931839201"}}},
                           {"pagination", {{"page_size", 10}, {"page_number", 1}}}}}}}}};

TEST_P(EnvelopeHandover, TheHandlerGetsTheAuthenticatorsParse) {
  http::Request r;
  r.body = signed_search(kSearch);
  ASSERT_EQ(auth_->authenticate(r, route_), std::nullopt);
  ASSERT_TRUE(r.attachment.has_value());
  // Past the authenticator the body is not read again: the handler's envelope is the one the
  // signature was checked on, its message filled in.
  r.body = "not an envelope";
  dci::Envelope env = request_envelope(r, {"search"});
  EXPECT_EQ(env.common().sender_id, "sp-mis");
  EXPECT_EQ(env.message, kSearch);
  EXPECT_FALSE(r.attachment.has_value());  // taken, not copied
  Json answer = service_->sync_search(env.message);
  EXPECT_EQ(answer["search_response"].size(), 1u) << answer.dump();
}

TEST_P(EnvelopeHandover, TheActionIsStillCheckedAndARefusedRequestCarriesNothing) {
  http::Request r;
  r.body = signed_search(kSearch);
  ASSERT_EQ(auth_->authenticate(r, route_), std::nullopt);
  try {
    request_envelope(r, {"notify"});
    ADD_FAILURE() << "a search envelope was taken for notify";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.field(), "header.action");
  }

  http::Request forged;
  forged.body = signed_search(kSearch);
  forged.body.replace(forged.body.find("4931839201"), 10, "4931839202");
  auto refused = auth_->authenticate(forged, route_);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 401);
  EXPECT_FALSE(forged.attachment.has_value());
  EXPECT_EQ(forged.principal, nullptr);
}

// A request no SignatureAuthenticator saw (a test calling the handler) is read from its body.
TEST_P(EnvelopeHandover, WithoutAnAttachmentTheBodyIsRead) {
  http::Request r;
  r.body = signed_search(kSearch);
  EXPECT_EQ(request_envelope(r, {"search"}).message, kSearch);
  r.body = "not an envelope";
  EXPECT_THROW(request_envelope(r, {"search"}), core::Error);
}

INSTANTIATE_TEST_SUITE_P(Backends, EnvelopeHandover, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr
