// Random documents for the YAML property tests: values of every type, and strings built from the
// pieces that decide PyYAML's quoting, styles and line wrapping — YAML 1.1 look-alikes ('yes',
// '01001', '1.0', '~', dates), indicators, `: ` and ` #`, quotes, backslashes, tabs, control and
// non-ASCII characters, line breaks and long runs of words. Not NEL (U+0085): PyYAML writes it
// raw inside single quotes, where every YAML reader (PyYAML's too) folds it into a space — a loss
// of the original that we reproduce byte for byte (yaml_emit_test shows it) but cannot round-trip.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "intercoop/yaml_scalar.h"

namespace registrar::intercoop::testing {

inline const std::vector<std::string>& tricky_scalars() {
  static const std::vector<std::string> k = {"yes",
                                             "no",
                                             "on",
                                             "off",
                                             "Yes",
                                             "NO",
                                             "On",
                                             "OFF",
                                             "true",
                                             "False",
                                             "TRUE",
                                             "y",
                                             "n",
                                             "~",
                                             "null",
                                             "Null",
                                             "NULL",
                                             "",
                                             "1.0",
                                             "01001",
                                             "01022",
                                             "0x1F",
                                             "0b101",
                                             "0o17",
                                             "1_000",
                                             "1:20",
                                             "1:20.5",
                                             "190:20:30",
                                             ".inf",
                                             "-.inf",
                                             ".nan",
                                             ".NaN",
                                             "+.inf",
                                             ".5",
                                             "1.",
                                             "1e5",
                                             "1.5e+3",
                                             "1.0e-05",
                                             "2018-01-01",
                                             "2018-1-1 10:00:00",
                                             "2001-12-14t21:59:43.10-05:00",
                                             "<<",
                                             "=",
                                             "-",
                                             "- a",
                                             "-a",
                                             "? x",
                                             "?x",
                                             ":x",
                                             ": x",
                                             "a: b",
                                             "a:b",
                                             "a #b",
                                             "a#b",
                                             "#x",
                                             "&a",
                                             "*a",
                                             "!x",
                                             "|",
                                             "> x",
                                             "'q'",
                                             "\"dq\"",
                                             "%x",
                                             "@x",
                                             "`x",
                                             "---",
                                             "...",
                                             "--- x",
                                             "... x",
                                             ",x",
                                             "[x]",
                                             "{x}",
                                             "x,y",
                                             "x]",
                                             "555121232",
                                             "12345678Z",
                                             "+1",
                                             "-0",
                                             "0",
                                             "00",
                                             "09",
                                             "1_0",
                                             "0b_",
                                             "+12",
                                             "-1.5",
                                             "NaN",
                                             "inf",
                                             "somillusio",
                                             "Bunny, Bugs",
                                             "Golf Club, 5th hole",
                                             "bugsbunny@loonietoons.com",
                                             "ES"};
  return k;
}

class YamlGenerator {
 public:
  explicit YamlGenerator(uint64_t seed) : rng_(seed) {}

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  // Usually a mapping (as payloads are), sometimes any value at the root.
  yaml::Value document() { return pick(10) == 0 ? value(1) : mapping(0); }

  std::string text() {
    static const std::vector<std::string> kPieces = {"word",
                                                     "Golf",
                                                     "Club",
                                                     "ñandú",
                                                     "中文",
                                                     "😀",
                                                     " ",
                                                     " ",
                                                     "  ",
                                                     ": ",
                                                     " #",
                                                     "#",
                                                     ":",
                                                     "'",
                                                     "\"",
                                                     "\\",
                                                     "-",
                                                     "?",
                                                     ",",
                                                     "[",
                                                     "]",
                                                     "{",
                                                     "}",
                                                     "&",
                                                     "*",
                                                     "!",
                                                     "|",
                                                     ">",
                                                     "%",
                                                     "@",
                                                     "`",
                                                     "\n",
                                                     "\n",
                                                     "\n\n",
                                                     "\t",
                                                     "\r",
                                                     "\x01",
                                                     "\x7f",
                                                     "\xc2\xa0",
                                                     "\xe2\x80\xa8",
                                                     "\xef\xbb\xbf",
                                                     "\xef\xbf\xbd",
                                                     "yes",
                                                     "1.0",
                                                     "01001",
                                                     "~",
                                                     "null"};
    if (pick(4) == 0) return tricky_scalars()[pick(tricky_scalars().size())];
    std::string s;
    if (pick(6) == 0) {  // long prose: what line wrapping is about
      for (size_t n = 10 + pick(40); n > 0; --n) {
        s += pick(8) == 0 ? kPieces[pick(kPieces.size())] : word();
        s += pick(10) == 0 ? "  " : " ";
      }
      if (pick(2)) s.pop_back();
      return s;
    }
    for (size_t n = 1 + pick(6); n > 0; --n) s += pick(2) ? kPieces[pick(kPieces.size())] : word();
    return s;
  }

  yaml::Value value(int depth) {
    switch (pick(depth >= 4 ? 8 : 11)) {
      case 0:
        return nullptr;
      case 1:
        return pick(2) == 1;
      case 2:
        return integer();
      case 3:
        return floating();
      case 4:
      case 5:
      case 6:
      case 7:
        return text();
      case 8:
      case 9:
        return mapping(depth + 1);
      default:
        return sequence(depth + 1);
    }
  }

 private:
  std::string word() {
    static const char* kWords[] = {"a",      "bc", "def",   "ghij",  "klmno", "Murcia", "member",
                                   "worker", "x",  "lorem", "ipsum", "dolor", "sit",    "amet"};
    return kWords[pick(sizeof kWords / sizeof *kWords)];
  }

  yaml::Value integer() {
    switch (pick(4)) {
      case 0:
        return int64_t(pick(100));
      case 1:
        return -int64_t(pick(100000));
      case 2:
        return int64_t(std::uniform_int_distribution<int64_t>()(rng_));
      default:
        return uint64_t(std::uniform_int_distribution<uint64_t>()(rng_));
    }
  }

  yaml::Value floating() {
    static const double kSpecial[] = {
        0.0,    -0.0,    1.0,  0.5,    1e16, 1e15,       9999999999999998.0,
        0.0001, 0.00001, 1e-5, 1.5e-7, 1e22, 123456.789, 1e300};
    switch (pick(4)) {
      case 0:
        return kSpecial[pick(sizeof kSpecial / sizeof *kSpecial)];
      case 1:
        return double(int64_t(pick(2000000)) - 1000000) / 1000.0;
      case 2: {
        double d;
        do {
          uint64_t bits = std::uniform_int_distribution<uint64_t>()(rng_);
          std::memcpy(&d, &bits, sizeof d);
        } while (!std::isfinite(d));
        return d;
      }
      default:
        return std::ldexp(double(pick(1000)) + 0.25, int(pick(120)) - 60);
    }
  }

  yaml::Value mapping(int depth) {
    yaml::Value m = yaml::Value::object();
    for (size_t n = pick(7); n > 0; --n) {
      std::string key = pick(3) == 0    ? tricky_scalars()[pick(tricky_scalars().size())]
                        : pick(12) == 0 ? text()
                        : pick(30) == 0 ? std::string(130, 'k')  // too long for a simple key
                                        : word() + std::to_string(pick(50));
      m[key] = value(depth);
    }
    return m;
  }

  yaml::Value sequence(int depth) {
    yaml::Value s = yaml::Value::array();
    for (size_t n = pick(5); n > 0; --n) s.push_back(value(depth));
    return s;
  }

  std::mt19937_64 rng_;
};

// Equal values of equal types (1 is not 1.0), mappings in the same order.
inline bool same(const yaml::Value& a, const yaml::Value& b) {
  if (a.is_number_integer() && b.is_number_integer()) return a == b;
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    auto ia = a.items().begin();
    auto ib = b.items().begin();
    for (; ia != a.items().end(); ++ia, ++ib)
      if (ia.key() != ib.key() || !same(ia.value(), ib.value())) return false;
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

}  // namespace registrar::intercoop::testing
