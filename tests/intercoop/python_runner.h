// The intercoop tests' Python (python3-yaml and python3-cryptography beside Debian's python3):
// the batch runner of tests/support, and whether those modules are there.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "support/python_runner.h"

namespace registrar::intercoop::testing {

using registrar::testing::kPython;

inline bool python_available() {
  return std::filesystem::exists(kPython) &&
         std::system("/usr/bin/python3 -c 'import yaml, cryptography' 2>/dev/null") == 0;
}

// The script gets the input file and the output file as argv[1] and argv[2].
inline std::vector<std::string> run_python(const std::string& name, const std::string& script,
                                           const std::vector<std::string>& lines) {
  return registrar::testing::run_python("intercoop_" + name, script, lines);
}

}  // namespace registrar::intercoop::testing
