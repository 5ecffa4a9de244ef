// Public and private signing keys: Ed25519 (held for libsodium), RSA 2048–4096 and EC P-256
// (held as OpenSSL EVP_PKEY). Both classes are immutable values that share their key material,
// so copies are cheap and one key may be used from many threads at once (sign and verify only
// read it). Every import function rejects what it cannot use with core::Error(kInvalidArgument)
// naming the problem, so an HTTP handler can pass the message on.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// OpenSSL's key type, declared here so that callers do not include OpenSSL headers.
struct evp_pkey_st;

namespace registrar::crypto {

using Json = nlohmann::json;

enum class KeyType { kEd25519, kRsa, kEcP256 };

// "Ed25519", "RSA", "EC P-256".
const char* key_type_name(KeyType type);

inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 4096;

// What to put beside the key members of an exported JWK.
struct JwkOptions {
  std::string kid;  // omitted when empty
  std::string alg;  // omitted when empty
  std::string use;  // omitted when empty ("sig")
};

namespace detail {
struct KeyData;  // keys_internal.h
}

class PublicKey {
 public:
  // SPKI PEM ("PUBLIC KEY"), PKCS#1 ("RSA PUBLIC KEY") or an X.509 "CERTIFICATE" (its key).
  static PublicKey from_pem(std::string_view pem);
  // DER SubjectPublicKeyInfo, as bytes.
  static PublicKey from_spki_der(std::string_view der);
  // The raw 32-byte Ed25519 public key (RFC 8032 encoding).
  static PublicKey from_ed25519_raw(std::string_view raw);
  // A public JWK (OKP/Ed25519, RSA, EC/P-256). Private members ("d", RSA factors) are rejected:
  // a private key where a public one is expected is a leak the sender should hear about.
  static PublicKey from_jwk(const Json& jwk);
  static PublicKey from_jwk(std::string_view jwk_json);

  KeyType type() const;
  int bits() const;  // RSA modulus size; 256 for Ed25519 and P-256

  std::string to_spki_der() const;
  std::string to_pem() const;  // "-----BEGIN PUBLIC KEY-----" (SPKI)
  Json to_jwk(const JwkOptions& options = {}) const;
  // RFC 7638 thumbprint: base64url(SHA-256(canonical JWK)).
  std::string thumbprint() const;

  // The same key (compares the encoded key, not how it was supplied).
  bool operator==(const PublicKey& other) const;

  // For the signature code: the libsodium key (Ed25519 only) and the OpenSSL key (RSA, EC).
  const std::array<uint8_t, 32>& ed25519_raw() const;
  evp_pkey_st* evp() const;

  explicit PublicKey(std::shared_ptr<const detail::KeyData> data) : data_(std::move(data)) {}

 private:
  std::shared_ptr<const detail::KeyData> data_;
};

class PrivateKey {
 public:
  // Ed25519 via libsodium; RSA of `rsa_bits` (2048–4096); EC on P-256.
  static PrivateKey generate(KeyType type, int rsa_bits = 2048);
  // PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY"); unencrypted.
  static PrivateKey from_pem(std::string_view pem);
  static PrivateKey from_ed25519_seed(std::string_view seed);  // 32 bytes
  // A private JWK: "d" plus the public members (and for RSA all CRT members).
  static PrivateKey from_jwk(const Json& jwk);

  KeyType type() const;
  int bits() const;
  const PublicKey& public_key() const { return public_; }

  std::string to_pem() const;  // "-----BEGIN PRIVATE KEY-----" (PKCS#8, unencrypted)
  // The private JWK (for tests and interop tooling; never publish it).
  Json to_private_jwk(const JwkOptions& options = {}) const;

  // For the signature code: libsodium's 64-byte secret key (seed || public key), OpenSSL key.
  const std::array<uint8_t, 64>& ed25519_secret() const;
  evp_pkey_st* evp() const;

  PrivateKey(std::shared_ptr<const detail::KeyData> data, PublicKey pub)
      : data_(std::move(data)), public_(std::move(pub)) {}

 private:
  std::shared_ptr<const detail::KeyData> data_;
  PublicKey public_;
};

struct ParseKeyOptions {
  // Accept a private key PEM and use its public half (the DHP API's Node.js original does). Off
  // by default: a private key sent to a server is usually a mistake worth refusing.
  bool accept_private_pem = false;
};

// A public key in whatever form a client sent: PEM (any label from_pem accepts), bare base64 of a
// DER SPKI (whitespace allowed), or JWK JSON.
PublicKey parse_public_key_any(std::string_view text, const ParseKeyOptions& options = {});

}  // namespace registrar::crypto
