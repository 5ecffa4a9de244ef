// A duplication check (dci-ibr.md §8.1): a registrant asked of one data source, and what it
// answered. States ready → checking → completed | failed (retry: back to ready). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "dci_client/registrant.h"

namespace registrar::dci_client {

enum class CheckState { kReady, kChecking, kCompleted, kFailed };
enum class CheckResult { kNoMatch, kPossibleMatch, kConfirmedMatch };

std::string_view state_name(CheckState s);
std::string_view result_name(CheckResult r);
std::optional<CheckState> parse_state(std::string_view s);
std::optional<CheckResult> parse_result(std::string_view s);

struct Check {
  std::string id;  // uuid; also the reference_id of its search_request item
  Registrant registrant;
  std::string source;  // data source code
  CheckState state = CheckState::kReady;
  std::optional<CheckResult> result;  // set when completed
  std::vector<std::string> matched_programmes;
  nlohmann::json raw_response;  // the answer item as received (null until there is one)
  std::string error;            // why it failed
  std::string correlation_id;   // async: the one our search carried (and the callback carries)
  std::string notes;            // "correlation: <id>" (§12.5), free text otherwise
  std::string batch_key;        // "" unless made by a batch: "<source>:<file digest>:<line>"
  core::SystemTime created{};
  core::SystemTime updated{};
  std::optional<core::SystemTime> checked;  // when the answer (or failure) was written
};

// The API's view: without identifier values and raw response unless `full` (§8.1: viewers
// read checks without them).
nlohmann::json check_to_json(const Check& c, bool full);

}  // namespace registrar::dci_client
