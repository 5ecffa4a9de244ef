#include "core/progress.h"

#include <cstdio>
#include <string>

namespace registrar::core {

void draw_progress(size_t done, size_t total) {
  constexpr int kWidth = 40;
  int filled = total ? static_cast<int>(kWidth * done / total) : kWidth;
  std::fprintf(stderr, "\r[%s%s] %zu/%zu (%zu%%)", std::string(filled, '#').c_str(),
               std::string(kWidth - filled, ' ').c_str(), done, total,
               total ? 100 * done / total : 100);
  std::fflush(stderr);
}

}  // namespace registrar::core
