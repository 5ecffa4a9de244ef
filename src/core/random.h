// Cryptographically secure randomness (libsodium) and identifiers built on it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace registrar::core {

// Initialises libsodium once; every function here calls it, so callers need not.
void ensure_sodium();

std::string random_bytes(size_t n);
uint64_t random_u64();
// Uniform in [0, upper) without modulo bias.
uint32_t random_uniform(uint32_t upper);
// RFC 9562 version 4 UUID, lowercase hex with dashes.
std::string uuid_v4();
// 128 random bits as 22 base64url characters: request ids, opaque handles.
std::string random_token(size_t bytes = 16);
// Compares two secrets in time that depends on neither their contents nor their lengths (both
// are hashed first). For shared secrets presented by clients.
bool secrets_equal(std::string_view presented, std::string_view expected);

}  // namespace registrar::core
