#include "support/temp_dir.h"

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

}  // namespace registrar::testing
