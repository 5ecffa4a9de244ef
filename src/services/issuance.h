// Identifier issuance (offered by ids): UIN, VID and PRID with ids' guarantees (each ID durably
// recorded before anyone sees it, never issued twice), for modules that enrol people.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace registrar::services {

class Issuance {
 public:
  static constexpr const char* kName = "ids.issuance";
  virtual ~Issuance() = default;

  struct Outcome {
    std::vector<std::string> ids;      // all `count` IDs, or none
    std::optional<core::Error> error;  // why none
  };
  // `type` is "uin", "vid" or "prid". Never blocks; `done` runs once, on ids' committer (do not
  // block in it). kInvalidArgument for an unknown type or a count below 1.
  virtual void issue(const std::string& type, int count, const std::string& actor,
                     std::function<void(Outcome)> done) = 0;
};

}  // namespace registrar::services
