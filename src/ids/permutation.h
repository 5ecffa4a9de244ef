// A keyed pseudo-random permutation of [0, domain): a balanced binary Feistel network over the
// smallest even number of bits that covers the domain, with cycle walking (re-encrypt until
// the value falls inside the domain). Round function: SipHash-2-4 (the function of libsodium's
// crypto_shorthash, computed here by SipHash9) of the round number and the half block, under a
// key derived from the configured secret and the domain size.
//
// Issuance maps counter n -> body = permutation(n): distinct counters give distinct bodies
// (it is a bijection), so uniqueness follows from never reusing a counter, and without the key
// the next body cannot be predicted from earlier ones. The key must never change once IDs have
// been issued: a new key is a different permutation, and old and new bodies would collide.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace registrar::ids {

// SipHash-2-4 of a 9-byte message (one byte, then a little-endian 64-bit word) under a 16-byte
// key: the value libsodium's crypto_shorthash gives for those bytes, bit for bit (a test holds
// it to that), with the key's part of the state computed once. The permutation's round function
// calls it 8 times per ID; libsodium's general version, which loads the key and walks the
// message byte by byte on each call, cost about 15 % more CPU per generated ID.
class SipHash9 {
 public:
  SipHash9() = default;
  explicit SipHash9(const unsigned char* key);
  uint64_t operator()(unsigned char first, uint64_t rest) const;

 private:
  std::array<uint64_t, 4> v_{};
};

class KeyedPermutation {
 public:
  // `key`: at least 16 bytes of secret; `domain` >= 1 and < 2^62. Throws core::Error
  // (kInvalidArgument) otherwise.
  KeyedPermutation(std::string_view key, uint64_t domain, int rounds = 8);

  uint64_t domain() const { return domain_; }
  uint64_t forward(uint64_t n) const;  // n < domain
  uint64_t inverse(uint64_t y) const;  // y < domain; inverse(forward(n)) == n

 private:
  uint64_t round_value(int round, uint64_t half) const;
  uint64_t feistel(uint64_t x) const;
  uint64_t feistel_inverse(uint64_t x) const;

  uint64_t domain_;
  int rounds_;
  int half_bits_;
  uint64_t half_mask_;
  std::array<unsigned char, 16> key_{};
  SipHash9 sip_;
};

}  // namespace registrar::ids
