// YAML 1.1 scalar typing as intercoop 1.0 peers see it (PyYAML's SafeLoader / SafeDumper): which
// type a plain scalar resolves to, the value a scalar of a type holds, and how PyYAML writes
// numbers. Shared by the parser (typing what it reads) and the emitter (quoting a string whose
// plain form would read back as another type). Pure; no YAML library involved.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace registrar::intercoop::yaml {

// Mappings keep their insertion order: the payload's key order is part of the wire format.
using Value = nlohmann::ordered_json;

// A document that is not YAML, or YAML that this dialect cannot turn into a Value.
class YamlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The YAML 1.1 types PyYAML's resolver knows. kMerge is the `<<` key, kValue the `=` scalar
// (which SafeLoader cannot construct).
enum class ScalarType { kStr, kNull, kBool, kInt, kFloat, kTimestamp, kMerge, kValue };

// The type an untagged plain scalar resolves to: PyYAML's implicit resolvers, tried in its order
// (bool, float, int, merge, null, timestamp, value) among those registered for the first
// character. Anything else is kStr.
ScalarType resolve_plain(std::string_view text);

// The value of `text` read as `type`, as SafeConstructor builds it: `01001` → 513, `0x1F`,
// `0b101`, `1:20` (sexagesimal) → 80, `yes` → true, `.inf`, `1_000.5`. Timestamps stay strings
// (their text): JSON has no date type. Throws YamlError when the text does not fit the type (an
// explicit `!!int abc`), an integer beyond 64 bits, or kMerge / kValue.
Value construct(ScalarType type, std::string_view text);

// Python's repr() of a float: the shortest digits that read back, scientific below 1e-4 and from
// 1e16 on ("1e+16", "1.5e-05"), "inf", "nan".
std::string python_repr(double value);

// How PyYAML writes a float: Python's repr() lower-cased, `.0` inserted before an exponent that
// has no fraction (`1.0e+16`), `.inf`, `-.inf`, `.nan`.
std::string python_float_text(double value);

}  // namespace registrar::intercoop::yaml
