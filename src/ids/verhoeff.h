// Verhoeff check digit (dihedral group D5), the last digit of UIN, VID and PRID. Table-driven
// and allocation-free: the validators call it on every request, so it must cost a few
// nanoseconds. Callers check "all ASCII digits" first, as MOSIP's callers do; these functions
// assume it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace registrar::ids {

// Verhoeff's group tables. `kVerhoeffD[a][b]` is the D5 product a*b, `kVerhoeffP[i][x]` the
// position permutation applied i times, `kVerhoeffInv[a]` the inverse of a.
extern const uint8_t kVerhoeffD[10][10];
extern const uint8_t kVerhoeffP[8][10];
extern const uint8_t kVerhoeffInv[10];

// The check digit ('0'..'9') to append to `body` (ASCII digits only).
char verhoeff_check_digit(std::string_view body);

// True when `full` (body + check digit, ASCII digits only) carries a valid check digit.
bool verhoeff_valid(std::string_view full);

// verhoeff_valid over digit values (0..9 each, not characters), for callers that have converted
// the ID once already. Walks two digits per table load (see verhoeff.cpp), so the dependent
// chain of loads is half the ID long.
bool verhoeff_valid_digits(const uint8_t* digits, size_t n);

// The group element a digit contributes when it sits `pos_from_right` places from the right of
// the full ID (0 = the check digit). The ID is valid when the product of all elements, taken
// from the rightmost digit, is the identity 0. Capacity counting and generation use this.
inline uint8_t verhoeff_element(unsigned pos_from_right, unsigned digit) {
  return kVerhoeffP[pos_from_right & 7][digit];
}

}  // namespace registrar::ids
