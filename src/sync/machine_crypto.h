// Encryption of sync data to a machine's public key, as MOSIP's ClientCryptoFacade.encrypt does
// for LOCAL (software) RSA keys (spec §6.2): a random AES-256 key, a random 12-byte IV and a random
// 32-byte AAD; AES-256-GCM (128-bit tag) over the plaintext; the AES key wrapped with RSA-OAEP
// (SHA-256, MGF1 with SHA-256). Output: wrapped key ‖ IV ‖ AAD ‖ ciphertext ‖ tag, which the
// caller base64url-encodes. Pure (OpenSSL and its random generator); thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "crypto/keys.h"

namespace registrar::sync {

inline constexpr size_t kGcmIvBytes = 12;
inline constexpr size_t kAadBytes = 32;
inline constexpr size_t kGcmTagBytes = 16;

// Throws core::Error(kInvalidArgument) when the key is not RSA (TPM and Android layouts are not
// supported: docs/sync.md).
std::string encrypt_for_machine(const crypto::PublicKey& key, std::string_view plaintext);

// The same, base64url without padding (the "data" of clientsettings, configs, userdetails).
std::string encrypt_for_machine_b64(const crypto::PublicKey& key, std::string_view plaintext);

// The machine's encryption key from a machine row's publicKey (PEM or base64 DER).
crypto::PublicKey machine_public_key(std::string_view stored);

}  // namespace registrar::sync
