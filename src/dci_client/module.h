// The dci_client module: duplication checks against any DCI Integrated Beneficiary Registry, as
// OpenSPP's "DCI Client – IBR" does (dci-ibr.md §4–9, docs/dci-client.md). Config keys under
// dci_client.*; CLI verbs under `registrar dci`.
#pragma once

#include <memory>

#include "app/module.h"

namespace registrar::dci_client {

std::unique_ptr<app::Module> make_module();

}  // namespace registrar::dci_client
