#include "intercoop/yaml_patterns.h"

#include <array>

namespace registrar::intercoop::yaml::patterns {
namespace {

// A cursor over the text; each step consumes what it matches.
struct Cursor {
  std::string_view s;
  size_t i = 0;

  bool end() const { return i == s.size(); }
  char peek() const { return end() ? '\0' : s[i]; }
  bool take(char c) {
    if (peek() != c || end()) return false;
    ++i;
    return true;
  }
  bool take_any(std::string_view set) {
    if (end() || set.find(s[i]) == std::string_view::npos) return false;
    ++i;
    return true;
  }
  // Zero or more of `set`; returns how many.
  size_t take_run(std::string_view set) {
    size_t start = i;
    while (take_any(set)) {
    }
    return i - start;
  }
  void take_sign() { take_any("-+"); }
};

constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kDigitsUnderscore = "0123456789_";

// (:[0-5]?[0-9])+ — each group is one digit, or two whose first is 0–5. What follows a group in
// every pattern is ':', '.' or the end, never a digit, so a group is its whole digit run.
bool take_sexagesimal_groups(Cursor& c) {
  size_t groups = 0;
  while (c.peek() == ':' && !c.end()) {
    ++c.i;
    size_t start = c.i;
    size_t n = c.take_run(kDigits);
    if (n == 0 || n > 2 || (n == 2 && c.s[start] > '5')) return false;
    ++groups;
  }
  return groups > 0;
}

// ([eE][-+][0-9]+)? then the end.
bool optional_exponent_then_end(Cursor& c) {
  if (c.end()) return true;
  if (!c.take_any("eE") || !c.take_any("-+") || c.take_run(kDigits) == 0) return false;
  return c.end();
}

}  // namespace

bool is_bool(std::string_view s) {
  static constexpr std::array<std::string_view, 18> kWords = {
      "yes",   "Yes",   "YES",   "no", "No", "NO", "true", "True", "TRUE",
      "false", "False", "FALSE", "on", "On", "ON", "off",  "Off",  "OFF"};
  for (auto w : kWords)
    if (s == w) return true;
  return false;
}

bool is_float(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  {  // \.[0-9][0-9_]*(exp)?
    Cursor c{s};
    if (c.take('.') && c.take_any(kDigits)) {
      c.take_run(kDigitsUnderscore);
      if (optional_exponent_then_end(c)) return true;
    }
  }
  Cursor c{s};
  c.take_sign();
  size_t after_sign = c.i;
  if (c.take('.')) {  // [-+]?\.(inf|Inf|INF)
    std::string_view rest = s.substr(c.i);
    return rest == "inf" || rest == "Inf" || rest == "INF";
  }
  c.i = after_sign;
  if (!c.take_any(kDigits)) return false;
  c.take_run(kDigitsUnderscore);
  size_t after_digits = c.i;
  if (c.take('.')) {  // [0-9][0-9_]*\.[0-9_]*(exp)?
    c.take_run(kDigitsUnderscore);
    if (optional_exponent_then_end(c)) return true;
  }
  c.i = after_digits;  // [0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
  if (!take_sexagesimal_groups(c) || !c.take('.')) return false;
  c.take_run(kDigitsUnderscore);
  return c.end();
}

bool is_int(std::string_view s) {
  Cursor c{s};
  c.take_sign();
  size_t after_sign = c.i;
  if (c.take('0')) {
    if (c.end()) return true;  // 0
    if (c.take('b')) return c.take_run("01_") > 0 && c.end();
    if (c.take('x')) return c.take_run("0123456789abcdefABCDEF_") > 0 && c.end();
    return c.take_run("01234567_") > 0 && c.end();  // octal
  }
  c.i = after_sign;
  if (!c.take_any("123456789")) return false;
  c.take_run(kDigitsUnderscore);
  if (c.end()) return true;  // decimal
  return take_sexagesimal_groups(c) && c.end();
}

bool is_timestamp(std::string_view s) {
  Cursor c{s};
  auto digits = [&](size_t min, size_t max) {
    size_t start = c.i;
    while (c.i - start < max && c.take_any(kDigits)) {
    }
    return c.i - start >= min;
  };
  if (!digits(4, 4) || !c.take('-')) return false;
  // The date-only form: exactly two digits each, then the end.
  if (s.size() == 10 && digits(2, 2) && c.take('-') && digits(2, 2) && c.end()) return true;
  c.i = 5;
  if (!digits(1, 2) || !c.take('-') || !digits(1, 2)) return false;
  if (!c.take_any("Tt") && c.take_run(" \t") == 0) return false;
  if (!digits(1, 2) || !c.take(':') || !digits(2, 2) || !c.take(':') || !digits(2, 2)) return false;
  if (c.take('.')) c.take_run(kDigits);
  if (c.end()) return true;
  c.take_run(" \t");
  if (c.take('Z')) return c.end();
  if (!c.take_any("-+") || !digits(1, 2)) return false;
  if (c.take(':') && !digits(2, 2)) return false;
  return c.end();
}

}  // namespace registrar::intercoop::yaml::patterns
