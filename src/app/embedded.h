// Files from web/ compiled into the binary (the API document, the console), so that one binary
// is the whole deployment.
#pragma once

#include <string_view>
#include <vector>

namespace registrar::app {

// "" when no such file was embedded.
std::string_view embedded_file(std::string_view name);
std::vector<std::string_view> embedded_names();

}  // namespace registrar::app
