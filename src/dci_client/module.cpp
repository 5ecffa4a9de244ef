#include "dci_client/module.h"

namespace registrar::dci_client {
namespace {

class DciClientModule final : public app::Module {
 public:
  std::string name() const override { return "dci_client"; }
  // identity: the key our requests are signed with (services::Signing), the sealing of data
  // sources' secrets (services::Sealing) and the bearer tokens of the admin routes.
  std::vector<std::string> dependencies() const override { return {"identity"}; }
};

}  // namespace

std::unique_ptr<app::Module> make_module() {
  return std::make_unique<DciClientModule>();
}

}  // namespace registrar::dci_client
