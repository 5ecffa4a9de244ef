// The fuzzy score of two people: a weighted mean of the field similarities (similarity.h) over
// the fields both sides know, with the fields that agreed. Exact identifier matching is a
// separate path (MatchIndex::find_by_identifier), not part of this score.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ibr/matching/person.h"

namespace registrar::ibr::matching {

enum MatchedField : uint8_t {
  kFieldName = 1 << 0,
  kFieldBirthDate = 1 << 1,
  kFieldSex = 1 << 2,
  kFieldLocation = 1 << 3,
};

// Names dominate; the birth date and the place are what tell namesakes apart (a second
// enrolment of one person is mostly in the same village or district); sex only confirms.
struct ScoreWeights {
  double name = 0.50;
  double birth_date = 0.30;
  double sex = 0.05;
  double location = 0.15;
};

struct Thresholds {
  double confirmed = 0.90;
  double possible = 0.82;  // best F1 on the 1,000,000-record bench (docs/ibr-matching.md)
};

enum class MatchLevel : uint8_t { kNone, kPossible, kConfirmed };

struct MatchScore {
  double score = 0.0;   // in [0, 1]; 1 for identical records
  uint8_t matched = 0;  // MatchedField bits of the fields that agreed (similarity >= 0.8)
};

// Symmetric: score(a, b) == score(b, a). When even a perfect name could not lift the score to
// `floor`, the names are not compared and the score returned is 0 (most blocking candidates
// share a name part and a year but not the date; this skips their name comparison).
MatchScore score(const PersonView& a, const PersonView& b, const ScoreWeights& w = {},
                 double floor = 0.0);

MatchLevel classify(double score, const Thresholds& t);
// "confirmed", "possible" or "none", as the APIs write a level.
const char* match_level_name(MatchLevel l);

// "name", "birth_date", "sex", "location": the DCI-facing names of the matched fields.
std::vector<std::string> matched_field_names(uint8_t matched);

}  // namespace registrar::ibr::matching
