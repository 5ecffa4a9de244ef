#include "ids/verhoeff.h"

namespace registrar::ids {

const uint8_t kVerhoeffD[10][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
                                    {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
                                    {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
                                    {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
                                    {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};

const uint8_t kVerhoeffP[8][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
                                   {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
                                   {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
                                   {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};

const uint8_t kVerhoeffInv[10] = {0, 4, 3, 2, 1, 5, 6, 7, 8, 9};

namespace {

// Product of the elements of `s`, where the last character of `s` sits `first_pos` places
// from the right of the full ID.
inline unsigned chain(std::string_view s, unsigned first_pos) {
  unsigned c = 0;
  unsigned pos = first_pos;
  for (size_t i = s.size(); i-- > 0; ++pos)
    c = kVerhoeffD[c][kVerhoeffP[pos & 7][static_cast<unsigned>(s[i] - '0')]];
  return c;
}

}  // namespace

char verhoeff_check_digit(std::string_view body) {
  return static_cast<char>('0' + kVerhoeffInv[chain(body, 1)]);
}

bool verhoeff_valid(std::string_view full) {
  return chain(full, 0) == 0;
}

}  // namespace registrar::ids
