#include "core/random.h"

#include <sodium.h>

#include <cstdio>
#include <stdexcept>
#include <utility>

#include "core/base64.h"

namespace registrar::core {

void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

std::string random_bytes(size_t n) {
  ensure_sodium();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

uint64_t random_u64() {
  ensure_sodium();
  uint64_t v;
  randombytes_buf(&v, sizeof v);
  return v;
}

uint32_t random_uniform(uint32_t upper) {
  ensure_sodium();
  return randombytes_uniform(upper);
}

namespace {

// 16 bytes as a version-4, variant-10 UUID string: the version and variant bits are set here.
std::string uuid4_string(std::string b) {
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string h = hex_encode(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace

std::string uuid_v4() {
  return uuid4_string(random_bytes(16));
}

std::string uuid_v4_time_ordered(int64_t unix_ms) {
  std::string b = random_bytes(16);
  for (int i = 0; i < 6; ++i) b[size_t(i)] = static_cast<char>(uint64_t(unix_ms) >> (40 - 8 * i));
  return uuid4_string(std::move(b));
}

std::string random_token(size_t bytes) {
  for (;;) {
    std::string token = base64url_encode(random_bytes(bytes));
    if (token.empty() || token[0] != '-') return token;
  }
}

bool secrets_equal(std::string_view presented, std::string_view expected) {
  ensure_sodium();
  unsigned char want[32], got[32];
  crypto_generichash(want, sizeof want, reinterpret_cast<const unsigned char*>(expected.data()),
                     expected.size(), nullptr, 0);
  crypto_generichash(got, sizeof got, reinterpret_cast<const unsigned char*>(presented.data()),
                     presented.size(), nullptr, 0);
  return sodium_memcmp(want, got, sizeof want) == 0;
}

}  // namespace registrar::core
