#include "support/temp_dir.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/random.h"

namespace registrar::testing {

TempDir::TempDir() {
  path_ = std::filesystem::temp_directory_path() / ("registrar-test-" + core::random_token(9));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
  std::string path = file(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace registrar::testing
