#include "ibr/matching/similarity.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdlib>

namespace registrar::ibr::matching {
namespace {

constexpr size_t kMaxTokenLength = 64;  // longer parts are compared on their first 64 letters

bool is_vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

// Below this a pair of name parts counts as not matching at all, so that two unrelated parts do
// not add partial credit to a name.
constexpr double kTokenFloor = 0.75;
// Each part one name has beyond the other costs this share of the name score.
constexpr double kExtraPartPenalty = 0.1;
// Skeletons ignore vowels, so their agreement is worth a little less than the spelling's.
constexpr double kSkeletonDiscount = 0.9;

}  // namespace

double jaro_winkler(std::string_view a, std::string_view b) {
  a = a.substr(0, kMaxTokenLength);
  b = b.substr(0, kMaxTokenLength);
  if (a.empty() || b.empty()) return a.empty() && b.empty() ? 1.0 : 0.0;
  if (a == b) return 1.0;
  const int la = static_cast<int>(a.size()), lb = static_cast<int>(b.size());
  const int window = std::max(0, std::max(la, lb) / 2 - 1);
  std::bitset<kMaxTokenLength> used_a, used_b;
  int matches = 0;
  for (int i = 0; i < la; ++i) {
    for (int j = std::max(0, i - window); j <= std::min(lb - 1, i + window); ++j) {
      if (used_b[j] || a[i] != b[j]) continue;
      used_a[i] = used_b[j] = true;
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0.0;
  int half_transpositions = 0;
  for (int i = 0, j = 0; i < la; ++i) {
    if (!used_a[i]) continue;
    while (!used_b[j]) ++j;
    if (a[i] != b[j]) ++half_transpositions;
    ++j;
  }
  const double m = matches;
  const double jaro = (m / la + m / lb + (m - half_transpositions / 2.0) / m) / 3.0;
  int prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix]) ++prefix;
  return jaro + prefix * 0.1 * (1.0 - jaro);
}

std::string consonant_skeleton(std::string_view token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    const char c = token[i];
    if (is_vowel(c) && i > 0) continue;
    // 'h' after a consonant only marks aspiration or a digraph ("bh", "kh", "sh" vs "s"):
    // transliterations disagree on it.
    if (c == 'h' && !out.empty()) continue;
    if (i > 0 && token[i - 1] == c) continue;  // doubled letters ("mm" / "m")
    out.push_back(c);
  }
  return out;
}

double token_similarity(std::string_view a, std::string_view b) {
  const double spelled = jaro_winkler(a, b);
  if (spelled >= 0.97) return spelled;
  const std::string sa = consonant_skeleton(a), sb = consonant_skeleton(b);
  // One- or two-letter skeletons ("l" for "ali", "eli", "ola") say too little to trust.
  if (sa.size() < 3 || sb.size() < 3) return spelled;
  return std::max(spelled, kSkeletonDiscount * jaro_winkler(sa, sb));
}

double name_similarity(std::span<const std::string_view> a, std::span<const std::string_view> b) {
  if (a.empty() || b.empty()) return 0.0;
  struct Pair {
    double sim;
    uint8_t i, j;
  };
  std::array<Pair, kMaxNameTokens * kMaxNameTokens> pairs;
  size_t n = 0;
  const size_t na = std::min(a.size(), kMaxNameTokens), nb = std::min(b.size(), kMaxNameTokens);
  for (size_t i = 0; i < na; ++i)
    for (size_t j = 0; j < nb; ++j) {
      const double s = token_similarity(a[i], b[j]);
      if (s >= kTokenFloor) pairs[n++] = {s, static_cast<uint8_t>(i), static_cast<uint8_t>(j)};
    }
  std::sort(pairs.begin(), pairs.begin() + n,
            [](const Pair& x, const Pair& y) { return x.sim > y.sim; });
  uint32_t taken_a = 0, taken_b = 0;
  double total = 0.0;
  for (size_t k = 0; k < n; ++k) {
    const Pair& p = pairs[k];
    if ((taken_a >> p.i & 1u) || (taken_b >> p.j & 1u)) continue;
    taken_a |= 1u << p.i;
    taken_b |= 1u << p.j;
    total += p.sim;
  }
  const size_t shorter = std::min(na, nb), longer = std::max(na, nb);
  const double matched = total / static_cast<double>(shorter);
  return matched * (1.0 - kExtraPartPenalty * static_cast<double>(longer - shorter) /
                              static_cast<double>(longer));
}

namespace {

// Two years that differ in exactly one decimal digit (1984 / 1948 is a swap, not this).
bool one_digit_apart(int x, int y) {
  int differing = 0;
  for (int k = 0; k < 4; ++k, x /= 10, y /= 10) differing += (x % 10) != (y % 10);
  return differing == 1;
}

}  // namespace

double birth_date_similarity(BirthDate a, BirthDate b) {
  if (a.year == 0 || b.year == 0) return -1.0;
  if (a == b) return 1.0;
  const bool same_year = a.year == b.year;
  const bool days_known = a.day != 0 && b.day != 0;
  if (same_year && days_known && a.month == b.day && a.day == b.month) return 0.85;
  if (same_year && a.month == b.month && !days_known) return a.month != 0 ? 0.85 : 0.7;
  if (same_year && (a.month == 0 || b.month == 0)) return 0.7;
  if (a.month == b.month && a.day == b.day &&
      (one_digit_apart(a.year, b.year) || std::abs(a.year - b.year) == 1))
    return 0.75;
  return 0.0;
}

double location_similarity(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return -1.0;
  if (a == b) return 1.0;
  const std::string_view top_a = a.substr(0, a.find('-')), top_b = b.substr(0, b.find('-'));
  return top_a == top_b ? 0.5 : 0.0;
}

}  // namespace registrar::ibr::matching
