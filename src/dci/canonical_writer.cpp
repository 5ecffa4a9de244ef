// The canonical writer of canonical_json.h: json.dumps with sort_keys, compact separators and
// ensure_ascii, and the conversions to nlohmann's DOM.
#include <charconv>
#include <cmath>
#include <cstdint>

#include "core/error.h"
#include "dci/canonical_json.h"
#include "dci/utf8_internal.h"

namespace registrar::dci {

using detail::decode_utf8;

namespace {

// Writes a WTF-8 / UTF-8 string with ensure_ascii's escapes
// (json.encoder.py_encode_basestring_ascii).
void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto u_escape = [&](uint32_t unit) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(unit >> shift) & 0xF];
  };
  out += '"';
  const char* p = s.data();
  const char* end = p + s.size();
  while (p != end) {
    unsigned char c = uint8_t(*p);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += char(c);
      ++p;
      continue;
    }
    uint32_t cp;
    size_t n = decode_utf8(p, end, cp, true);
    if (n == 0) cp = 0xFFFD, n = 1;  // not reachable from the parser; nlohmann checks UTF-8
    p += n;
    // json.encoder's ESCAPE_DCT: these seven by name, everything else as \uXXXX.
    static constexpr std::string_view kRaw = "\"\\\n\r\t\b\f", kNamed = "\"\\nrtbf";
    size_t named = cp < 0x80 ? kRaw.find(char(cp)) : std::string_view::npos;
    if (named != std::string_view::npos) {
      out += '\\';
      out += kNamed[named];
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      u_escape(0xD800 | (cp >> 10));
      u_escape(0xDC00 | (cp & 0x3FF));
    } else {
      u_escape(cp);
    }
  }
  out += '"';
}

void append_float(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "Infinity" : "-Infinity";
  } else {
    out += python_float_repr(v);
  }
}

}  // namespace

std::string to_utf8(std::string_view s) {
  std::string utf8;
  const char* p = s.data();
  const char* end = p + s.size();
  while (p != end) {
    uint32_t cp;
    size_t n = decode_utf8(p, end, cp, true);
    if (n == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
      utf8 += "\xEF\xBF\xBD";  // U+FFFD
      p += n == 0 ? 1 : n;
      continue;
    }
    utf8.append(p, n);
    p += n;
  }
  return utf8;
}

// Python's float_repr_style 'short' (Python/pystrtod.c format_float_short with mode 'r'): the
// shortest digits that round-trip, fixed notation when the decimal point falls within
// (-4, 16] of the first digit, else d.ddde±XX.
std::string python_float_repr(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, size_t(end - buf));  // "-1.2345e+16"
  std::string out;
  if (sci[0] == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
  int decpt = exponent + 1;  // digits are 0.d1d2... × 10^decpt
  int n = int(digits.size());
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (n > 1) {
      out += '.';
      out.append(digits, 1);
    }
    int x = decpt - 1;
    out += x < 0 ? "e-" : "e+";
    if (std::abs(x) < 10) out += '0';
    out += std::to_string(std::abs(x));
  } else if (decpt <= 0) {
    out += "0.";
    out.append(size_t(-decpt), '0');
    out += digits;
  } else if (decpt >= n) {
    out += digits;
    out.append(size_t(decpt - n), '0');
    out += ".0";
  } else {
    out.append(digits, 0, size_t(decpt));
    out += '.';
    out.append(digits, size_t(decpt));
  }
  return out;
}

void append_canonical(std::string& out, const JsonValue& v) {
  using Kind = JsonValue::Kind;
  switch (v.kind) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += v.boolean ? "true" : "false";
      return;
    case Kind::kInteger:
      out += v.text;
      return;
    case Kind::kFloat:
      append_float(out, v.number);
      return;
    case Kind::kString:
      append_string(out, v.text);
      return;
    case Kind::kArray:
      out += '[';
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ',';
        append_canonical(out, v.items[i]);
      }
      out += ']';
      return;
    case Kind::kObject:
      out += '{';
      for (size_t i = 0; i < v.members.size(); ++i) {
        if (i) out += ',';
        append_string(out, v.members[i].key);
        out += ':';
        append_canonical(out, v.members[i].value);
      }
      out += '}';
      return;
  }
}

std::string to_canonical(const JsonValue& value) {
  std::string out;
  append_canonical(out, value);
  return out;
}

// nlohmann's object is a std::map over UTF-8 std::string, whose byte order is code point order,
// and it holds no duplicates: iterating it is already Python's sort_keys order.
void append_canonical(std::string& out, const nlohmann::json& v) {
  using T = nlohmann::json::value_t;
  switch (v.type()) {
    case T::null:
    case T::discarded:
      out += "null";
      return;
    case T::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case T::number_integer:
      out += std::to_string(v.get<int64_t>());
      return;
    case T::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      return;
    case T::number_float:
      append_float(out, v.get<double>());
      return;
    case T::string:
      append_string(out, v.get_ref<const std::string&>());
      return;
    case T::binary:
      throw core::invalid_argument("binary values have no JSON form");
    case T::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ',';
        first = false;
        append_canonical(out, item);
      }
      out += ']';
      return;
    }
    case T::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) out += ',';
        first = false;
        append_string(out, key);
        out += ':';
        append_canonical(out, item);
      }
      out += '}';
      return;
    }
  }
}

nlohmann::json to_nlohmann(const JsonValue& v) {
  using Kind = JsonValue::Kind;
  switch (v.kind) {
    case Kind::kNull:
      return nullptr;
    case Kind::kBool:
      return v.boolean;
    case Kind::kInteger: {
      int64_t i = 0;
      auto [ptr, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), i);
      if (ec == std::errc() && ptr == v.text.data() + v.text.size()) return i;
      uint64_t u = 0;
      auto [ptr2, ec2] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), u);
      if (ec2 == std::errc() && ptr2 == v.text.data() + v.text.size()) return u;
      return detail::python_float(v.text);
    }
    case Kind::kFloat:
      return v.number;
    case Kind::kString:
      return to_utf8(v.text);
    case Kind::kArray: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : v.items) out.push_back(to_nlohmann(item));
      return out;
    }
    case Kind::kObject: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& m : v.members) out[to_utf8(m.key)] = to_nlohmann(m.value);
      return out;
    }
  }
  return nullptr;
}

}  // namespace registrar::dci
