// The reader of canonical_json.h. It follows CPython's json scanner (Modules/_json.c) rule by
// rule; where RFC 8259 and Python differ (NaN, Infinity, lone surrogates, the integer digit
// limit) Python wins, because a Python peer computes the digest.
#include "dci/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "core/error.h"
#include "dci/utf8_internal.h"

namespace registrar::dci {

using detail::append_wtf8;
using detail::decode_utf8;

// The double Python's float() gives for a JSON number's text. from_chars rounds correctly but
// reports out-of-range instead of giving ±inf or ±0; the direction follows from the decimal
// exponent of the first significant digit.
double detail::python_float(std::string_view s) {
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

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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
      out.number = detail::python_float(text);
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
    static constexpr std::string_view kFrom = "\"\\/bfnrt", kTo = "\"\\/\b\f\n\r\t";
    if (size_t i = kFrom.find(c); i != std::string_view::npos) {
      out += kTo[i];
      return true;
    }
    if (c != 'u') {
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

std::string canonical_json(std::string_view text) {
  JsonParseError error;
  auto value = parse_json(text, &error);
  if (!value) {
    throw core::invalid_argument("invalid JSON at byte " + std::to_string(error.offset) + ": " +
                                 error.message);
  }
  return to_canonical(*value);
}

}  // namespace registrar::dci
