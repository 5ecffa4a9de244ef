#include "ibr/senders.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "crypto/keys.h"
#include "ibr/ibr_fixture.h"
#include "support/refusal.h"

namespace registrar::ibr {
namespace {

// RFC 8032 test 1's public key (dci-ibr.md §7.9), in two of the forms operators paste.
constexpr const char* kRawKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
constexpr const char* kSpki = "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

std::string field_of(const SenderInput& in) {
  return testing::refused_field([&] { validate_sender(in); });
}

TEST(IbrSenders, ValidationNamesTheField) {
  EXPECT_EQ(field_of({"sp-mis.gov_1", "", kRawKey, "", "", ""}), testing::kAccepted);
  EXPECT_EQ(field_of({"sp-mis", "", kSpki, "", "ed25519", ""}), testing::kAccepted);
  EXPECT_EQ(field_of({"sp-mis", "", "", "https://sp.example/jwks.json", "", ""}),
            testing::kAccepted);
  EXPECT_EQ(field_of({"", "", kRawKey, "", "", ""}), "sender_id");
  EXPECT_EQ(field_of({"a|b", "", kRawKey, "", "", ""}), "sender_id");
  EXPECT_EQ(field_of({"sp", "", "", "", "", ""}), "public_key");
  EXPECT_EQ(field_of({"sp", "", "not a key", "", "", ""}), "public_key");
  EXPECT_EQ(field_of({"sp", "", "", "ftp://x", "", ""}), "jwks_url");
  EXPECT_EQ(field_of({"sp", "", kRawKey, "", "hs256", ""}), "algorithm");
  EXPECT_EQ(field_of({"sp", "", kRawKey, "", "rs256", ""}), "public_key");  // Ed25519 key
  EXPECT_EQ(validate_sender({"sp", "", kRawKey, "", "", ""}).name, "sp");
}

class IbrSendersDb : public test::IbrDbTest {};

TEST_P(IbrSendersDb, AddReplaceDisableAndSnapshot) {
  EXPECT_TRUE(senders_->snapshot()->empty());
  senders_->add({"sp-mis", "SP MIS", kRawKey, "", "ed25519", "first"}, "tester", "req-1");
  auto snap = senders_->snapshot();
  ASSERT_EQ(snap->count("sp-mis"), 1u);
  EXPECT_TRUE(snap->at("sp-mis").active);
  EXPECT_EQ(snap->at("sp-mis").algorithm, dci::SignatureAlgorithm::kEd25519);

  // Replacing keeps one record with the new values.
  senders_->add({"sp-mis", "SP MIS 2", kSpki, "", "", ""}, "tester", "req-2");
  auto all = senders_->list();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].name, "SP MIS 2");
  EXPECT_FALSE(all[0].algorithm.has_value());

  senders_->disable("sp-mis", "tester", "req-3");
  EXPECT_FALSE(senders_->snapshot()->at("sp-mis").active);
  EXPECT_THROW(senders_->disable("nobody", "tester", ""), core::Error);

  // A second instance sees the change when it reloads.
  Senders other(*db_, clock_);
  other.reload();
  EXPECT_FALSE(other.snapshot()->at("sp-mis").active);
}

INSTANTIATE_TEST_SUITE_P(Backends, IbrSendersDb, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::ibr
