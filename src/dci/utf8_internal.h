// UTF-8 / WTF-8 helpers shared by the canonical JSON reader and writer (not part of the API).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/utf8.h"

namespace registrar::dci::detail {

// Appends code point `cp` (surrogates included: WTF-8) to `out`.
inline void append_wtf8(std::string& out, uint32_t cp) {
  core::append_utf8(out, cp);
}

// Decodes one UTF-8 sequence at `p`. With `allow_surrogates` (our own WTF-8 strings) encoded
// surrogates pass; from input they are refused as Python's strict UTF-8 decoder refuses them.
// Returns the number of bytes, 0 when invalid.
inline size_t decode_utf8(const char* p, const char* end, uint32_t& cp, bool allow_surrogates) {
  auto b = [&](size_t i) { return uint8_t(p[i]); };
  uint8_t c = b(0);
  size_t n;
  uint32_t min;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (size_t(end - p) < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF) return 0;  // overlong or beyond Unicode
  if (!allow_surrogates && cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return n;
}

// The double Python's float() gives for the text of a JSON number (±inf on overflow).
double python_float(std::string_view number);

}  // namespace registrar::dci::detail
