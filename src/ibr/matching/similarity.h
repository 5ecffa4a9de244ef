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

// The consonants of a name part with repeats collapsed, a leading vowel kept and spellings of one
// sound unified (c/k/q, ch/sh/s, ph/f; an 'h' after a consonant dropped): "muhammad" and the
// Arabic-script "mhmd" give the same skeleton, as do "cherif" and "shryf". Transliterations of
// one name differ mostly in vowels, which scripts such as Arabic do not write.
std::string consonant_skeleton(std::string_view token);

// The same into a caller's buffer (no allocation: the scorer calls it per candidate); returns
// the length written, at most `capacity`.
size_t consonant_skeleton(std::string_view token, char* out, size_t capacity);

// Best of the spelling and the skeleton similarity (the latter discounted, since it ignores
// vowels).
double token_similarity(std::string_view a, std::string_view b);

// Name parts matched one to one by best similarity (greedy on the best pairs, which is exact for
// the few parts a name has in practice), so swapped order costs nothing; parts one side lacks
// (a missing middle name) cost a little. 0 when either side has no parts.
double name_similarity(std::span<const std::string_view> a, std::span<const std::string_view> b);

// The product of a year factor (1 equal; 0.8 one year apart or the last two digits swapped; 0
// otherwise) and a month/day factor (1 equal; 0.85 day and month swapped; 0.8 a day missing on
// one side; 0 otherwise): 1 for equal dates, 0 for different ones. Negative when either year is
// unknown (the field is then not scored).
double birth_date_similarity(BirthDate a, BirthDate b);

// 1 equal codes; 0.5 the same parent area (equal up to the last '-': another village of the
// same district); 0 otherwise; negative when either is unknown.
double location_similarity(std::string_view a, std::string_view b);

}  // namespace registrar::ibr::matching
