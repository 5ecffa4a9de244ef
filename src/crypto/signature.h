// The JWS signature algorithms registrar supports (RFC 7518 §3, RFC 8037 §3.1) and the raw
// sign/verify operations over a signing input. JWS and JWT build on these; the DCI signature
// header and other detached-signature formats can use them directly.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "crypto/keys.h"

namespace registrar::crypto {

enum class JwsAlg { kEdDSA, kRS256, kPS256, kES256 };

// "EdDSA", "RS256", "PS256", "ES256".
std::string_view alg_name(JwsAlg alg);
// nullopt for any other name (including "none" and HS*).
std::optional<JwsAlg> parse_alg(std::string_view name);
// The key type an algorithm needs: EdDSA → Ed25519, RS256/PS256 → RSA, ES256 → EC P-256.
KeyType alg_key_type(JwsAlg alg);
inline bool alg_matches_key(JwsAlg alg, KeyType type) {
  return alg_key_type(alg) == type;
}
// The algorithm to sign with by default for a key type (RSA → RS256).
JwsAlg default_alg(KeyType type);

// Signs `input`. ES256 signatures are JOSE's fixed 64-byte R || S. Throws core::Error
// (kInvalidArgument) when the algorithm does not fit the key.
std::string sign_bytes(const PrivateKey& key, JwsAlg alg, std::string_view input);

// False for a wrong signature, a wrong length or an algorithm that does not fit the key. Never
// throws; safe to call concurrently with one key.
bool verify_bytes(const PublicKey& key, JwsAlg alg, std::string_view input,
                  std::string_view signature) noexcept;

// ECDSA signature conversions between JOSE (R || S, each `half` bytes) and DER (what OpenSSL
// produces and expects). nullopt when the input is malformed.
std::optional<std::string> ecdsa_raw_to_der(std::string_view raw);
std::optional<std::string> ecdsa_der_to_raw(std::string_view der, size_t half = 32);

}  // namespace registrar::crypto
