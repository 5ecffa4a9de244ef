#include "ids/token_id.h"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/random.h"

namespace registrar::ids {

namespace {

std::string hex_upper_sha256(std::string_view data, bool twice) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  if (twice) crypto_hash_sha256(h.data(), h.data(), h.size());
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(2 * h.size());
  for (unsigned char b : h) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

// Decimal form of the bytes of `s` read as one unsigned big-endian integer (Java's
// new BigInteger(bytes) for a positive leading byte).
std::string big_endian_decimal(std::string_view s) {
  std::vector<uint32_t> limbs;  // base 10^9, least significant first
  for (unsigned char byte : s) {
    uint64_t carry = byte;
    for (auto& l : limbs) {
      const uint64_t v = uint64_t{l} * 256 + carry;
      l = static_cast<uint32_t>(v % 1'000'000'000);
      carry = v / 1'000'000'000;
    }
    while (carry) {
      limbs.push_back(static_cast<uint32_t>(carry % 1'000'000'000));
      carry /= 1'000'000'000;
    }
  }
  if (limbs.empty()) return "0";
  std::string out = std::to_string(limbs.back());
  for (size_t i = limbs.size() - 1; i-- > 0;) {
    std::string part = std::to_string(limbs[i]);
    out.append(9 - part.size(), '0').append(part);
  }
  return out;
}

}  // namespace

std::string token_id(std::string_view uin, std::string_view partner_code, std::string_view uin_salt,
                     std::string_view partner_code_salt, size_t length, TokenIdVariant variant) {
  if (uin.empty() || partner_code.empty()) throw core::invalid_argument(kTokenIdEmptyMessage);
  if (length == 0 || length > 154)
    throw core::invalid_argument("token ID length must be between 1 and 154", "length");
  core::ensure_sodium();
  const bool twice = variant == TokenIdVariant::kDoubleHash;
  const std::string uin_hash = hex_upper_sha256(std::string(uin).append(uin_salt), twice);
  const std::string hash =
      hex_upper_sha256(std::string(partner_code_salt).append(partner_code).append(uin_hash), twice);
  return big_endian_decimal(hash).substr(0, length);
}

}  // namespace registrar::ids
