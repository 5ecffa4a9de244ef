// PyYAML's implicit resolver patterns (resolver.py) as hand-written matchers: the same languages
// as its regular expressions, without std::regex's cost on every scalar of every request (the
// regexes took most of a payload's parse time). yaml_patterns_test checks them against the
// original expressions on random text.
#pragma once

#include <string_view>

namespace registrar::intercoop::yaml::patterns {

// yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
bool is_bool(std::string_view s);
// [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9][0-9_]*([eE][-+][0-9]+)?
// | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
bool is_float(std::string_view s);
// [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
// | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+
bool is_int(std::string_view s);
// [0-9]{4}-[0-9]{2}-[0-9]{2}
// | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?
//   ([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?
bool is_timestamp(std::string_view s);

}  // namespace registrar::intercoop::yaml::patterns
