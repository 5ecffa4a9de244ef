// Canonical JSON as the DCI signature digests it (docs/dci.md, spec dci-ibr.md §7.3): the bytes
// Python produces with json.dumps(json.loads(text), sort_keys=True, separators=(",", ":")) and
// its default ensure_ascii=True. OpenSPP signs and verifies over exactly that, so every rule of
// Python's reader and writer is reproduced here, including the odd ones:
//
// - Integers are unbounded and kept as their digits ("-0" becomes "0"); like Python 3.11 an
//   integer of more than 4300 digits is refused (int_max_str_digits).
// - Numbers with a fraction or exponent are doubles, written as Python's float repr; overflow
//   gives Infinity / -Infinity, and the literals NaN, Infinity, -Infinity are read and written.
// - Strings keep lone surrogates from \u escapes (a high surrogate escape followed by a low one
//   is one astral code point), held here as WTF-8 so byte order equals code point order.
// - Object keys are sorted by code point; the last of duplicate keys wins.
//
// The input must be UTF-8 without a byte-order mark (Python's json.loads on a str); invalid UTF-8,
// encoded surrogates, raw control characters in strings and nesting deeper than kMaxJsonDepth are
// refused with a message and a byte offset. Nothing here throws on bad input except the
// canonical_json() convenience, whose exception is a core::Error(kInvalidArgument).
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace registrar::dci {

// Python's own limit is its recursion limit (about 1000); 512 is far beyond any DCI message and
// keeps the recursive parser and writer well inside a worker thread's stack.
inline constexpr int kMaxJsonDepth = 512;
// Python 3.11's sys.get_int_max_str_digits() default.
inline constexpr size_t kMaxIntegerDigits = 4300;

// A JSON value as Python's json.loads holds it.
struct JsonValue {
  enum class Kind : unsigned char { kNull, kBool, kInteger, kFloat, kString, kArray, kObject };
  struct Member;

  Kind kind = Kind::kNull;
  bool boolean = false;          // kBool
  double number = 0;             // kFloat
  std::string text;              // kInteger: decimal digits, optional '-'; kString: WTF-8
  std::vector<JsonValue> items;  // kArray
  std::vector<Member> members;   // kObject: unique keys in code point order

  // The member named `key` (UTF-8), or nullptr. Objects only.
  const JsonValue* find(std::string_view key) const;
  bool is_string() const { return kind == Kind::kString; }
  bool is_object() const { return kind == Kind::kObject; }
};

struct JsonValue::Member {
  std::string key;  // WTF-8
  JsonValue value;
};

struct JsonParseError {
  size_t offset = 0;  // byte offset in the input
  std::string message;
};

// Reads one JSON document (surrounding whitespace allowed). nullopt on invalid input, with the
// reason in `error` when given.
std::optional<JsonValue> parse_json(std::string_view text, JsonParseError* error = nullptr);

// The canonical bytes of a value, appended to `out`.
void append_canonical(std::string& out, const JsonValue& value);
std::string to_canonical(const JsonValue& value);

// The canonical bytes of an nlohmann value, as if it had been read from its own dump (integers
// as digits, doubles as Python's repr, keys by code point). For what registrar signs itself.
void append_canonical(std::string& out, const nlohmann::json& value);

// text → canonical text; throws core::Error(kInvalidArgument, "invalid JSON at byte N: ...").
std::string canonical_json(std::string_view text);

// Python's repr() of a double ("1.0", "1e+16", "-0.0", "inf" is never asked for: callers write
// NaN / Infinity / -Infinity as the JSON encoder does).
std::string python_float_repr(double value);

// For callers that want nlohmann's DOM of what was read: integers that fit 64 bits stay integers,
// bigger ones become doubles; lone surrogates become U+FFFD (UTF-8 cannot hold them).
nlohmann::json to_nlohmann(const JsonValue& value);
// A WTF-8 string (JsonValue::text, Member::key) as UTF-8, lone surrogates as U+FFFD.
std::string to_utf8(std::string_view wtf8);

}  // namespace registrar::dci
