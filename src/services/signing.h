// Signing keys another module signs its protocol messages with (offered by identity).
//
// A module chooses a key id ("ibr-1"), asks for the key once at start (created on first use,
// sealed with the master key in identity's table, the same on every instance), and signs with it;
// the public key is published in /.well-known/jwks.json under that kid, so peers that fetch our
// JWKS verify what the module signed. Token signing keys and their rotation are identity's own
// and not reachable here.
#pragma once

#include <string>
#include <string_view>

#include "crypto/jws.h"
#include "crypto/keys.h"

namespace registrar::services {

class Signing {
 public:
  static constexpr const char* kName = "identity.signing";
  virtual ~Signing() = default;

  // Makes sure a key `kid` of algorithm `alg` exists for `owner` (a module name), creating it
  // when missing. Blocking (database): call from start() or a worker. Throws core::Error
  // (kConflict) when `kid` exists with another algorithm or owner, or is a token-signing kid.
  virtual void ensure_key(const std::string& kid, crypto::JwsAlg alg, const std::string& owner) = 0;
  // The signature of `data` with key `kid` (JWS signature bytes for its algorithm: Ed25519's 64
  // bytes, RS256's PKCS#1 v1.5). Any thread; never blocks. kNotFound for a kid not ensured.
  virtual std::string sign(const std::string& kid, std::string_view data) const = 0;
  virtual crypto::PublicKey public_key(const std::string& kid) const = 0;
  virtual crypto::JwsAlg algorithm(const std::string& kid) const = 0;
};

}  // namespace registrar::services
