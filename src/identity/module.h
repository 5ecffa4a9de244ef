// The identity module: signing keys and JWKS, OAuth2 clients/users/tokens, bearer-token
// authentication for every module, and identity challenge-response (clean API and DHP routes).
#pragma once

#include <memory>

#include "app/module.h"

namespace registrar::identity {

class KeyStore;
class Accounts;
class Revocations;
class TokenService;
class ChallengeService;
class ModuleKeys;

// The identity services, built from the platform services (shared by `serve` and the CLI).
struct IdentityServices {
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<Revocations> revocations;  // outlives accounts and tokens, which consult it
  std::unique_ptr<Accounts> accounts;
  std::unique_ptr<TokenService> tokens;
  std::unique_ptr<ChallengeService> challenges;
  std::unique_ptr<ModuleKeys> module_keys;  // other modules' signing keys (services::Signing)
  ~IdentityServices();
};
std::unique_ptr<IdentityServices> build_identity(app::Services& services);

std::unique_ptr<app::Module> make_module();

}  // namespace registrar::identity
