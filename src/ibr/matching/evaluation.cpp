#include "ibr/matching/evaluation.h"

#include <algorithm>
#include <unordered_map>

namespace registrar::ibr::matching {

double PairCounts::precision() const {
  const size_t predicted = true_positives + false_positives;
  return predicted ? static_cast<double>(true_positives) / static_cast<double>(predicted) : 1.0;
}

double PairCounts::recall() const {
  const size_t truth = true_positives + false_negatives;
  return truth ? static_cast<double>(true_positives) / static_cast<double>(truth) : 1.0;
}

double PairCounts::f1() const {
  const double p = precision(), r = recall();
  return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

PairCounts evaluate_pairs(std::vector<RecordPair> predicted, std::span<const uint32_t> person_of,
                          const std::vector<bool>& in_scope) {
  auto scoped = [&](uint32_t i) { return in_scope.empty() || in_scope[i]; };
  for (RecordPair& p : predicted)
    if (p.first > p.second) std::swap(p.first, p.second);
  std::sort(predicted.begin(), predicted.end());
  predicted.erase(std::unique(predicted.begin(), predicted.end()), predicted.end());

  PairCounts c;
  for (const RecordPair& p : predicted) {
    if (p.first == p.second || !(scoped(p.first) || scoped(p.second))) continue;
    if (person_of[p.first] == person_of[p.second])
      ++c.true_positives;
    else
      ++c.false_positives;
  }
  // Per person: n records, k of them in scope; the pairs touching the scope are all pairs less
  // those among the records out of scope.
  std::unordered_map<uint32_t, std::pair<size_t, size_t>> sizes;  // person -> (n, k)
  for (uint32_t i = 0; i < person_of.size(); ++i) {
    auto& [n, k] = sizes[person_of[i]];
    ++n;
    k += scoped(i);
  }
  size_t truth = 0;
  for (const auto& [person, nk] : sizes) {
    const auto [n, k] = nk;
    truth += n * (n - 1) / 2 - (n - k) * (n - k - 1) / 2;
  }
  c.false_negatives = truth - c.true_positives;
  return c;
}

}  // namespace registrar::ibr::matching
