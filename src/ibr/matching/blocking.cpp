#include "ibr/matching/blocking.h"

#include <algorithm>
#include <string>

#include "ibr/matching/similarity.h"

namespace registrar::ibr::matching {
namespace {

enum KeyKind : uint64_t { kSkeletonYear = 1, kSkeletonMonthDay = 2, kPrefixYear = 3 };

uint64_t key(KeyKind kind, std::string_view code, uint32_t date_part) {
  const uint64_t seed = (static_cast<uint64_t>(kind) << 32) | date_part;
  return hash_bytes(code.data(), code.size(), seed);
}

void sort_unique_from(std::vector<uint64_t>& keys, size_t first) {
  std::sort(keys.begin() + static_cast<std::ptrdiff_t>(first), keys.end());
  keys.erase(std::unique(keys.begin() + static_cast<std::ptrdiff_t>(first), keys.end()),
             keys.end());
}

}  // namespace

uint64_t hash_bytes(const void* data, size_t size, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ull ^ (seed * 0x9e3779b97f4a7c15ull);
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

void blocking_keys(const PersonView& person, std::vector<uint64_t>& out) {
  const size_t first = out.size();
  const BirthDate& b = person.birth;
  const bool month_day_known = b.month != 0 && b.day != 0;
  const uint32_t month_day =
      month_day_known ? std::min(b.month, b.day) * 32u + std::max(b.month, b.day) : 0;
  for (size_t i = 0; i < person.token_count; ++i) {
    const std::string_view token = person.tokens[i];
    // Initials ("j") would block with everyone of that year.
    if (token.size() < 2) continue;
    out.push_back(key(kPrefixYear, token.substr(0, 3), b.year));
    // A one-letter skeleton ("z" of "zhou", "zhao", "zhu") would make a block of thousands; the
    // prefix key above covers such short parts.
    const std::string skeleton = consonant_skeleton(token);
    if (skeleton.size() < 2) continue;
    out.push_back(key(kSkeletonYear, skeleton, b.year));
    if (month_day_known) out.push_back(key(kSkeletonMonthDay, skeleton, month_day));
  }
  sort_unique_from(out, first);
}

void blocking_query_keys(const PersonView& query, std::vector<uint64_t>& out) {
  const size_t first = out.size();
  blocking_keys(query, out);
  // Candidates that differ in the date are rejected on their slot alone (index.cpp), so these
  // extra lookups are cheap; they find a year typo whenever a (month, day) key cannot (a day
  // missing on either side, or a part spelled differently).
  if (query.birth.year != 0)
    for (size_t i = 0; i < query.token_count; ++i) {
      const std::string_view token = query.tokens[i];
      if (token.size() < 2) continue;
      out.push_back(key(kPrefixYear, token.substr(0, 3), query.birth.year - 1u));
      out.push_back(key(kPrefixYear, token.substr(0, 3), query.birth.year + 1u));
    }
  sort_unique_from(out, first);
}

}  // namespace registrar::ibr::matching
