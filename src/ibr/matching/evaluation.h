// Precision, recall and F1 of predicted duplicate pairs against the ground truth of a synthetic
// population (which records belong to one person).
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace registrar::ibr::matching {

struct PairCounts {
  size_t true_positives = 0, false_positives = 0, false_negatives = 0;
  [[nodiscard]] double precision() const;
  [[nodiscard]] double recall() const;
  [[nodiscard]] double f1() const;
};

using RecordPair = std::pair<uint32_t, uint32_t>;  // record indexes, in either order

// `person_of[i]` is the true person of record i. A predicted pair is right when both records
// are the same person; every pair of records of one person is a pair to find. Predicted pairs
// may repeat and come in either order.
//
// `in_scope`, when not empty, evaluates a sample: only records with in_scope[i] were queried,
// so only pairs with at least one such record count (predicted or true).
PairCounts evaluate_pairs(std::vector<RecordPair> predicted, std::span<const uint32_t> person_of,
                          const std::vector<bool>& in_scope = {});

}  // namespace registrar::ibr::matching
