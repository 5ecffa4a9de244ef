// Answering an expression / predicate search item from the duplicate-detection index:
// identifier conditions through the index's exact path, the person's attributes through its
// fuzzy path, merged per beneficiary. Every hit is re-read from the database, so a beneficiary
// deleted since the index last followed the feed is never returned.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "ibr/beneficiary_index.h"
#include "ibr/person_query.h"
#include "ibr/search.h"
#include "store/database.h"

namespace registrar::ibr {

struct PersonHit {
  RecordKey key;
  double score = 0.0;
  uint8_t matched = 0;      // matching::MatchedField bits
  bool identifier = false;  // an identifier condition matched exactly
  matching::MatchLevel level = matching::MatchLevel::kNone;
};

// Every beneficiary holding all the identifier conditions (score 1, confirmed), and every one
// scoring at least the "possible" threshold against the person's attributes (when a name is
// given), best first then by key; at most `limit`.
std::vector<PersonHit> find_person(soci::session& s, BeneficiaryIndex& index,
                                   const PersonQuery& query, size_t limit);

// The page of `item` (page_size, page_number) over the hits: each record as reg_record()
// shapes it plus the registrar-specific member "registrar_match" (docs/compatibility.md):
// {score, level: "confirmed"|"possible", matched_fields: [...], sender_id, reference_id,
// enrollments: [{programme_id, programme_name, status, enrolment_date, end_date}]}.
SearchResult person_search_result(soci::session& s, BeneficiaryIndex& index,
                                  const SearchItem& item);

// Most hits a person search collects before paging (total_count counts at most this many).
inline constexpr size_t kMaxPersonHits = 1000;

}  // namespace registrar::ibr
