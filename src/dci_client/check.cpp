#include "dci_client/check.h"

namespace registrar::dci_client {

using Json = nlohmann::json;

std::string_view state_name(CheckState s) {
  switch (s) {
    case CheckState::kChecking:
      return "checking";
    case CheckState::kCompleted:
      return "completed";
    case CheckState::kFailed:
      return "failed";
    case CheckState::kReady:
      break;
  }
  return "ready";
}

std::string_view result_name(CheckResult r) {
  switch (r) {
    case CheckResult::kPossibleMatch:
      return "possible_match";
    case CheckResult::kConfirmedMatch:
      return "confirmed_match";
    case CheckResult::kNoMatch:
      break;
  }
  return "no_match";
}

std::optional<CheckState> parse_state(std::string_view s) {
  for (auto v :
       {CheckState::kReady, CheckState::kChecking, CheckState::kCompleted, CheckState::kFailed})
    if (state_name(v) == s) return v;
  return std::nullopt;
}

std::optional<CheckResult> parse_result(std::string_view s) {
  for (auto v : {CheckResult::kNoMatch, CheckResult::kPossibleMatch, CheckResult::kConfirmedMatch})
    if (result_name(v) == s) return v;
  return std::nullopt;
}

Json check_to_json(const Check& c, bool full) {
  Json j = {{"id", c.id},
            {"registrant", registrant_to_json(c.registrant, full)},
            {"source", c.source},
            {"state", std::string(state_name(c.state))},
            {"result", c.result ? Json(std::string(result_name(*c.result))) : Json()},
            {"matched_programmes", c.matched_programmes},
            {"error_message", c.error},
            {"correlation_id", c.correlation_id},
            {"notes", c.notes},
            {"created_at", core::format_rfc3339(c.created, true)},
            {"updated_at", core::format_rfc3339(c.updated, true)},
            {"checked_at", c.checked ? Json(core::format_rfc3339(*c.checked, true)) : Json()}};
  if (!c.batch_key.empty()) j["batch_key"] = c.batch_key;
  if (full) j["raw_response"] = c.raw_response;
  return j;
}

}  // namespace registrar::dci_client
