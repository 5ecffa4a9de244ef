// Small helpers shared by the crypto tests.
#pragma once

#include <string>
#include <string_view>

#include "core/base64.h"
#include "crypto/jws.h"
#include "crypto/keys.h"
#include "crypto/signature.h"

namespace registrar::crypto::testing {

inline std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

inline std::string b64u(std::string_view bytes) {
  return core::base64url_encode(bytes);
}

inline std::string unb64u(std::string_view text) {
  auto v = core::base64url_decode(text);
  return v ? *v : std::string("<invalid>");
}

// A compact JWS over an arbitrary header text, correctly signed, so that a test isolates the
// header rule it is about.
inline std::string craft(std::string_view header_json, std::string_view payload,
                         const PrivateKey& key, JwsAlg alg) {
  std::string input = b64u(header_json) + "." + b64u(payload);
  return input + "." + b64u(sign_bytes(key, alg, input));
}

inline JwsVerifyOptions allow(std::initializer_list<JwsAlg> algs) {
  JwsVerifyOptions o;
  o.allowed_algs = algs;
  return o;
}

inline JwsVerifyOptions allow_all() {
  return allow({JwsAlg::kEdDSA, JwsAlg::kRS256, JwsAlg::kPS256, JwsAlg::kES256});
}

// One shared key per type: RSA generation costs tens of milliseconds.
inline const PrivateKey& test_key(KeyType type) {
  static const PrivateKey ed = PrivateKey::generate(KeyType::kEd25519);
  static const PrivateKey rsa = PrivateKey::generate(KeyType::kRsa, 2048);
  static const PrivateKey ec = PrivateKey::generate(KeyType::kEcP256);
  return type == KeyType::kEd25519 ? ed : type == KeyType::kRsa ? rsa : ec;
}

inline const PrivateKey& key_for(JwsAlg alg) {
  return test_key(alg_key_type(alg));
}

}  // namespace registrar::crypto::testing
