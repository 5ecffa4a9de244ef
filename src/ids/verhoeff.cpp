#include "ids/verhoeff.h"

#include <array>

namespace registrar::ids {

constexpr uint8_t kVerhoeffD[10][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
    {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
    {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
    {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};

constexpr uint8_t kVerhoeffP[8][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
    {8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
    {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};

constexpr uint8_t kVerhoeffInv[10] = {0, 4, 3, 2, 1, 5, 6, 7, 8, 9};

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

// Two steps of the chain in one load: kPairStep[j & 3][10 * left + right][c] is the state after
// the j-th pair from the right (its right digit at position 2j, where P's period of 8 makes the
// position class 2 * (j & 3)). The state is the fastest index so that the loop-carried work
// per pair is one add and one load; the pair's offset comes off the digits, not the chain.
constexpr auto kPairStep = [] {
  std::array<std::array<std::array<uint8_t, 10>, 100>, 4> t{};
  for (unsigned q = 0; q < 4; ++q)
    for (unsigned pair = 0; pair < 100; ++pair)
      for (unsigned c = 0; c < 10; ++c)
        t[q][pair][c] = kVerhoeffD[kVerhoeffD[c][kVerhoeffP[2 * q][pair % 10]]]
                                  [kVerhoeffP[2 * q + 1][pair / 10]];
  return t;
}();

}  // namespace

char verhoeff_check_digit(std::string_view body) {
  return static_cast<char>('0' + kVerhoeffInv[chain(body, 1)]);
}

bool verhoeff_valid(std::string_view full) {
  return chain(full, 0) == 0;
}

bool verhoeff_valid_digits(const uint8_t* d, size_t n) {
  unsigned c = 0;
  size_t i = n, j = 0;
  for (; i >= 2; i -= 2, ++j) c = kPairStep[j & 3][10u * d[i - 2] + d[i - 1]][c];
  if (i == 1) c = kVerhoeffD[c][kVerhoeffP[(n - 1) & 7][d[0]]];
  return c == 0;
}

}  // namespace registrar::ids
