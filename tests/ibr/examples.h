// The spec's example envelopes (tests/dci/examples, from spdci/ibr), read as JSON.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace registrar::ibr::test {

inline nlohmann::json example(const std::string& name) {
  std::ifstream in(std::string(DCI_EXAMPLES_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

}  // namespace registrar::ibr::test
