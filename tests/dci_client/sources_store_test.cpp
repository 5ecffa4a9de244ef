// The data sources on real databases (SQLite, and PostgreSQL when REGISTRAR_TEST_PG_URL is set):
// a source round-trips with its secrets sealed by the master key in the row (the raw columns
// never hold the plaintext), changes are audited, codes are unique, a replacement keeps the
// secrets it leaves out, and another instance sees a change when it reloads.
#include <gtest/gtest.h>

#include "core/error.h"
#include "dci_client/sources_fixture.h"
#include "store/audit.h"

namespace registrar::dci_client {
namespace {

using Json = nlohmann::json;

class SourcesStoreTest : public test::SourcesDbTest {
 protected:
  static SourceInput oauth2_input() {
    SourceInput in;
    in.code = "ibr_national";
    in.name = "National IBR";
    in.registry_type = "ns:org:RegistryType:IBR";
    in.base_url = "https://ibr.example.org/api";
    in.auth_type = "oauth2";
    in.oauth2_token_url = "https://auth.example.org/oauth2/client/token";
    in.oauth2_client_id = "openspp";
    in.oauth2_client_secret = "client-s3cret-plain";
    in.bearer_token = "bearer-t0ken-plain";
    in.oauth2_scope = "registry.search";
    in.oauth2_credential_location = "query";
    in.our_sender_id = "openspp.example.org";
    in.our_callback_uri = "https://sp.example.org/dci_api/v1/ibr/on-search";
    in.timeout_seconds = 12.5;
    in.max_concurrency = 3;
    in.verify_tls = false;
    in.notes = "test";
    return in;
  }

  // Every column of the row as text, as the database holds it.
  std::string raw_row(const std::string& code) {
    return db_.read([&](soci::session& s) {
      std::string a, b, c;
      s << "SELECT bearer_token_sealed, basic_password_sealed, oauth2_client_secret_sealed "
           "FROM dci_client_sources WHERE code = :c",
          soci::into(a), soci::into(b), soci::into(c), soci::use(code);
      return a + "|" + b + "|" + c;
    });
  }
};

TEST_P(SourcesStoreTest, ASourceRoundTripsWithItsSecretsSealedInTheRow) {
  DataSource made = sources_.create(oauth2_input(), "admin", "req-1");
  auto found = sources_.find("ibr_national");
  ASSERT_TRUE(found);
  EXPECT_EQ(source_to_json(*found), source_to_json(made));
  EXPECT_EQ(found->secrets.oauth2_client_secret, "client-s3cret-plain");
  EXPECT_EQ(found->secrets.bearer_token, "bearer-t0ken-plain");
  EXPECT_EQ(found->registry_type, RegistryType::kIbr);
  EXPECT_EQ(found->oauth2_credential_location, CredentialLocation::kQuery);
  EXPECT_EQ(found->timeout, std::chrono::milliseconds(12'500));
  EXPECT_EQ(found->max_concurrency, 3);
  EXPECT_FALSE(found->verify_tls);
  EXPECT_EQ(found->created, clock_.now());

  std::string raw = raw_row("ibr_national");
  EXPECT_EQ(raw.find("client-s3cret-plain"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("bearer-t0ken-plain"), std::string::npos) << raw;
  EXPECT_EQ(raw.rfind("v1.", 0), 0u) << raw;  // sealed by the master key
  // Bound to its source and field: the sealed client secret does not open as another's.
  std::string sealed_secret = raw.substr(raw.rfind('|') + 1);
  EXPECT_TRUE(
      sealing_.open(sealed_secret, sealing_context("ibr_national", "oauth2_client_secret")));
  EXPECT_FALSE(sealing_.open(sealed_secret, sealing_context("other", "oauth2_client_secret")));
  EXPECT_FALSE(sealing_.open(sealed_secret, sealing_context("ibr_national", "bearer_token")));

  // The audit has the change, without the secrets.
  auto audit = db_.read([](soci::session& s) { return store::read_audit(s, "", 10); });
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "dci_client.source.add");
  EXPECT_EQ(audit[0].subject, "source:ibr_national");
  EXPECT_EQ(audit[0].actor, "admin");
  EXPECT_EQ(audit[0].request_id, "req-1");
  EXPECT_EQ(audit[0].detail.dump().find("s3cret"), std::string::npos);
  EXPECT_EQ(audit[0].detail["oauth2_client_secret_set"], true);
}

TEST_P(SourcesStoreTest, CodesAreUniqueAndChangesAreAudited) {
  sources_.create(oauth2_input(), "admin", "");
  try {
    sources_.create(oauth2_input(), "admin", "");
    ADD_FAILURE() << "a second source with the same code";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kConflict);
    EXPECT_EQ(e.field(), "code");
    EXPECT_NE(std::string(e.what()).find("unique"), std::string::npos);
  }

  // A replacement without secrets keeps them; with a new one, changes it.
  clock_.advance(std::chrono::seconds(5));
  SourceInput next = oauth2_input();
  next.name = "Renamed";
  next.oauth2_client_secret.reset();
  next.bearer_token.reset();
  DataSource replaced = sources_.replace("ibr_national", next, "admin", "");
  EXPECT_EQ(replaced.name, "Renamed");
  EXPECT_EQ(sources_.find("ibr_national")->secrets.oauth2_client_secret, "client-s3cret-plain");
  EXPECT_EQ(sources_.find("ibr_national")->secrets.bearer_token, "bearer-t0ken-plain");
  next.oauth2_client_secret = "rotated";
  sources_.replace("ibr_national", next, "admin", "");
  auto now = sources_.find("ibr_national");
  EXPECT_EQ(now->secrets.oauth2_client_secret, "rotated");
  EXPECT_EQ(now->name, "Renamed");
  EXPECT_EQ(now->created, clock_.now() - std::chrono::seconds(5));
  EXPECT_EQ(now->updated, clock_.now());
  EXPECT_EQ(raw_row("ibr_national").find("rotated"), std::string::npos);
  // The code does not change through a replacement.
  next.code = "other";
  EXPECT_THROW(sources_.replace("ibr_national", next, "admin", ""), core::Error);

  EXPECT_EQ(sources_.set_state("ibr_national", SourceState::kTesting, "admin", "").state,
            SourceState::kTesting);
  EXPECT_FALSE(sources_.set_active("ibr_national", false, "admin", "").active);
  auto after = sources_.find("ibr_national");
  EXPECT_EQ(after->state, SourceState::kTesting);
  EXPECT_FALSE(after->active);
  EXPECT_EQ(after->secrets.oauth2_client_secret, "rotated");  // untouched by those

  // Another instance sees it when it reloads.
  DataSources other(db_, clock_, &sealing_);
  other.reload();
  ASSERT_EQ(other.snapshot()->count("ibr_national"), 1u);
  EXPECT_FALSE(other.snapshot()->at("ibr_national").active);
  EXPECT_EQ(other.snapshot()->at("ibr_national").secrets.oauth2_client_secret, "rotated");

  sources_.remove("ibr_national", "admin", "");
  EXPECT_FALSE(sources_.find("ibr_national"));
  EXPECT_THROW(sources_.remove("ibr_national", "admin", ""), core::Error);
  EXPECT_EQ(sources_.snapshot()->count("ibr_national"), 0u);

  std::vector<std::string> actions;
  for (const auto& a : db_.read([](soci::session& s) { return store::read_audit(s, "", 20); }))
    actions.push_back(a.action);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"dci_client.source.delete", "dci_client.source.deactivate",
                                      "dci_client.source.state", "dci_client.source.replace",
                                      "dci_client.source.replace", "dci_client.source.add"}));
}

TEST_P(SourcesStoreTest, WithoutAMasterKeySecretsAreRefusedAndNothingIsStored) {
  DataSources cli(db_, clock_, nullptr);
  try {
    cli.create(oauth2_input(), "cli:test", "");
    ADD_FAILURE() << "a secret stored without sealing";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("/v1/dci/sources"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(cli.list().empty());
  // Without secrets (auth none) it works, and a source made elsewhere lists as "set".
  SourceInput open = oauth2_input();
  open.code = "open_ibr";
  open.auth_type = "none";
  open.oauth2_client_secret.reset();
  open.bearer_token.reset();
  cli.create(open, "cli:test", "");
  sources_.create(oauth2_input(), "admin", "");
  auto listed = cli.list();
  ASSERT_EQ(listed.size(), 2u);
  for (const auto& d : listed)
    EXPECT_EQ(source_to_json(d)["oauth2_client_secret_set"], d.code == "ibr_national");
}

INSTANTIATE_TEST_SUITE_P(Backends, SourcesStoreTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace registrar::dci_client
