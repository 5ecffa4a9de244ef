// A progress bar for long CLI verbs (`registrar ibr seed`, `registrar dci check`), redrawn in
// place on stderr. Callers draw it only on a terminal, so that a log file gets no bar.
#pragma once

#include <cstddef>

namespace registrar::core {

void draw_progress(size_t done, size_t total);

}  // namespace registrar::core
