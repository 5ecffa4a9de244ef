// Writes a Value as intercoop 1.0's Python peers do: PyYAML's SafeDumper with
// default_flow_style=False, allow_unicode=True, no key sorting, and yamlns' literal `|` style for
// strings with a newline (spec §1.3). Byte for byte the same text for the same value, so that the
// spec's payloads and their signatures reproduce: mappings in insertion order, block style,
// sequences in a mapping not indented, `[]` / `{}` when empty, strings quoted when their plain form
// would read back as another YAML 1.1 type ('01001', 'yes', '1.0', '') or starts with an
// indicator, lines wrapped at 80 columns at spaces.
#pragma once

#include <string>

#include "intercoop/yaml_scalar.h"

namespace registrar::intercoop::yaml {

// Throws YamlError when a string is not valid UTF-8 (PyYAML only writes text).
std::string dump(const Value& value);

}  // namespace registrar::intercoop::yaml
