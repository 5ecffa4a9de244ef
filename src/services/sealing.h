// Secrets at rest (offered by identity): a module seals a secret it must store (a peer's OAuth2
// client secret, an API key) with the installation's master key before it writes it, and opens it
// when it needs it. A sealed value is bound to its context (say "dci_client.source:42"), so one
// copied onto another row does not open. Any thread; never blocks.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace registrar::services {

class Sealing {
 public:
  static constexpr const char* kName = "identity.sealing";
  virtual ~Sealing() = default;
  virtual std::string seal(std::string_view plaintext, std::string_view context) const = 0;
  // nullopt when `sealed` was not sealed by this installation's master key for `context`.
  virtual std::optional<std::string> open(std::string_view sealed,
                                          std::string_view context) const = 0;
};

}  // namespace registrar::services
