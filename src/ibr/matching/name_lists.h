// Small name lists for the synthetic population, written for this project (common names, no
// dataset copied). Each entry is "spelling|spelling|...": the first is how the name is written
// in the culture's own script, the rest are Latin spellings clerks use for it.
#pragma once

#include <span>
#include <string_view>

namespace registrar::ibr::matching {

struct Culture {
  std::string_view country;  // prefix of the location codes
  std::span<const std::string_view> female, male, family;
  bool family_first;           // Chinese: family name written first
  bool patronymic_family;      // Ethiopian: the "family" parts are the father's given names
  bool two_family_names;       // Latin American: paternal and maternal surnames
  double native_script_share;  // how often a record is written in the native script
};

std::span<const Culture> cultures();

}  // namespace registrar::ibr::matching
