#include "ids/permutation.h"

#include <sodium.h>

#include <bit>
#include <cstring>

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
}

uint64_t KeyedPermutation::round_value(int round, uint64_t half) const {
  unsigned char in[9];
  in[0] = static_cast<unsigned char>(round);
  for (int i = 0; i < 8; ++i) in[1 + i] = static_cast<unsigned char>(half >> (8 * i));
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, in, sizeof in, key_.data());
  uint64_t v;
  std::memcpy(&v, out, sizeof v);
  return v & half_mask_;
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
