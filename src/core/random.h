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
// A uuid4-shaped string (version nibble 4, variant 10xx: what a uuid4 pattern accepts) whose first
// 48 bits are `unix_ms` (as UUIDv7 lays them out) and whose other 74 bits are random. For keys of
// large tables that are written far more than read: consecutive ones sit side by side in a
// B-tree index, where uuid4's random positions made each insert rewrite an index page of its own.
// 74 random bits are beyond guessing; the value reveals its creation time.
std::string uuid_v4_time_ordered(int64_t unix_ms);
// `bytes` random bytes as base64url (16: 22 characters): request ids, jtis, opaque handles. Never
// starts with '-', so that it can be given as a command-line argument (`token revoke JTI`): the
// first character is drawn again when it would be (costing log2(64/63) bits).
std::string random_token(size_t bytes = 16);
// Compares two secrets in time that depends on neither their contents nor their lengths (both
// are hashed first). For shared secrets presented by clients.
bool secrets_equal(std::string_view presented, std::string_view expected);

}  // namespace registrar::core
