// The checks' settings (keys dci_client.checks.* and dci_client.scopes.checks_*;
// docs/operations.md lists them).
#pragma once

#include <chrono>
#include <string>

#include "core/config.h"
#include "dci_client/search_query.h"

namespace registrar::dci_client {

enum class RunMode { kSync, kAsync };

struct CheckSettings {
  // A check still `checking` this long after it was sent fails with a timeout reason (the
  // answer is lost: the peer died, or its callback never came).
  std::chrono::seconds deadline{900};
  std::chrono::milliseconds sweep_interval{60'000};
  // search_request items per envelope (the IBR refuses bodies over 256 KiB; an item is ~0.5 KiB).
  int batch_size = 100;
  RunMode default_mode = RunMode::kSync;
  // Sync answers' signatures checked, and the signer of answers and callbacks held to the data
  // source's receiver_id (when the check service has an AnswerTrust).
  bool verify_answers = true;
  QueryOptions query;
  std::string scope_read = "dci:checks.read";
  std::string scope_run = "dci:checks.run";
  std::string scope_delete = "dci:checks.delete";
};

void declare_checks_config(core::ConfigSchema& schema);
CheckSettings read_checks_config(const core::Config& config);

}  // namespace registrar::dci_client
