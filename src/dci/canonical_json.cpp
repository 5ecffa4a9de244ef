// Reader and canonical writer for canonical_json.h. The reader follows CPython's json scanner
// (Modules/_json.c) rule by rule; where RFC 8259 and Python differ (NaN, Infinity, lone
// surrogates, integer digit limit) Python wins, because a Python peer computes the digest.
#include "dci/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "core/error.h"

namespace registrar::dci {

namespace {

// Appends code point `cp` (surrogates included: WTF-8) to `out`.
void append_wtf8(std::string& out, uint32_t cp) {
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

// Decodes one UTF-8 sequence at `p`. With `allow_surrogates` (our own WTF-8 strings) encoded
// surrogates pass; from input they are refused as Python's strict UTF-8 decoder refuses them.
// Returns the number of bytes, 0 when invalid.
size_t decode_utf8(const char* p, const char* end, uint32_t& cp, bool allow_surrogates) {
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

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The double Python's float() gives for a JSON number's text. from_chars rounds correctly but
// reports out-of-range instead of giving ±inf or ±0; the direction follows from the decimal
// exponent of the first significant digit.
double parse_double(std::string_view s) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc()) return value;
  bool negative = s[0] == '-';
  size_t i = negative ? 1 : 0;
  int64_t magnitude = 0;  // decimal exponent of the first non-zero digit, relative to the point
  bool seen_nonzero = false, after_point = false;
  int64_t integer_digits = 0, leading_fraction_zeros = 0;
  for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
    if (s[i] == '.') {
      after_point = true;
    } else if (!seen_nonzero) {
      if (s[i] != '0') {
        seen_nonzero = true;
        if (!after_point) ++integer_digits;
      } else if (after_point) {
        ++leading_fraction_zeros;
      }
    } else if (!after_point) {
      ++integer_digits;
    }
  }
  magnitude = integer_digits > 0 ? integer_digits : -leading_fraction_zeros;
  int64_t exponent = 0;
  if (i < s.size()) {
    // Exponents too long for int64 are only possible in absurd input; clamp while reading.
    size_t j = i + 1;
    bool exp_negative = false;
    if (s[j] == '+' || s[j] == '-') exp_negative = s[j++] == '-';
    for (; j < s.size(); ++j) exponent = std::min<int64_t>(exponent * 10 + (s[j] - '0'), 1 << 30);
    if (exp_negative) exponent = -exponent;
  }
  bool huge = seen_nonzero && magnitude + exponent > 0;
  double result = huge ? HUGE_VAL : 0.0;
  return negative ? -result : result;
}

class Parser {
 public:
  Parser(std::string_view text, JsonParseError* error)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), error_(error) {}

  std::optional<JsonValue> document() {
    JsonValue root;
    skip_ws();
    if (!value(root, 0)) return std::nullopt;
    skip_ws();
    if (p_ != end_) return fail("extra data after the document");
    return root;
  }

 private:
  std::nullopt_t fail(std::string message) {
    if (error_ && error_->message.empty()) {
      error_->offset = size_t(p_ - begin_);
      error_->message = std::move(message);
    }
    return std::nullopt;
  }
  bool failed(std::string message) {
    fail(std::move(message));
    return false;
  }

  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool literal(std::string_view word) {
    if (size_t(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool value(JsonValue& out, int depth) {
    if (p_ == end_) return failed("expecting a value");
    switch (*p_) {
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"':
        out.kind = JsonValue::Kind::kString;
        return string(out.text);
      case 'n':
        if (literal("null")) return true;
        break;
      case 't':
        if (literal("true")) return out.kind = JsonValue::Kind::kBool, out.boolean = true;
        break;
      case 'f':
        if (literal("false")) return out.kind = JsonValue::Kind::kBool, true;
        break;
      case 'N':
        if (literal("NaN")) return special(out, std::nan(""));
        break;
      case 'I':
        if (literal("Infinity")) return special(out, HUGE_VAL);
        break;
      case '-':
        if (literal("-Infinity")) return special(out, -HUGE_VAL);
        return number(out);
      default:
        if (is_digit(*p_)) return number(out);
    }
    return failed("expecting a value");
  }

  static bool special(JsonValue& out, double v) {
    out.kind = JsonValue::Kind::kFloat;
    out.number = v;
    return true;
  }

  // Python's NUMBER_RE: -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)? — a match that stops early (as
  // "01" or "1." do) leaves the rest to fail as extra data, as in Python.
  bool number(JsonValue& out) {
    const char* start = p_;
    if (*p_ == '-') ++p_;
    if (p_ == end_ || !is_digit(*p_)) return failed("expecting a value");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    bool is_float = false;
    if (p_ + 1 < end_ && *p_ == '.' && is_digit(p_[1])) {
      is_float = true;
      p_ += 1;
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      const char* q = p_ + 1;
      if (q != end_ && (*q == '+' || *q == '-')) ++q;
      if (q != end_ && is_digit(*q)) {
        is_float = true;
        p_ = q;
        while (p_ != end_ && is_digit(*p_)) ++p_;
      }
    }
    std::string_view text(start, size_t(p_ - start));
    if (is_float) {
      out.kind = JsonValue::Kind::kFloat;
      out.number = parse_double(text);
      return true;
    }
    bool negative = text[0] == '-';
    size_t digits = text.size() - (negative ? 1 : 0);
    if (digits > kMaxIntegerDigits) {
      p_ = start;
      return failed("integer has more than 4300 digits");
    }
    out.kind = JsonValue::Kind::kInteger;
    out.text = text == "-0" ? "0" : std::string(text);
    return true;
  }

  bool hex4(uint32_t& cp) {
    if (end_ - p_ < 4) return false;
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hex_value(p_[i]);
      if (h < 0) return false;
      cp = (cp << 4) | uint32_t(h);
    }
    p_ += 4;
    return true;
  }

  bool string(std::string& out) {
    ++p_;  // opening quote
    while (true) {
      if (p_ == end_) return failed("unterminated string");
      unsigned char c = uint8_t(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return failed("invalid control character in string");
      if (c == '\\') {
        if (!escape(out)) return false;
        continue;
      }
      if (c < 0x80) {
        out += char(c);
        ++p_;
        continue;
      }
      uint32_t cp;
      size_t n = decode_utf8(p_, end_, cp, false);
      if (n == 0) return failed("invalid UTF-8");
      out.append(p_, n);
      p_ += n;
    }
  }

  bool escape(std::string& out) {
    ++p_;  // backslash
    if (p_ == end_) return failed("unterminated string");
    char c = *p_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out += c;
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        break;
      default:
        --p_;
        return failed("invalid escape");
    }
    uint32_t cp;
    if (!hex4(cp)) return failed("invalid \\uXXXX escape");
    // A high surrogate joins a directly following low-surrogate escape; anything else leaves it
    // alone (CPython's scanstring_unicode).
    if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
      const char* save = p_;
      p_ += 2;
      uint32_t low;
      if (!hex4(low)) return failed("invalid \\uXXXX escape");
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      } else {
        p_ = save;
      }
    }
    append_wtf8(out, cp);
    return true;
  }

  bool array(JsonValue& out, int depth) {
    if (depth > kMaxJsonDepth) return failed("nesting deeper than 512");
    out.kind = JsonValue::Kind::kArray;
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == ']') return ++p_, true;
    while (true) {
      out.items.emplace_back();
      if (!value(out.items.back(), depth)) return false;
      skip_ws();
      if (p_ != end_ && *p_ == ',') {
        ++p_;
        skip_ws();
        continue;
      }
      if (p_ != end_ && *p_ == ']') return ++p_, true;
      return failed("expecting ',' or ']'");
    }
  }

  bool object(JsonValue& out, int depth) {
    if (depth > kMaxJsonDepth) return failed("nesting deeper than 512");
    out.kind = JsonValue::Kind::kObject;
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == '}') return ++p_, true;
    while (true) {
      if (p_ == end_ || *p_ != '"') return failed("expecting a property name in double quotes");
      JsonValue::Member member;
      if (!string(member.key)) return false;
      skip_ws();
      if (p_ == end_ || *p_ != ':') return failed("expecting ':'");
      ++p_;
      skip_ws();
      if (!value(member.value, depth)) return false;
      out.members.push_back(std::move(member));
      skip_ws();
      if (p_ != end_ && *p_ == ',') {
        ++p_;
        skip_ws();
        continue;
      }
      if (p_ != end_ && *p_ == '}') break;
      return failed("expecting ',' or '}'");
    }
    ++p_;
    // Sort by key keeping input order among equal keys, then keep the last of each run: the
    // last duplicate wins, as in a Python dict.
    auto& m = out.members;
    std::stable_sort(m.begin(), m.end(),
                     [](const auto& a, const auto& b) { return a.key < b.key; });
    size_t kept = 0;
    for (size_t i = 0; i < m.size(); ++i) {
      if (i + 1 < m.size() && m[i + 1].key == m[i].key) continue;
      if (kept != i) m[kept] = std::move(m[i]);
      ++kept;
    }
    m.resize(kept);
    return true;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  JsonParseError* error_;
};

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
    switch (cp) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (cp >= 0x10000) {
          cp -= 0x10000;
          u_escape(0xD800 | (cp >> 10));
          u_escape(0xDC00 | (cp & 0x3FF));
        } else {
          u_escape(cp);
        }
    }
  }
  out += '"';
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

namespace {

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

const JsonValue* JsonValue::find(std::string_view key) const {
  auto it = std::lower_bound(members.begin(), members.end(), key,
                             [](const Member& m, std::string_view k) { return m.key < k; });
  return it != members.end() && it->key == key ? &it->value : nullptr;
}

std::optional<JsonValue> parse_json(std::string_view text, JsonParseError* error) {
  if (error) *error = {};
  return Parser(text, error).document();
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

std::string canonical_json(std::string_view text) {
  JsonParseError error;
  auto value = parse_json(text, &error);
  if (!value) {
    throw core::invalid_argument("invalid JSON at byte " + std::to_string(error.offset) + ": " +
                                 error.message);
  }
  return to_canonical(*value);
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
      return parse_double(v.text);
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
