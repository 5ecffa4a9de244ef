#include "ids/permutation.h"

#include <sodium.h>

#include <bit>

#include "core/error.h"
#include "core/random.h"

namespace registrar::ids {

KeyedPermutation::KeyedPermutation(std::string_view key, uint64_t domain, int rounds)
    : domain_(domain), rounds_(rounds) {
  if (key.size() < 16)
    throw core::invalid_argument("the ID permutation key needs at least 16 bytes", "key");
  if (domain == 0 || domain >= (uint64_t{1} << 62))
    throw core::invalid_argument("the ID permutation domain must be in [1, 2^62)", "domain");
  if (rounds < 4 || rounds > 64)
    throw core::invalid_argument("the ID permutation needs 4 to 64 rounds", "rounds");
  core::ensure_sodium();
  // Bits to cover [0, domain), rounded up to an even number: cycle walking then needs fewer
  // than 4 steps on average in the worst case (about 1.1 for 10^9 or 10^15).
  const int bits = domain <= 1 ? 2 : std::bit_width(domain - 1);
  half_bits_ = (bits + 1) / 2;
  half_mask_ = (uint64_t{1} << half_bits_) - 1;
  // Per-domain subkey: the same secret gives unrelated permutations for UIN, VID and PRID.
  unsigned char in[8];
  for (int i = 0; i < 8; ++i) in[i] = static_cast<unsigned char>(domain >> (8 * i));
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, key_.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>("registrar.ids.perm"), 18);
  crypto_generichash_update(&st, in, sizeof in);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_generichash_final(&st, key_.data(), key_.size());
  sip_ = SipHash9(key_.data());
}

namespace {

uint64_t load_le64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

struct SipState {
  uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = std::rotl(v1, 13) ^ v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16) ^ v2;
    v0 += v3;
    v3 = std::rotl(v3, 21) ^ v0;
    v2 += v1;
    v1 = std::rotl(v1, 17) ^ v2;
    v2 = std::rotl(v2, 32);
  }
  void absorb(uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

}  // namespace

SipHash9::SipHash9(const unsigned char* key) {
  const uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
  v_ = {k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
        k1 ^ 0x7465646279746573ULL};
}

uint64_t SipHash9::operator()(unsigned char first, uint64_t rest) const {
  // The 9-byte message first || LE64(rest) is one full 8-byte block and a last block holding the
  // ninth byte and the length (9) in its top byte, as SipHash pads.
  SipState s{v_[0], v_[1], v_[2], v_[3]};
  s.absorb(uint64_t{first} | (rest << 8));
  s.absorb((uint64_t{9} << 56) | (rest >> 56));
  s.v2 ^= 0xff;
  s.round();
  s.round();
  s.round();
  s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t KeyedPermutation::round_value(int round, uint64_t half) const {
  return sip_(static_cast<unsigned char>(round), half) & half_mask_;
}

uint64_t KeyedPermutation::feistel(uint64_t x) const {
  uint64_t l = x >> half_bits_, r = x & half_mask_;
  for (int i = 0; i < rounds_; ++i) {
    const uint64_t next = l ^ round_value(i, r);
    l = r;
    r = next;
  }
  return (l << half_bits_) | r;
}

uint64_t KeyedPermutation::feistel_inverse(uint64_t x) const {
  uint64_t l = x >> half_bits_, r = x & half_mask_;
  for (int i = rounds_ - 1; i >= 0; --i) {
    const uint64_t prev = r ^ round_value(i, l);
    r = l;
    l = prev;
  }
  return (l << half_bits_) | r;
}

uint64_t KeyedPermutation::forward(uint64_t n) const {
  uint64_t x = n;
  do x = feistel(x);
  while (x >= domain_);
  return x;
}

uint64_t KeyedPermutation::inverse(uint64_t y) const {
  uint64_t x = y;
  do x = feistel_inverse(x);
  while (x >= domain_);
  return x;
}

}  // namespace registrar::ids
