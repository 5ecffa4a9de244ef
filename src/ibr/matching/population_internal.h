// Helpers shared by population.cpp and population_errors.cpp; not part of the library's API.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "ibr/matching/name_lists.h"

namespace registrar::ibr::matching {

enum List : uint16_t { kFemale = 0, kMale = 1, kFamily = 2 };

std::span<const std::string_view> list_of(const Culture& c, uint16_t list);
// An entry of name_lists is "spelling|spelling|...".
size_t spelling_count(std::string_view entry);
std::string_view spelling(std::string_view entry, size_t k);
std::string location_code(std::string_view country, uint32_t district, uint32_t village);

}  // namespace registrar::ibr::matching
