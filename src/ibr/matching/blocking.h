// Blocking keys: a record is only scored against records that share at least one key, which
// keeps a fuzzy search to a few hundred candidates among millions.
#pragma once

#include <cstdint>
#include <vector>

#include "ibr/matching/person.h"

namespace registrar::ibr::matching {

// Several keys per record so that one error does not lose a true match: for each name part, its
// consonant skeleton with the birth year, the same skeleton with the unordered (month, day) pair,
// and its first three letters with the birth year. Then
//   - a typo, a transliteration variant or a missing part spoils the keys of one part only;
//   - a swapped name order changes nothing (keys are per part);
//   - a day/month swap or a missing day keeps the year keys, a year typo keeps the (month, day)
//     keys.
// Appends to `out` (duplicates removed); the values are 64-bit hashes.
void blocking_keys(const PersonView& person, std::vector<uint64_t>& out);

// The keys a query looks up: blocking_keys() plus the first-three-letters keys of the years
// either side of the query's, so that a year typo is found even where no (month, day) key is
// shared. Costs lookups, not index memory.
void blocking_query_keys(const PersonView& query, std::vector<uint64_t>& out);

// FNV-1a then a final avalanche, so that the low bits used for bucket selection are well mixed.
uint64_t hash_bytes(const void* data, size_t size, uint64_t seed = 0);

}  // namespace registrar::ibr::matching
