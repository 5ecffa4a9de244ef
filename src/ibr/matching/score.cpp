#include "ibr/matching/score.h"

#include <span>

#include "ibr/matching/similarity.h"

namespace registrar::ibr::matching {
namespace {

constexpr double kFieldAgrees = 0.8;

}  // namespace

PersonView view_of(const Person& p) {
  PersonView v;
  for (const std::string& t : p.name_tokens) {
    if (v.token_count == kMaxNameTokens) break;
    v.tokens[v.token_count++] = t;
  }
  v.birth = p.birth;
  v.sex = p.sex;
  v.location = p.location;
  return v;
}

MatchScore score(const PersonView& a, const PersonView& b, const ScoreWeights& w, double floor) {
  MatchScore out;
  double weighted = 0.0, weights = 0.0;
  // A field unknown on either side is left out of the mean rather than counted as a
  // disagreement: registries differ in what they collect.
  auto add = [&](double similarity, double weight, MatchedField field) {
    if (similarity < 0.0) return;
    weighted += weight * similarity;
    weights += weight;
    if (similarity >= kFieldAgrees) out.matched |= field;
  };
  add(birth_date_similarity(a.birth, b.birth), w.birth_date, kFieldBirthDate);
  if (a.sex != Sex::kUnknown && b.sex != Sex::kUnknown)
    add(a.sex == b.sex ? 1.0 : 0.0, w.sex, kFieldSex);
  add(location_similarity(a.location, b.location), w.location, kFieldLocation);
  if ((weighted + w.name) / (weights + w.name) < floor) return MatchScore{};
  // The name is always scored (0 when either side has none), so weights is never 0 here.
  add(name_similarity(std::span(a.tokens.data(), a.token_count),
                      std::span(b.tokens.data(), b.token_count)),
      w.name, kFieldName);
  out.score = weighted / weights;
  return out;
}

MatchLevel classify(double score, const Thresholds& t) {
  if (score >= t.confirmed) return MatchLevel::kConfirmed;
  if (score >= t.possible) return MatchLevel::kPossible;
  return MatchLevel::kNone;
}

std::vector<std::string> matched_field_names(uint8_t matched) {
  std::vector<std::string> names;
  if (matched & kFieldName) names.emplace_back("name");
  if (matched & kFieldBirthDate) names.emplace_back("birth_date");
  if (matched & kFieldSex) names.emplace_back("sex");
  if (matched & kFieldLocation) names.emplace_back("location");
  return names;
}

const char* match_level_name(MatchLevel l) {
  switch (l) {
    case MatchLevel::kConfirmed:
      return "confirmed";
    case MatchLevel::kPossible:
      return "possible";
    case MatchLevel::kNone:
      break;
  }
  return "none";
}

}  // namespace registrar::ibr::matching
