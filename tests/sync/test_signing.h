// Stands in for identity's module keys in the sync tests: one RSA key, RS256.
#pragma once

#include "crypto/keys.h"
#include "crypto/signature.h"
#include "services/signing.h"

namespace registrar::sync {

class TestSigning final : public services::Signing {
 public:
  void ensure_key(const std::string&, crypto::JwsAlg, const std::string&) override {}
  std::string sign(const std::string&, std::string_view data) const override {
    return crypto::sign_bytes(key_, crypto::JwsAlg::kRS256, data);
  }
  crypto::PublicKey public_key(const std::string&) const override { return key_.public_key(); }
  crypto::JwsAlg algorithm(const std::string&) const override { return crypto::JwsAlg::kRS256; }

 private:
  crypto::PrivateKey key_ = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
};

}  // namespace registrar::sync
