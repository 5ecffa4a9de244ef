// The client's trusted senders in dci_client_senders, on each backend.
#include <gtest/gtest.h>

#include "core/error.h"
#include "dci_client/senders_fixture.h"
#include "support/refusal.h"

namespace registrar::dci_client {
namespace {

// RFC 8032 test 1's public key (dci-ibr.md §7.9): raw base64 and base64 SPKI.
constexpr const char* kRawKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
constexpr const char* kSpki = "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

class SendersStore : public test::SendersDbTest {
 protected:
  std::vector<std::string> audit_actions() {
    return db_->read([](soci::session& s) {
      std::vector<std::string> out;
      soci::rowset<std::string> rows =
          (s.prepare
           << "SELECT action FROM audit_log WHERE subject LIKE 'sender:%' ORDER BY at_us, "
              "action");
      for (const auto& a : rows) out.push_back(a);
      return out;
    });
  }
};

TEST_P(SendersStore, AddReplaceDisableAndSnapshot) {
  EXPECT_TRUE(senders_->snapshot()->empty());
  senders_->add({"ibr.national.gov", "National IBR", kRawKey, "", "ed25519", "first"}, "tester",
                "req-1");
  auto snap = senders_->snapshot();
  ASSERT_EQ(snap->count("ibr.national.gov"), 1u);
  EXPECT_TRUE(snap->at("ibr.national.gov").active);
  EXPECT_EQ(snap->at("ibr.national.gov").algorithm, dci::SignatureAlgorithm::kEd25519);

  clock_.advance(std::chrono::seconds(1));
  senders_->add({"ibr.national.gov", "National IBR 2", kSpki, "", "", ""}, "tester", "req-2");
  auto all = senders_->list();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].name, "National IBR 2");
  EXPECT_FALSE(all[0].algorithm.has_value());

  clock_.advance(std::chrono::seconds(1));
  senders_->disable("ibr.national.gov", "tester", "req-3");
  EXPECT_FALSE(senders_->snapshot()->at("ibr.national.gov").active);
  EXPECT_THROW(senders_->disable("nobody", "tester", ""), core::Error);
  EXPECT_FALSE(senders_->find("nobody").has_value());

  // Audited under the client's own names.
  EXPECT_EQ(audit_actions(),
            (std::vector<std::string>{"dci_client.sender.add", "dci_client.sender.replace",
                                      "dci_client.sender.disable"}));

  // A second instance sees the change when it reloads.
  dci::TrustedSenders other(*db_, clock_, sender_table());
  other.reload();
  EXPECT_FALSE(other.snapshot()->at("ibr.national.gov").active);
}

TEST_P(SendersStore, KeyFetchOutcomeIsRecordedAndClearedByAReplace) {
  senders_->add({"ibr-a", "", "", "https://ibr-a.example/jwks.json", "", ""}, "tester", "");
  bool recorded = db_->write([](soci::session& s) {
    return dci::sender_sql::record_key_fetch(s, "dci_client_senders", "ibr-a",
                                             core::from_unix_seconds(1'750'000'100),
                                             "ok: ibr-a|k1|ed25519");
  });
  EXPECT_TRUE(recorded);
  auto found = senders_->find("ibr-a");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->last_key_fetch_result, "ok: ibr-a|k1|ed25519");
  ASSERT_TRUE(found->last_key_fetch.has_value());
  EXPECT_EQ(*found->last_key_fetch, core::from_unix_seconds(1'750'000'100));
  EXPECT_EQ(dci::sender_to_json(*found)["last_key_fetch_result"], "ok: ibr-a|k1|ed25519");
  // The operator's new record starts over: the old outcome was about the old URL.
  senders_->add({"ibr-a", "", "", "https://ibr-a.example/v2/jwks.json", "", ""}, "tester", "");
  EXPECT_EQ(senders_->find("ibr-a")->last_key_fetch_result, "");
  EXPECT_FALSE(db_->write([](soci::session& s) {
    return dci::sender_sql::record_key_fetch(s, "dci_client_senders", "nobody",
                                             core::from_unix_seconds(1), "ok");
  }));
}

TEST_P(SendersStore, InvalidInputNamesTheFieldAndStoresNothing) {
  auto field_of = [&](const dci::SenderInput& in) {
    return testing::refused_field([&] { senders_->add(in, "tester", ""); });
  };
  EXPECT_EQ(field_of({"a|b", "", kRawKey, "", "", ""}), "sender_id");
  EXPECT_EQ(field_of({"ibr", "", "", "", "", ""}), "public_key");
  EXPECT_EQ(field_of({"ibr", "", "", "ftp://x", "", ""}), "jwks_url");
  EXPECT_EQ(field_of({"ibr", "", kRawKey, "", "rs256", ""}), "public_key");
  EXPECT_TRUE(senders_->list().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, SendersStore, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::dci_client
