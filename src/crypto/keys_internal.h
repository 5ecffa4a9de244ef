// Shared between the crypto sources only: the key representation, OpenSSL ownership helpers and
// the constructors that validate a decoded OpenSSL key.
#pragma once

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "crypto/keys.h"

namespace registrar::crypto::detail {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct EvpPkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
using EvpPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using EvpCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

struct KeyData {
  KeyType type = KeyType::kEd25519;
  int bits = 0;
  bool is_private = false;
  std::array<uint8_t, 32> ed_pk{};  // Ed25519 public key
  std::array<uint8_t, 64> ed_sk{};  // Ed25519 secret key in libsodium's layout (private only)
  EVP_PKEY* pkey = nullptr;         // RSA and EC (owned)
  std::string spki_der;             // public keys: the DER SPKI, for equality and export

  KeyData() = default;
  KeyData(const KeyData&) = delete;
  KeyData& operator=(const KeyData&) = delete;
  ~KeyData();
};

// Clears OpenSSL's error queue and returns the reason of its newest entry ("" when empty), so a
// failed import can say more than "invalid".
std::string openssl_reason();

// Throws core::Error(kInvalidArgument) with `message` and the field name used throughout
// ("key", or a JWK member such as "jwk.n").
[[noreturn]] void fail(std::string message, std::string field = "key");

// Take an OpenSSL key and check it is one we support (Ed25519, RSA 2048–4096, EC P-256,
// structurally valid). The public variant copies only the public half of `pkey`; the private
// variant takes ownership and needs private material in it.
PublicKey public_from_evp(EVP_PKEY* pkey);
PrivateKey private_from_evp(EvpPtr pkey);
PublicKey public_from_ed25519(const uint8_t (&pk)[32]);
PrivateKey private_from_ed25519_seed(const uint8_t (&seed)[32]);

// Big-endian unsigned bytes of an OpenSSL BIGNUM parameter of `pkey`, left-padded to `width`
// (0 = minimal length).
std::string bn_param(const EVP_PKEY* pkey, const char* name, size_t width = 0);

// A PEM block: its label ("PUBLIC KEY") and decoded body. Throws when `text` is not one block.
struct PemBlock {
  std::string label;
  std::string der;
};
PemBlock decode_pem(std::string_view text);
std::string encode_pem(std::string_view label, std::string_view der);

std::string sha256(std::string_view bytes);

}  // namespace registrar::crypto::detail
