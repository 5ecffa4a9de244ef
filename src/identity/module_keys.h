// The signing keys other modules sign their protocol messages with (services::Signing): the IBR's
// DCI signatures, intercoop packages. Created on a module's first ensure_key(), stored sealed in
// identity_module_keys, published in /.well-known/jwks.json beside the token keys, never rotated
// by identity (the owning module decides when to move to a new kid).
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "core/clock.h"
#include "crypto/jwks.h"
#include "identity/secrets.h"
#include "services/signing.h"
#include "store/database.h"

namespace registrar::identity {

class KeyStore;
struct ModuleKeyRow;

class ModuleKeys final : public services::Signing {
 public:
  // `master` and `tokens` must outlive this object; `tokens` is asked for its kids so that a
  // module key never shadows a token key in the JWKS.
  ModuleKeys(store::Database& db, const core::Clock& clock, const MasterKey& master,
             KeyStore& tokens);

  // Reads every stored module key (so the JWKS has them all from the start). Blocking.
  void load();

  void ensure_key(const std::string& kid, crypto::JwsAlg alg, const std::string& owner) override;
  std::string sign(const std::string& kid, std::string_view data) const override;
  crypto::PublicKey public_key(const std::string& kid) const override;
  crypto::JwsAlg algorithm(const std::string& kid) const override;

  // The public JWK of every module key, for the JWKS document. Any thread.
  std::vector<crypto::Json> public_jwks() const;

 private:
  struct Key {
    std::string owner;
    crypto::JwsAlg alg;
    crypto::PublicKey pub;
    std::optional<crypto::PrivateKey> priv;  // unset when sealed with another master key
    crypto::Json jwk;
  };
  using Keys = std::map<std::string, Key, std::less<>>;
  std::shared_ptr<const Keys> keys() const;
  Key open_row(const ModuleKeyRow& row) const;

  store::Database& db_;
  const core::Clock& clock_;
  const MasterKey& master_;
  KeyStore& tokens_;
  mutable std::mutex mu_;
  std::shared_ptr<const Keys> keys_;  // replaced whole under mu_; readers copy the pointer
};

}  // namespace registrar::identity
