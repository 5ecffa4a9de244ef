// Secret handling for the identity module: the master key that seals private signing keys at
// rest, Argon2id password hashes for clients and users, and constant-time comparison.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace registrar::identity {

// A 32-byte key for XChaCha20-Poly1305. Sealed values are bound to a context string (the key id),
// so a sealed private key copied onto another row does not open.
class MasterKey {
 public:
  explicit MasterKey(std::string key_bytes);  // exactly 32 bytes
  // Loads base64 from `inline_value` when set, else from `file`; when the file does not exist and
  // `create` is set, writes a new random key there (mode 0600). Throws core::Error naming the key.
  static MasterKey load(const std::string& inline_value, const std::string& file, bool create);

  std::string seal(std::string_view plaintext, std::string_view context) const;
  // nullopt when the value was not sealed by this key for this context.
  std::optional<std::string> open(std::string_view sealed, std::string_view context) const;

 private:
  std::string key_;
};

enum class HashCost { kInteractive, kModerate, kMinimal };
HashCost parse_hash_cost(std::string_view name);  // throws std::invalid_argument

// Argon2id in libsodium's encoded string form (parameters travel with the hash, so verification
// works whatever the current cost setting is).
std::string hash_secret(std::string_view secret, HashCost cost);
bool verify_secret(std::string_view secret, const std::string& encoded_hash);

bool constant_time_equal(std::string_view a, std::string_view b);

// A random secret suitable for a client: 32 random bytes, base64url.
std::string generate_client_secret();

}  // namespace registrar::identity
