// Issuance building blocks: permutation, generator, RID, sequence IDs, token IDs, licences.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>
#include <vector>

#include "core/error.h"
#include "ids/issuance.h"
#include "ids/licence.h"
#include "ids/token_id.h"

namespace registrar::ids {
namespace {

constexpr std::string_view kKey = "0123456789abcdef-test-key";

TEST(Permutation, IsABijectionOnSmallDomains) {
  for (uint64_t domain : {1ULL, 2ULL, 7ULL, 10000ULL, 100000ULL, 1000003ULL / 10}) {
    KeyedPermutation p(kKey, domain);
    std::vector<bool> seen(domain, false);
    for (uint64_t n = 0; n < domain; ++n) {
      const uint64_t y = p.forward(n);
      ASSERT_LT(y, domain);
      ASSERT_FALSE(seen[y]) << "collision in domain " << domain;
      seen[y] = true;
      ASSERT_EQ(p.inverse(y), n);
    }
  }
}

TEST(Permutation, DiffersPerKeyAndIsNotTheIdentity) {
  KeyedPermutation a(kKey, 100000), b("another-key-of-16-bytes", 100000);
  int same = 0, fixed = 0;
  for (uint64_t n = 0; n < 100000; ++n) {
    same += a.forward(n) == b.forward(n);
    fixed += a.forward(n) == n;
  }
  EXPECT_LT(same, 50);  // about 1 expected
  EXPECT_LT(fixed, 50);
  // Consecutive counters land far apart (not sequential).
  EXPECT_GT(std::max(a.forward(1), a.forward(0)) - std::min(a.forward(1), a.forward(0)), 10u);
}

TEST(Permutation, SipHash9IsLibsodiumsShorthash) {
  ASSERT_GE(sodium_init(), 0);
  std::mt19937_64 rng(20261201);
  for (int i = 0; i < 20000; ++i) {
    unsigned char key[crypto_shorthash_KEYBYTES];
    for (auto& b : key) b = static_cast<unsigned char>(rng());
    const auto first = static_cast<unsigned char>(rng());
    // Small halves (the permutation's) and full 64-bit words (the ninth byte non-zero).
    const uint64_t rest = i % 2 ? rng() : rng() >> (rng() % 64);
    unsigned char in[9], out[crypto_shorthash_BYTES];
    in[0] = first;
    for (int k = 0; k < 8; ++k) in[1 + k] = static_cast<unsigned char>(rest >> (8 * k));
    crypto_shorthash(out, in, sizeof in, key);
    uint64_t expected;
    std::memcpy(&expected, out, sizeof expected);  // little-endian, as SipHash defines it
    ASSERT_EQ(SipHash9(key)(first, rest), expected) << "case " << i;
  }
}

// The permutation as first written (libsodium's crypto_shorthash as the round function): the
// mapping from counters to IDs must never change under a deployment, or new IDs would collide
// with issued ones.
uint64_t reference_forward(std::string_view key, uint64_t domain, uint64_t n) {
  const int bits = domain <= 1 ? 2 : std::bit_width(domain - 1);
  const int half_bits = (bits + 1) / 2;
  const uint64_t mask = (uint64_t{1} << half_bits) - 1;
  unsigned char in8[8], sub[16];
  for (int i = 0; i < 8; ++i) in8[i] = static_cast<unsigned char>(domain >> (8 * i));
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, sizeof sub);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>("registrar.ids.perm"), 18);
  crypto_generichash_update(&st, in8, sizeof in8);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_generichash_final(&st, sub, sizeof sub);
  auto f = [&](int round, uint64_t half) {
    unsigned char in[9], out[8];
    in[0] = static_cast<unsigned char>(round);
    for (int i = 0; i < 8; ++i) in[1 + i] = static_cast<unsigned char>(half >> (8 * i));
    crypto_shorthash(out, in, sizeof in, sub);
    uint64_t v;
    std::memcpy(&v, out, sizeof v);
    return v & mask;
  };
  uint64_t x = n;
  do {
    uint64_t l = x >> half_bits, r = x & mask;
    for (int i = 0; i < 8; ++i) {
      const uint64_t next = l ^ f(i, r);
      l = r;
      r = next;
    }
    x = (l << half_bits) | r;
  } while (x >= domain);
  return x;
}

TEST(Permutation, MappingIsTheOneFirstShipped) {
  ASSERT_GE(sodium_init(), 0);
  for (uint64_t domain : {7ULL, 100000ULL, 800'000'000ULL, 8'000'000'000'000ULL}) {
    KeyedPermutation p(kKey, domain);
    for (uint64_t n = 0; n < std::min<uint64_t>(domain, 2000); ++n)
      ASSERT_EQ(p.forward(n), reference_forward(kKey, domain, n)) << domain << " " << n;
  }
  // Pinned values (the reference above could drift with the code under test).
  KeyedPermutation uin(kKey, 800'000'000);
  EXPECT_EQ(uin.forward(0), 567539519u);
  EXPECT_EQ(uin.forward(1), 539503371u);
  EXPECT_EQ(uin.forward(123456789), 742181127u);
}

TEST(Permutation, RejectsShortKeys) {
  EXPECT_THROW(KeyedPermutation("short", 100), core::Error);
  EXPECT_THROW(KeyedPermutation(kKey, 0), core::Error);
}

TEST(Generator, IssuesValidIdsAndSkipsFilteredCounters) {
  const Policy p = default_policy(IdType::kUin);
  IdGenerator g(p, kKey);
  EXPECT_EQ(g.counter_space(), 800000000u);  // bodies 2xxxxxxxx..9xxxxxxxx
  IdValidator v(p);
  CounterBlock block{1000, 2000};
  std::vector<IssuedId> out;
  const size_t n = g.next_ids(block, 10, out);
  EXPECT_EQ(n, 10u);
  EXPECT_GT(block.next, 1010u);  // some counters were skipped
  for (const auto& id : out) {
    EXPECT_TRUE(v.valid(id.id)) << id.id;
    EXPECT_EQ(g.id_for_counter(id.counter), id.id);
    EXPECT_EQ(g.counter_for_id(id.id), id.counter);
  }
  // Draining the block returns fewer than asked.
  out.clear();
  const size_t rest = g.next_ids(block, 100000, out);
  EXPECT_TRUE(block.exhausted());
  EXPECT_LT(rest, 1000u);
  EXPECT_FALSE(g.counter_for_id("5075291709"));  // not a valid UIN
}

TEST(Generator, PastTheCounterSpaceNothingIsIssued) {
  Policy p = default_policy(IdType::kUin);
  p.length = 5;
  p.digits_limit = p.reverse_digits_limit = 2;
  IdGenerator g(p, kKey);
  CounterBlock block{g.counter_space() - 3, g.counter_space() + 100};
  std::vector<IssuedId> out;
  g.next_ids(block, 1000, out);
  EXPECT_LE(out.size(), 3u);
  EXPECT_TRUE(block.exhausted());
}

TEST(Rid, BuildsMosipSamples) {
  using namespace std::chrono;
  const auto t = sys_days(year(2018) / 12 / 8) + hours(18) + minutes(30) + seconds(50);
  const auto r = build_rid("27847", "65736", 25, t);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.rid, "27847657360002520181208183050");
  EXPECT_TRUE(validate_rid(r.rid, {}, "27847", "65736").ok());
  EXPECT_EQ(build_rid(" 21347 ", "86787", 1,
                      sys_days(year(2019) / 3 / 29) + hours(6) + minutes(4) + seconds(37))
                .rid,
            "21347867870000120190329060437");
  EXPECT_STREQ(build_rid("", "65736", 1, t).code, "KER-RIG-002");
  EXPECT_STREQ(build_rid("123", "65736", 1, t).code, "KER-RIG-003");
  EXPECT_STREQ(build_rid("22345", "23", 1, t).code, "KER-RIG-003");
  EXPECT_STREQ(build_rid("22345", "23432", 100000, t).code, "KER-RIG-003");
}

// Java's String.length(): UTF-16 code units, whatever the UTF-8 byte count.
TEST(Rid, LengthsAreCountedInUtf16CodeUnits) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("12345"), 5u);
  EXPECT_EQ(utf16_length("1234\u00e9"), 5u);                      // 6 bytes
  EXPECT_EQ(utf16_length("\uff11\uff12\uff13\uff14\uff15"), 5u);  // 15 bytes
  EXPECT_EQ(utf16_length("\U0001F600"
                         "123"),
            5u);  // 7 bytes; a surrogate pair in Java
  EXPECT_EQ(utf16_length("\U0010FFFF"), 2u);
  for (std::string_view bad : {"\xff", "\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                               "\xf4\x90\x80\x80", "\xe2\x82", "1\xc3"})
    EXPECT_EQ(utf16_length(bad), std::nullopt) << ::testing::PrintToString(bad);

  using namespace std::chrono;
  const auto t = sys_days(year(2018) / 12 / 8) + hours(18) + minutes(30) + seconds(50);
  // 5 characters of 1 to 4 bytes each: accepted as MOSIP accepts them; 5 bytes of 3 characters
  // are not 5 characters.
  const auto wide = build_rid("\uff11\uff12\uff13\uff14\uff15", "1234\u00e9", 7, t);
  ASSERT_TRUE(wide.ok()) << wide.code;
  EXPECT_EQ(wide.rid,
            "\uff11\uff12\uff13\uff14\uff15"
            "1234\u00e9"
            "0000720181208183050");
  EXPECT_TRUE(build_rid("\U0001F600"
                        "123",
                        "65736", 1, t)
                  .ok());
  EXPECT_STREQ(build_rid("\u00e9\u00e9"
                         "1",
                         "65736", 1, t)
                   .code,
               "KER-RIG-003");
  EXPECT_STREQ(build_rid("\xff\xff\xff\xff\xff", "65736", 1, t).code, "KER-RIG-003");
}

TEST(Rid, SequencePerPairWraps) {
  EXPECT_EQ(next_rid_sequence(std::nullopt, 5), 1u);
  EXPECT_EQ(next_rid_sequence(1, 5), 2u);
  EXPECT_EQ(next_rid_sequence(99998, 5), 99999u);
  EXPECT_EQ(next_rid_sequence(99999, 5), 1u);
}

TEST(SequenceIds, StartValuesAndRestrictedSkipped) {
  EXPECT_EQ(next_sequence_id(std::nullopt, {5, {}}), 10000u);  // machine, centre
  EXPECT_EQ(next_sequence_id(10000, {5, {}}), 10001u);
  EXPECT_EQ(next_sequence_id(std::nullopt, {3, {}}), 100u);  // MISP
  EXPECT_EQ(next_sequence_id(100, {3, {}}), 101u);
  EXPECT_EQ(next_sequence_id(1000, {4, {}}), 1001u);  // partner
  EXPECT_EQ(next_sequence_id(10785, {5, {"786"}}), 10787u);
  EXPECT_EQ(next_sequence_id(std::nullopt, {3, {"10"}}), 111u);  // 100..110 contain "10"
  EXPECT_EQ(next_sequence_id(99999, {5, {}}), std::nullopt);     // exhausted, not 100000
}

TEST(TokenId, SpecVectors) {
  const std::string us = "zHuDEAbmbxiUbUShgy6pwUhKh9DE0EZn9kQDKPPKbWscGajMwf";
  const std::string ps = "yS8w5Wb6vhIKdf1msi4LYTJks7mqkbmITk2O63Iq8h0bkRlD0d";
  EXPECT_EQ(token_id("5734728510", "792112", us, ps), "283951391801769147687803977490974164");
  EXPECT_EQ(token_id("2013023805", "1234", us, ps), "263307769058418556838513422436502732");
  EXPECT_EQ(token_id("1234", "1234", us, ps), "341848289429937600331214878588938562");
  EXPECT_EQ(token_id("5734728510", "792112", "a", "b"), "273700869140346196359457240880998224");
  const auto dbl = TokenIdVariant::kDoubleHash;
  EXPECT_EQ(token_id("5734728510", "792112", us, ps, 36, dbl),
            "341481628193966056683895923001636750");
  EXPECT_EQ(token_id("2013023805", "1234", us, ps, 36, dbl),
            "257660929899787695107751786585983659");
  EXPECT_EQ(token_id("1234", "1234", us, ps, 36, dbl), "299621790043177408499086506706865532");
  EXPECT_EQ(token_id("5734728510", "792112", "a", "b", 36, dbl),
            "341481626329352591433648175903264947");
  EXPECT_EQ(token_id("1234", "1234", us, ps, 154).size(), 154u);
  EXPECT_THROW(token_id("", "1234", us, ps), core::Error);
  EXPECT_THROW(token_id("1234", "", us, ps), core::Error);
}

TEST(Licence, GenerateAndFormat) {
  uint32_t i = 0;
  const auto key = generate_licence_key(16, [&](uint32_t n) { return i++ % n; });
  EXPECT_EQ(key, "ABCDEFGHIJKLMNOP");
  EXPECT_TRUE(licence_key_well_formed(key, 16));
  EXPECT_FALSE(licence_key_well_formed(key, 8));
  EXPECT_FALSE(licence_key_well_formed("ABCDEFGHIJKLMNO-", 16));
}

TEST(Licence, LifeCycle) {
  using namespace std::chrono;
  const TimePoint now = sys_days(year(2025) / 1 / 1);
  const LicenceRecord active{LicenceStatus::kActive, now + days(30)};
  auto step = [&](const LicenceRecord& r, LicenceAction a, TimePoint at,
                  std::optional<TimePoint> exp = std::nullopt) {
    return apply_licence_action(r, a, at, exp);
  };
  auto suspended = step(active, LicenceAction::kSuspend, now);
  ASSERT_TRUE(suspended.ok);
  EXPECT_EQ(suspended.record.status, LicenceStatus::kSuspended);
  EXPECT_FALSE(step(suspended.record, LicenceAction::kSuspend, now).ok);
  EXPECT_EQ(step(suspended.record, LicenceAction::kReactivate, now).record.status,
            LicenceStatus::kActive);
  EXPECT_FALSE(step(active, LicenceAction::kReactivate, now).ok);
  const auto blocked = step(suspended.record, LicenceAction::kBlock, now);
  ASSERT_TRUE(blocked.ok);
  for (auto a : {LicenceAction::kSuspend, LicenceAction::kReactivate, LicenceAction::kBlock,
                 LicenceAction::kRenew})
    EXPECT_FALSE(step(blocked.record, a, now, now + days(60)).ok);  // terminal
  // Expiry is computed; an expired licence can be renewed (back to ACTIVE) or blocked.
  const TimePoint later = now + days(31);
  EXPECT_EQ(effective_status(active, later), LicenceStatus::kExpired);
  EXPECT_EQ(effective_status(active, now + days(30)), LicenceStatus::kActive);  // now > expiry
  EXPECT_FALSE(step(active, LicenceAction::kSuspend, later).ok);
  const auto renewed = step(active, LicenceAction::kRenew, later, later + days(30));
  ASSERT_TRUE(renewed.ok);
  EXPECT_EQ(effective_status(renewed.record, later), LicenceStatus::kActive);
  EXPECT_FALSE(step(active, LicenceAction::kRenew, later, later).ok);  // not in the future
  EXPECT_EQ(parse_licence_status("SUSPENDED"), LicenceStatus::kSuspended);
  EXPECT_EQ(parse_licence_status("nope"), std::nullopt);
}

TEST(Licence, ValidationCodes) {
  using namespace std::chrono;
  const TimePoint now = sys_days(year(2025) / 1 / 1);
  const LicenceRecord r{LicenceStatus::kActive, now + days(1)};
  const std::string key = "AbCdEfGh12345678";
  EXPECT_TRUE(validate_licence_key(key, 16, &r, now).ok());
  EXPECT_STREQ(validate_licence_key("", 16, &r, now).code(), "KER-LKM-006");
  EXPECT_STREQ(validate_licence_key("short", 16, &r, now).code(), "REG-IDV-601");
  EXPECT_STREQ(validate_licence_key(key, 16, nullptr, now).code(), "KER-LKM-004");
  EXPECT_STREQ(validate_licence_key(key, 16, &r, now + days(2)).code(), "KER-LKM-005");
  const LicenceRecord s{LicenceStatus::kSuspended, now + days(1)};
  EXPECT_STREQ(validate_licence_key(key, 16, &s, now).code(), "REG-IDV-602");
  const LicenceRecord b{LicenceStatus::kBlocked, now + days(1)};
  EXPECT_STREQ(validate_licence_key(key, 16, &b, now + days(2)).code(), "REG-IDV-603");
}

TEST(PartnerId, Status) {
  EXPECT_EQ(partner_id_status("1001", 4, true), PartnerStatus::kActive);
  EXPECT_EQ(partner_id_status("1001", 4, false), PartnerStatus::kInactive);
  EXPECT_EQ(partner_id_status("101", 4, true), PartnerStatus::kInvalid);
  EXPECT_EQ(partner_id_status("10a1", 4, true), PartnerStatus::kInvalid);
  EXPECT_EQ(partner_id_status("1001", 4, std::nullopt), PartnerStatus::kInvalid);
  EXPECT_TRUE(validate_partner_id("1001", 4, true).ok());
  EXPECT_STREQ(validate_partner_id("101", 4, true).code(), "REG-IDV-501");
  EXPECT_STREQ(validate_partner_id("1001", 4, std::nullopt).code(), "REG-IDV-502");
  EXPECT_STREQ(validate_partner_id("1001", 4, false).code(), "REG-IDV-503");
}

}  // namespace
}  // namespace registrar::ids
