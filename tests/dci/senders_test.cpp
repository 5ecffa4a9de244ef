#include "dci/senders.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace registrar::dci {
namespace {

// The §7.9 / OpenSPP test key in the forms an operator may paste.
constexpr const char* kRaw = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
constexpr const char* kPem =
    "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* kJwk =
    R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";

crypto::Jwks jwks_of(const std::vector<std::pair<std::string, crypto::PublicKey>>& keys) {
  crypto::Jwks set;
  for (const auto& [kid, key] : keys) set.add({kid, std::nullopt, key});
  return set;
}

TEST(DciSenders, KidFormat) {
  EXPECT_EQ(format_kid("registrar", "2026-01", SignatureAlgorithm::kEd25519),
            "registrar|2026-01|ed25519");
  auto kid = parse_kid_id("ibr.national.gov|key|with|bars|rs256");
  ASSERT_TRUE(kid);
  EXPECT_EQ(kid->sender_id, "ibr.national.gov");
  EXPECT_EQ(kid->key_id, "key|with|bars");
  EXPECT_EQ(kid->algorithm, "rs256");
  EXPECT_FALSE(parse_kid_id("no-bars"));
  EXPECT_FALSE(parse_kid_id("one|bar"));
}

TEST(DciSenders, PinnedKeyForms) {
  auto pem = parse_pinned_key(kPem);
  EXPECT_EQ(parse_pinned_key(kRaw), pem);
  std::string padded = "  ";  // appended, not a + chain: g++ 12 -O2 warns falsely on that
  padded.append(kRaw).append("\n");
  EXPECT_EQ(parse_pinned_key(padded), pem);
  EXPECT_EQ(parse_pinned_key(kJwk), pem);
  EXPECT_EQ(parse_pinned_key("MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="), pem);
  EXPECT_THROW(parse_pinned_key(""), core::Error);
  EXPECT_THROW(parse_pinned_key("not a key"), core::Error);
}

TEST(DciSenders, RefusesUnknownAndDisabledSenders) {
  EXPECT_EQ(select_sender_key(nullptr, "", nullptr).status, KeyChoiceStatus::kUnknownSender);
  TrustedSender s{.sender_id = "sp-mis", .public_key = kRaw, .active = false};
  EXPECT_EQ(select_sender_key(&s, "", nullptr).status, KeyChoiceStatus::kDisabled);
  TrustedSender none{.sender_id = "sp-mis"};
  EXPECT_EQ(select_sender_key(&none, "sp-mis|k|ed25519", nullptr).status, KeyChoiceStatus::kNoKey);
  TrustedSender broken{.sender_id = "sp-mis", .public_key = "AAAA"};
  EXPECT_EQ(select_sender_key(&broken, "", nullptr).status, KeyChoiceStatus::kBadKey);
}

TEST(DciSenders, SinglePinnedKeyWhateverTheKid) {
  TrustedSender s{.sender_id = "sp-mis", .public_key = kPem};
  for (const char* kid : {"", "sp-mis|any|ed25519", "garbage"}) {
    KeyChoice c = select_sender_key(&s, kid, nullptr);
    ASSERT_TRUE(c.ok()) << kid;
    EXPECT_EQ(*c.key, parse_pinned_key(kRaw));
    EXPECT_EQ(c.algorithm, SignatureAlgorithm::kEd25519);
    EXPECT_FALSE(c.refetch_may_help);
  }
  // A pinned Ed25519 key for a sender configured as rs256 fits nothing.
  s.algorithm = SignatureAlgorithm::kRs256;
  EXPECT_EQ(select_sender_key(&s, "", nullptr).status, KeyChoiceStatus::kBadKey);
}

TEST(DciSenders, JwksKeyChosenByKid) {
  auto old_key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519).public_key();
  auto new_key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519).public_key();
  auto rsa = crypto::PrivateKey::generate(crypto::KeyType::kRsa).public_key();
  crypto::Jwks set = jwks_of(
      {{"ibr|2024|ed25519", old_key}, {"ibr|2025|ed25519", new_key}, {"ibr|rsa|rs256", rsa}});
  TrustedSender s{.sender_id = "ibr", .jwks_url = "https://ibr.example/jwks.json"};

  KeyChoice c = select_sender_key(&s, "ibr|2025|ed25519", &set);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c.key, new_key);
  c = select_sender_key(&s, "ibr|2024|ed25519", &set);
  EXPECT_EQ(*c.key, old_key);
  c = select_sender_key(&s, "ibr|rsa|rs256", &set);
  EXPECT_EQ(*c.key, rsa);
  EXPECT_EQ(c.algorithm, SignatureAlgorithm::kRs256);

  // A key id the cached set lacks: refetch. Never fetched: refetch.
  EXPECT_EQ(select_sender_key(&s, "ibr|2026|ed25519", &set).status, KeyChoiceStatus::kUnknownKid);
  EXPECT_EQ(select_sender_key(&s, "ibr|2025|ed25519", nullptr).status,
            KeyChoiceStatus::kUnknownKid);
  // No kid and several keys: nothing to choose by.
  EXPECT_EQ(select_sender_key(&s, "", &set).status, KeyChoiceStatus::kUnknownKid);

  // A JWKS whose kids are bare key ids also matches the kidId's key id.
  crypto::Jwks bare = jwks_of({{"2025", new_key}, {"2024", old_key}});
  EXPECT_EQ(*select_sender_key(&s, "ibr|2025|ed25519", &bare).key, new_key);
  // One key and no kidId: that key.
  crypto::Jwks one = jwks_of({{"whatever", new_key}});
  EXPECT_EQ(*select_sender_key(&s, "", &one).key, new_key);
  EXPECT_FALSE(select_sender_key(&s, "", &one).refetch_may_help);
  // One key and a kidId naming another: that key (OpenSPP's single-key senders), but a failed
  // verification may be a rotation the cache has not seen.
  KeyChoice single = select_sender_key(&s, "ibr|2026|ed25519", &one);
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(*single.key, new_key);
  EXPECT_TRUE(single.refetch_may_help);
  // Another sender's key in the set is never ours, not even as the only one.
  crypto::Jwks theirs = jwks_of({{"other-system|2026|ed25519", new_key}});
  EXPECT_EQ(select_sender_key(&s, "", &theirs).status, KeyChoiceStatus::kUnknownKid);
  EXPECT_EQ(select_sender_key(&s, "other-system|2026|ed25519", &theirs).status,
            KeyChoiceStatus::kUnknownKid);

  // The sender restricted to ed25519 never gets the RSA key.
  s.algorithm = SignatureAlgorithm::kEd25519;
  EXPECT_EQ(select_sender_key(&s, "ibr|rsa|rs256", &set).status, KeyChoiceStatus::kUnknownKid);
}

TEST(DciSenders, PinnedKeyFallbackSignalsRefetch) {
  auto rotated = crypto::PrivateKey::generate(crypto::KeyType::kEd25519).public_key();
  crypto::Jwks set = jwks_of({{"ibr|2025|ed25519", rotated}});
  TrustedSender s{.sender_id = "ibr", .public_key = kRaw, .jwks_url = "https://ibr.example/jwks"};
  KeyChoice c = select_sender_key(&s, "ibr|2025|ed25519", &set);
  EXPECT_EQ(*c.key, rotated);  // the kid match wins over the pinned key
  c = select_sender_key(&s, "ibr|2026|ed25519", &set);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c.key, parse_pinned_key(kRaw));
  EXPECT_TRUE(c.refetch_may_help);
}

TEST(DciSenders, SenderPrefixFallbackPicksTheFirstPrefixedKey) {
  auto first = crypto::PrivateKey::generate(crypto::KeyType::kEd25519).public_key();
  auto second = crypto::PrivateKey::generate(crypto::KeyType::kEd25519).public_key();
  auto bare = crypto::PrivateKey::generate(crypto::KeyType::kEd25519).public_key();
  crypto::Jwks set =
      jwks_of({{"legacy", bare}, {"ibr|2024|ed25519", first}, {"ibr|2025|ed25519", second}});
  TrustedSender s{.sender_id = "ibr", .jwks_url = "https://ibr.example/jwks.json"};
  // A kid match wins either way.
  EXPECT_EQ(*select_sender_key(&s, "ibr|2025|ed25519", &set, KeyFallback::kSenderPrefix).key,
            second);
  // No match: the IBR server's rule finds nothing among three keys; OpenSPP's takes the first
  // key with the sender's prefix (not the bare one before it), and a refetch may still help.
  EXPECT_EQ(select_sender_key(&s, "ibr|2026|ed25519", &set).status, KeyChoiceStatus::kUnknownKid);
  KeyChoice c = select_sender_key(&s, "ibr|2026|ed25519", &set, KeyFallback::kSenderPrefix);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c.key, first);
  EXPECT_TRUE(c.refetch_may_help);
  // A set whose only key lacks the prefix (or has another sender's) gives nothing.
  crypto::Jwks unprefixed = jwks_of({{"legacy", bare}});
  EXPECT_EQ(
      select_sender_key(&s, "ibr|2026|ed25519", &unprefixed, KeyFallback::kSenderPrefix).status,
      KeyChoiceStatus::kUnknownKid);
  crypto::Jwks theirs = jwks_of({{"other|2026|ed25519", first}});
  EXPECT_EQ(select_sender_key(&s, "", &theirs, KeyFallback::kSenderPrefix).status,
            KeyChoiceStatus::kUnknownKid);
}

TEST(DciSenders, StatusNames) {
  EXPECT_EQ(key_choice_status_name(KeyChoiceStatus::kUnknownKid), "unknown-kid");
  EXPECT_EQ(verify_status_name(VerifyStatus::kNotYetValid), "not-yet-valid");
}

}  // namespace
}  // namespace registrar::dci
