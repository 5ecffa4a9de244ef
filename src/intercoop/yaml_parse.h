// Reads YAML as intercoop 1.0's Python peers do (PyYAML's SafeLoader, YAML 1.1): libyaml parses
// (the same C parser PyYAML's CLoader wraps), and yaml_scalar.h types the untagged plain scalars —
// `01001` is 513, `yes` true, an unquoted `1.0` the float 1.0 — while quoted ones stay strings.
// Anchors and aliases, `<<` merge keys and the explicit tags !!str, !!int, !!float, !!bool, !!null,
// !!map, !!seq and !!timestamp are understood.
//
// Where JSON cannot hold what PyYAML would build, this reader decides: timestamps are kept as
// their text, a mapping key must be a string scalar (PyYAML would also accept `yes:` as the key
// True or `1:` as 1; payload fields are names), and integers must fit in 64 bits.
#pragma once

#include <string_view>

#include "intercoop/yaml_scalar.h"

namespace registrar::intercoop::yaml {

// One document (an empty stream is null, as safe_load gives None). Throws YamlError with
// libyaml's problem and position, or with what this dialect refuses.
Value load(std::string_view text);

// load() without its fast path for flat mappings (yaml_parse.cpp): always libyaml. For the tests
// that hold the two to each other.
Value load_general(std::string_view text);

}  // namespace registrar::intercoop::yaml
