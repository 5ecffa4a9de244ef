// Small text helpers shared by modules that would otherwise each spell them out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace registrar::core {

// The non-empty runs of `text` between `separator`s: "a  b " -> {"a", "b"}. OAuth2 scope
// strings, name parts.
std::vector<std::string> split_words(std::string_view text, char separator = ' ');

// The `n` ASCII digits at `pos` of `s` as a number in `out`; false (out unspecified) when they are
// not all there. For the hand-written date-time readers.
bool read_digits(std::string_view s, size_t pos, size_t n, int& out);

// `text` for HTML text or a quoted attribute: & < > " ' as entities.
std::string html_escape(std::string_view text);

}  // namespace registrar::core
