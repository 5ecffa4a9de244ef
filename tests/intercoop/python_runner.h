// Runs a script in Debian's /usr/bin/python3 (which sees python3-yaml and python3-cryptography)
// over a batch: one input line per case in, one answer line per case out, so that thousands of
// cases cost one interpreter start. Files live in a fresh directory under the test temp dir.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace registrar::intercoop::testing {

inline constexpr const char* kPython = "/usr/bin/python3";

inline bool python_available() {
  return std::filesystem::exists(kPython) &&
         std::system("/usr/bin/python3 -c 'import yaml, cryptography' 2>/dev/null") == 0;
}

// The script gets the input file and the output file as argv[1] and argv[2].
inline std::vector<std::string> run_python(const std::string& name, const std::string& script,
                                           const std::vector<std::string>& lines) {
  static int counter = 0;
  auto dir =
      std::filesystem::path(::testing::TempDir()) /
      ("intercoop_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "script.py") << script;
    std::ofstream in(dir / "in.txt");
    for (const auto& l : lines) in << l << '\n';
  }
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

}  // namespace registrar::intercoop::testing
