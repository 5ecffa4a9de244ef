// Small things every module's CLI verbs need.
#pragma once

#include <string>

namespace registrar::core {

// The audit log's actor for a command run from the CLI: "cli:<login>" ($USER, "unknown" unset).
std::string cli_actor();

// The whole file, bytes as they are. Throws core::Error(kInvalidArgument) naming the path when
// it cannot be read.
std::string read_whole_file(const std::string& path);

}  // namespace registrar::core
