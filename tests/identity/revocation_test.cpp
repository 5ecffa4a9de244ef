// Revocation below HTTP, on each backend: the token check and its cache, the account state's
// horizon, the purge of revoked jtis, and retiring a key at once.
#include "identity/revocation.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "identity/accounts.h"
#include "identity/keystore.h"
#include "identity/store.h"
#include "identity/tokens.h"
#include "support/databases.h"

namespace registrar::identity {
namespace {

using namespace std::chrono_literals;

class RevocationUnitTest : public ::testing::TestWithParam<std::string> {
 protected:
  RevocationUnitTest() : tdb_(GetParam()), db_(tdb_.options()) {
    store::migrate(db_, {store::platform_schema(), {"identity", identity_migrations()}}, clock_);
    KeySettings ks;
    ks.reload_interval = 0s;
    keys_ = std::make_unique<KeyStore>(db_, clock_, MasterKey(std::string(32, 'k')), ks);
    keys_->ensure_signing_key();
    revocations_ = std::make_unique<Revocations>(db_, clock_, RevocationSettings{});
    tokens_ = std::make_unique<TokenService>(*keys_, clock_, TokenSettings{});
    tokens_->set_revocations(revocations_.get());
  }
  long long revoked_rows() {
    return db_.read([](soci::session& s) {
      long long n = 0;
      s << "SELECT COUNT(*) FROM identity_revoked_tokens", soci::into(n);
      return n;
    });
  }
  std::string jti_of(const std::string& token) {
    auto c = tokens_->validate(token);
    EXPECT_TRUE(c.ok) << c.error;
    return c.ok ? c.token->info.token_id : "";
  }

  testing::TestDatabase tdb_;
  core::ManualClock clock_{core::SystemTime(std::chrono::seconds(1'800'000'000))};
  store::Database db_;
  std::unique_ptr<KeyStore> keys_;
  std::unique_ptr<Revocations> revocations_;
  std::unique_ptr<TokenService> tokens_;
};

TEST_P(RevocationUnitTest, ACachedTokenIsRefusedOnceItsJtiIsRevoked) {
  std::string t = tokens_->issue("app", "app", {"read"}).access_token;
  std::string other = tokens_->issue("app", "app", {"read"}).access_token;
  std::string jti = jti_of(t);
  ASSERT_TRUE(tokens_->validate(t).ok);  // now from the cache
  revocations_->revoke_jti(jti, std::nullopt, "test");
  auto check = tokens_->validate(t);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.error, "the token is revoked");
  EXPECT_FALSE(tokens_->validate(t).ok);  // and not put back in the cache
  EXPECT_TRUE(tokens_->validate(other).ok);
}

TEST_P(RevocationUnitTest, ReEnabledClientKeepsItsOlderTokensRefused) {
  Accounts accounts(db_, clock_, HashCost::kMinimal);
  accounts.add_client("app", {"read"}, "", "a-secret-of-16-chars", "test");
  std::string before = tokens_->issue("app", "app", {}).access_token;
  ASSERT_TRUE(tokens_->validate(before).ok);
  clock_.advance(5s);
  revocations_->set_disabled(AccountKind::kClient, "app", true, "test");
  EXPECT_FALSE(tokens_->validate(before).ok);
  EXPECT_THROW(revocations_->set_disabled(AccountKind::kClient, "nobody", true, "test"),
               core::Error);
  clock_.advance(1s);
  revocations_->set_disabled(AccountKind::kClient, "app", false, "test");
  std::string after = tokens_->issue("app", "app", {}).access_token;
  EXPECT_TRUE(tokens_->validate(after).ok);
  EXPECT_FALSE(tokens_->validate(before).ok);
  // Past the longest token lifetime the old time no longer matters: nothing left to refuse.
  clock_.advance(std::chrono::seconds(RevocationSettings{}.max_token_lifetime_seconds + 1));
  revocations_->reload();
  EXPECT_TRUE(revocations_->state()->clients.empty());
}

TEST_P(RevocationUnitTest, RevokedJtisArePurgedAfterTheTokenWouldHaveExpired) {
  revocations_->revoke_jti("first", clock_.now() + 10s, "test");
  EXPECT_THROW(revocations_->revoke_jti("late", clock_.now() - 1s, "test"), core::Error);
  EXPECT_EQ(revoked_rows(), 1);
  clock_.advance(11s);
  revocations_->reload();
  EXPECT_EQ(revocations_->state()->jtis.count("first"), 0u);  // expired: no longer held
  revocations_->revoke_jti("second", std::nullopt, "test");
  EXPECT_EQ(revoked_rows(), 1);  // "first" went with the insert
  EXPECT_EQ(revocations_->state()->jtis.count("second"), 1u);
}

TEST_P(RevocationUnitTest, RetireNowCreatesASignerOnlyWhenNoneIsLeft) {
  std::string t = tokens_->issue("app", "app", {}).access_token;
  ASSERT_TRUE(tokens_->validate(t).ok);
  std::string first = keys_->signer().kid;
  EXPECT_THROW(keys_->retire_now("no-such-kid", "test"), core::Error);
  auto r = keys_->retire_now(first, "test");
  EXPECT_EQ(r.retired.state, KeyState::kRetired);
  ASSERT_TRUE(r.replacement.has_value());
  EXPECT_EQ(keys_->signer().kid, r.replacement->kid);
  revocations_->reload();
  EXPECT_FALSE(tokens_->validate(t).ok);  // cached, and refused all the same
  // With another key signing, none is made.
  keys_->create_key(std::nullopt, true, "test");
  auto again = keys_->retire_now(r.replacement->kid, "test");
  EXPECT_FALSE(again.replacement.has_value());
  EXPECT_EQ(keys_->list().size(), 3u);
  EXPECT_THROW(keys_->retire_now(first, "test"), core::Error);  // already retired
  // Once no token it signed can be unexpired, a retired key leaves the state (checks go back
  // to the empty fast path).
  revocations_->reload();
  EXPECT_EQ(revocations_->state()->keys.size(), 2u);
  clock_.advance(std::chrono::seconds(RevocationSettings{}.max_token_lifetime_seconds + 1));
  revocations_->reload();
  EXPECT_TRUE(revocations_->state()->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, RevocationUnitTest,
                         ::testing::ValuesIn(testing::test_backends()));

}  // namespace
}  // namespace registrar::identity
