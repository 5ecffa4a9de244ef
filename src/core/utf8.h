// The one UTF-8 encoder: core's JSON reader and the DCI canonical JSON reader both decode \u
// escapes into strings with it.
#pragma once

#include <cstdint>
#include <string>

namespace registrar::core {

// Appends code point `cp` (< 0x110000) to `out` as UTF-8. Surrogates are encoded like any other
// code point (WTF-8): callers that must refuse lone surrogates do so before calling.
inline void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

}  // namespace registrar::core
