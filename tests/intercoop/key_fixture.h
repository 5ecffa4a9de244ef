// RSA keys for the package tests, generated once per test binary (2048 bits, as the original's),
// and the PEM forms a peer descriptor may carry: SubjectPublicKeyInfo ("PUBLIC KEY") and PKCS#1
// ("RSA PUBLIC KEY").
#pragma once

#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>

#include <stdexcept>
#include <string>

#include "crypto/keys.h"

namespace registrar::intercoop::testing {

inline const crypto::PrivateKey& test_key() {
  static const crypto::PrivateKey key = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  return key;
}
inline const crypto::PrivateKey& other_key() {
  static const crypto::PrivateKey key = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  return key;
}

// "-----BEGIN RSA PUBLIC KEY-----" (PKCS#1 RSAPublicKey), through OpenSSL's encoder.
inline std::string pkcs1_public_pem(const crypto::PublicKey& key) {
  OSSL_ENCODER_CTX* ctx = OSSL_ENCODER_CTX_new_for_pkey(key.evp(), EVP_PKEY_PUBLIC_KEY, "PEM",
                                                        "type-specific", nullptr);
  unsigned char* data = nullptr;
  size_t len = 0;
  bool ok = ctx && OSSL_ENCODER_to_data(ctx, &data, &len) == 1;
  OSSL_ENCODER_CTX_free(ctx);
  if (!ok) throw std::runtime_error("cannot encode the PKCS#1 public key");
  std::string pem(reinterpret_cast<char*>(data), len);
  OPENSSL_free(data);
  return pem;
}

}  // namespace registrar::intercoop::testing
