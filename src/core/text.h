// Small text helpers shared by modules that would otherwise each spell them out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace registrar::core {

// The non-empty runs of `text` between `separator`s: "a  b " -> {"a", "b"}. OAuth2 scope
// strings, name parts.
std::vector<std::string> split_words(std::string_view text, char separator = ' ');

}  // namespace registrar::core
