#include "ibr/matching/similarity.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdlib>
#include <string>

namespace registrar::ibr::matching {
namespace {

constexpr size_t kMaxTokenLength = 64;  // longer parts are compared on their first 64 letters

bool is_vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

// Below this a pair of name parts counts as not matching at all, so that two unrelated parts do
// not add partial credit to a name.
constexpr double kTokenFloor = 0.75;
// How much a part that only one name has counts against it, relative to a matched part.
constexpr double kExtraPartWeight = 0.5;
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

size_t consonant_skeleton(std::string_view token, char* out, size_t capacity) {
  size_t n = 0;
  char previous_letter = 0;
  for (size_t i = 0; i < token.size() && n < capacity; ++i) {
    char c = token[i];
    const char next = i + 1 < token.size() ? token[i + 1] : 0;
    const char letter = c;
    if (c == previous_letter) continue;  // doubled letters ("mm" / "m")
    previous_letter = letter;
    if (is_vowel(c) && i > 0) continue;
    if ((c == 'c' || c == 's') && next == 'h')
      c = 's';  // ch / sh / s
    else if (c == 'p' && next == 'h')
      c = 'f';  // ph / f
    else if (c == 'c' || c == 'q')
      c = 'k';  // c / k / q
    // 'h' after a consonant only marks aspiration or a digraph ("bh", "kh" vs "k").
    if (c == 'h' && n > 0) continue;
    if (n > 0 && out[n - 1] == c) continue;
    out[n++] = c;
  }
  return n;
}

std::string consonant_skeleton(std::string_view token) {
  char buf[kMaxTokenLength];
  return std::string(buf, consonant_skeleton(token, buf, sizeof buf));
}

double token_similarity(std::string_view a, std::string_view b) {
  const double spelled = jaro_winkler(a, b);
  if (spelled >= 0.97) return spelled;
  char buf_a[kMaxTokenLength], buf_b[kMaxTokenLength];
  const std::string_view sa(buf_a, consonant_skeleton(a, buf_a, sizeof buf_a));
  const std::string_view sb(buf_b, consonant_skeleton(b, buf_b, sizeof buf_b));
  if (sa.empty() || sb.empty()) return spelled;
  // Short skeletons ("hd" for "huda") say little: only an exact agreement counts.
  if (sa.size() < 3 || sb.size() < 3)
    return sa == sb ? std::max(spelled, kSkeletonDiscount * kSkeletonDiscount) : spelled;
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
  // Parts only one side has count half: a missing middle name is common, but "Faith Maina" must
  // not equal "Amina Faith Muriuki" because two of its parts found partners.
  const size_t shorter = std::min(na, nb), longer = std::max(na, nb);
  return total /
         (static_cast<double>(shorter) + kExtraPartWeight * static_cast<double>(longer - shorter));
}

namespace {

double year_factor(int a, int b) {
  if (a == b) return 1.0;
  if (std::abs(a - b) == 1) return 0.8;
  // 1984 written 1948: the last two digits swapped.
  if (a / 100 == b / 100 && a % 10 == (b / 10) % 10 && (a / 10) % 10 == b % 10) return 0.8;
  return 0.0;
}

double month_day_factor(BirthDate a, BirthDate b) {
  if (a.month == b.month && a.day == b.day) return 1.0;
  if (a.day != 0 && b.day != 0) return a.month == b.day && a.day == b.month ? 0.85 : 0.0;
  if (a.month == b.month) return 0.85;           // a day missing on one side
  if (a.month == 0 || b.month == 0) return 0.7;  // only a year on one side
  return 0.0;
}

}  // namespace

double birth_date_similarity(BirthDate a, BirthDate b) {
  if (a.year == 0 || b.year == 0) return -1.0;
  return year_factor(a.year, b.year) * month_day_factor(a, b);
}

double location_similarity(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return -1.0;
  if (a == b) return 1.0;
  const size_t cut_a = a.rfind('-'), cut_b = b.rfind('-');
  if (cut_a == std::string_view::npos || cut_a == 0) return 0.0;
  return cut_a == cut_b && a.substr(0, cut_a) == b.substr(0, cut_b) ? 0.5 : 0.0;
}

}  // namespace registrar::ibr::matching
