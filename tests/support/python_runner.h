// Runs a script in Debian's /usr/bin/python3 (an independent implementation to check ours
// against) over a batch: one input line per case in, one answer line per case out, so that
// thousands of cases cost one interpreter start. Files live in a fresh directory under the test
// temp dir. For test files (it uses gtest's EXPECT).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace registrar::testing {

inline constexpr const char* kPython = "/usr/bin/python3";

// The script gets the input file and the output file as argv[1] and argv[2].
inline std::vector<std::string> run_python(const std::string& name, const std::string& script,
                                           const std::vector<std::string>& lines) {
  static int counter = 0;
  auto dir = std::filesystem::path(::testing::TempDir()) /
             (name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "script.py") << script;
    std::ofstream in(dir / "in.txt");
    for (const auto& l : lines) in << l << '\n';
  }
  // Appended piece by piece: g++ 12 -O2 reports a false -Warray-bounds on a chain of + here.
  std::string cmd(kPython);
  for (const char* file : {"script.py", "in.txt", "out.txt"})
    cmd.append(" ").append((dir / file).string());
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::vector<std::string> answers;
  std::ifstream out(dir / "out.txt");
  for (std::string line; std::getline(out, line);) answers.push_back(line);
  std::filesystem::remove_all(dir);
  return answers;
}

}  // namespace registrar::testing
