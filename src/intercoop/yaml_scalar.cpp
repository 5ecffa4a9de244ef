#include "intercoop/yaml_scalar.h"

#include "intercoop/yaml_patterns.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <vector>

namespace registrar::intercoop::yaml {
namespace {

bool one_of(char c, std::string_view set) {
  return set.find(c) != std::string_view::npos;
}

std::string without_underscores(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '_') out += c;
  return out;
}

// Splits a leading sign off `text` (as SafeConstructor does); returns -1 or +1.
int take_sign(std::string& text) {
  int sign = 1;
  if (!text.empty() && text[0] == '-') sign = -1;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.erase(0, 1);
  return sign;
}

// Digits of `base` accumulated into a 128-bit magnitude; throws when empty, not digits, or
// beyond what the result type can carry.
unsigned __int128 parse_magnitude(std::string_view digits, int base, std::string_view whole) {
  if (digits.empty()) throw YamlError("invalid integer '" + std::string(whole) + "'");
  unsigned __int128 value = 0;
  for (char c : digits) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      throw YamlError("invalid integer '" + std::string(whole) + "'");
    }
    if (d >= base) throw YamlError("invalid integer '" + std::string(whole) + "'");
    value = value * base + d;
    if (value > (unsigned __int128)std::numeric_limits<uint64_t>::max())
      throw YamlError("integer out of range '" + std::string(whole) + "'");
  }
  return value;
}

Value make_int(int sign, unsigned __int128 magnitude, std::string_view whole) {
  if (sign > 0) {
    if (magnitude <= (unsigned __int128)std::numeric_limits<int64_t>::max())
      return Value(int64_t(magnitude));
    return Value(uint64_t(magnitude));
  }
  if (magnitude <= (unsigned __int128)std::numeric_limits<int64_t>::max())
    return Value(-int64_t(magnitude));
  if (magnitude == (unsigned __int128)std::numeric_limits<int64_t>::max() + 1)
    return Value(std::numeric_limits<int64_t>::min());
  throw YamlError("integer out of range '" + std::string(whole) + "'");
}

Value construct_int(std::string_view whole) {
  std::string text = without_underscores(whole);
  int sign = take_sign(text);
  if (text == "0") return Value(0);
  if (text.rfind("0b", 0) == 0)
    return make_int(sign, parse_magnitude(text.substr(2), 2, whole), whole);
  if (text.rfind("0x", 0) == 0)
    return make_int(sign, parse_magnitude(text.substr(2), 16, whole), whole);
  if (!text.empty() && text[0] == '0')
    return make_int(sign, parse_magnitude(text, 8, whole), whole);
  if (text.find(':') != std::string::npos) {  // sexagesimal: 1:20 = 80
    unsigned __int128 value = 0;
    size_t start = 0;
    while (true) {
      size_t colon = text.find(':', start);
      std::string_view part = std::string_view(text).substr(start, colon - start);
      value = value * 60 + parse_magnitude(part, 10, whole);
      if (value > (unsigned __int128)std::numeric_limits<uint64_t>::max())
        throw YamlError("integer out of range '" + std::string(whole) + "'");
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    return make_int(sign, value, whole);
  }
  return make_int(sign, parse_magnitude(text, 10, whole), whole);
}

// Python's float() of a decimal literal without sign ("1.", ".5", "1.5e+3").
double parse_decimal(std::string_view text, std::string_view whole) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || end != text.data() + text.size() ||
      (ec != std::errc() && ec != std::errc::result_out_of_range))
    throw YamlError("invalid float '" + std::string(whole) + "'");
  if (ec == std::errc::result_out_of_range) {  // Python: overflow → inf, underflow → 0
    size_t e = text.find_first_of("eE");
    bool underflow = e != std::string_view::npos && e + 1 < text.size() && text[e + 1] == '-';
    value = underflow ? 0.0 : std::numeric_limits<double>::infinity();
  }
  return value;
}

Value construct_float(std::string_view whole) {
  std::string text = without_underscores(whole);
  for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  int sign = take_sign(text);
  if (text == ".inf") return Value(sign * std::numeric_limits<double>::infinity());
  if (text == ".nan") return Value(std::numeric_limits<double>::quiet_NaN());
  if (text.find(':') != std::string::npos) {  // sexagesimal: 1:20.5 = 80.5
    std::vector<double> parts;
    size_t start = 0;
    while (true) {
      size_t colon = text.find(':', start);
      parts.push_back(parse_decimal(std::string_view(text).substr(start, colon - start), whole));
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    // Summed from the last part up, as SafeConstructor does: the same rounding, the same double.
    double value = 0, base = 1;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      value += *it * base;
      base *= 60;
    }
    return Value(sign * value);
  }
  return Value(sign * parse_decimal(text, whole));
}

Value construct_bool(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "yes" || lower == "true" || lower == "on") return Value(true);
  if (lower == "no" || lower == "false" || lower == "off") return Value(false);
  throw YamlError("invalid boolean '" + std::string(text) + "'");
}

}  // namespace

ScalarType resolve_plain(std::string_view text) {
  if (text.empty()) return ScalarType::kNull;
  char c = text[0];
  if (one_of(c, "yYnNtTfFoO") && patterns::is_bool(text)) return ScalarType::kBool;
  if (one_of(c, "-+0123456789.") && patterns::is_float(text)) return ScalarType::kFloat;
  if (one_of(c, "-+0123456789") && patterns::is_int(text)) return ScalarType::kInt;
  if (text == "<<") return ScalarType::kMerge;
  if (text == "~" || text == "null" || text == "Null" || text == "NULL") return ScalarType::kNull;
  if (one_of(c, "0123456789") && patterns::is_timestamp(text)) return ScalarType::kTimestamp;
  if (text == "=") return ScalarType::kValue;
  return ScalarType::kStr;
}

Value construct(ScalarType type, std::string_view text) {
  switch (type) {
    case ScalarType::kStr:
    case ScalarType::kTimestamp:
      return Value(std::string(text));
    case ScalarType::kNull:
      return Value(nullptr);
    case ScalarType::kBool:
      return construct_bool(text);
    case ScalarType::kInt:
      return construct_int(text);
    case ScalarType::kFloat:
      return construct_float(text);
    case ScalarType::kMerge:
    case ScalarType::kValue:
      break;
  }
  throw YamlError("could not determine a constructor for the scalar '" + std::string(text) + "'");
}

std::string python_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // The shortest digits that read back as `value` (what repr() picks), in scientific form.
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, result.ptr);  // "-1.2345e+02"
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  std::string out = negative ? "-" : "";
  // repr() switches to scientific notation below 1e-4 and from 1e16 on.
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
  } else if (exponent < 0) {
    out += "0." + std::string(size_t(-exponent - 1), '0') + digits;
  } else if (size_t(exponent) + 1 >= digits.size()) {
    out += digits + std::string(size_t(exponent) + 1 - digits.size(), '0') + ".0";
  } else {
    out += digits.substr(0, size_t(exponent) + 1) + "." + digits.substr(size_t(exponent) + 1);
  }
  return out;
}

std::string python_float_text(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  std::string text = python_repr(value);
  // 1e+16 is not a YAML 1.1 float (it needs a dot): PyYAML writes 1.0e+16.
  size_t e = text.find('e');
  if (e != std::string::npos && text.find('.') == std::string::npos) text.insert(e, ".0");
  return text;
}

}  // namespace registrar::intercoop::yaml
