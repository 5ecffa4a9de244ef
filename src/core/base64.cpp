#include "core/base64.h"

#include <array>
#include <cstdint>

namespace registrar::core {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::array<int8_t, 256> reverse_table(const char* alphabet) {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}

const std::array<int8_t, 256> kStdRev = reverse_table(kStd);
const std::array<int8_t, 256> kUrlRev = reverse_table(kUrl);

std::string encode(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

// Decodes unpadded symbols; rejects a dangling single symbol and non-zero trailing bits. Four
// symbols at a time into the sized result: every bearer token's three parts come through here.
std::optional<std::string> decode_symbols(std::string_view in, const std::array<int8_t, 256>& rev) {
  const size_t tail = in.size() % 4;
  if (tail == 1) return std::nullopt;
  const size_t quads = in.size() / 4;
  std::string out(quads * 3 + (tail ? tail - 1 : 0), '\0');
  char* o = out.data();
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (size_t i = 0; i < quads; ++i, p += 4, o += 3) {
    const int32_t a = rev[p[0]], b = rev[p[1]], c = rev[p[2]], d = rev[p[3]];
    if ((a | b | c | d) < 0) return std::nullopt;
    const uint32_t v = uint32_t(a) << 18 | uint32_t(b) << 12 | uint32_t(c) << 6 | uint32_t(d);
    o[0] = static_cast<char>(v >> 16);
    o[1] = static_cast<char>(v >> 8);
    o[2] = static_cast<char>(v);
  }
  if (tail) {
    const int32_t a = rev[p[0]], b = rev[p[1]], c = tail == 3 ? rev[p[2]] : 0;
    if ((a | b | c) < 0) return std::nullopt;
    // The bits beyond the last whole byte must be zero (RFC 4648 §3.5, canonical encoding).
    if (tail == 2 ? (b & 0x0f) != 0 : (c & 0x03) != 0) return std::nullopt;
    const uint32_t v = uint32_t(a) << 18 | uint32_t(b) << 12 | uint32_t(c) << 6;
    o[0] = static_cast<char>(v >> 16);
    if (tail == 3) o[1] = static_cast<char>(v >> 8);
  }
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, kStd, true);
}
std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, kUrl, false);
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return decode_symbols(text.substr(0, text.size() - pad), kStdRev);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  return decode_symbols(text, kUrlRev);
}

std::optional<std::string> base64_decode_lenient(std::string_view text) {
  std::string symbols;
  symbols.reserve(text.size());
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    symbols += c;
  }
  while (!symbols.empty() && symbols.back() == '=') symbols.pop_back();
  return decode_symbols(symbols, kStdRev);
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace registrar::core
