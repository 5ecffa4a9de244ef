// String and field similarities in [0, 1] used by the scorer (score.h). Inputs are normalised
// lower-case ASCII name parts (normalize.h).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "ibr/matching/person.h"

namespace registrar::ibr::matching {

// Jaro-Winkler: tolerant of a typo, a transposition or a dropped letter, and rewards a shared
// start, which is where names written by different clerks agree most.
double jaro_winkler(std::string_view a, std::string_view b);

// The consonants of a name part with repeats collapsed and a leading vowel kept ("muhammad" and
// the Arabic-script "mhmd" both give "mhmd"): transliterations of one name differ mostly in
// vowels, which scripts such as Arabic do not write.
std::string consonant_skeleton(std::string_view token);

// Best of the spelling and the skeleton similarity (the latter discounted, since it ignores
// vowels).
double token_similarity(std::string_view a, std::string_view b);

// Name parts matched one to one by best similarity (greedy on the best pairs, which is exact for
// the few parts a name has in practice), so swapped order costs nothing; parts one side lacks
// (a missing middle name) cost a little. 0 when either side has no parts.
double name_similarity(std::span<const std::string_view> a, std::span<const std::string_view> b);

// 1 equal; high for a day/month swap, a missing day or a one-digit year slip with the rest equal;
// 0 otherwise. Negative when either date is entirely unknown (the field is then not scored).
double birth_date_similarity(BirthDate a, BirthDate b);

// 1 equal codes; 0.5 same top-level area (the code's part before the first '-'); 0 otherwise;
// negative when either is unknown.
double location_similarity(std::string_view a, std::string_view b);

}  // namespace registrar::ibr::matching
