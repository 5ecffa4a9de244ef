// How many IDs a policy admits. Exact for lengths up to 12 digits, by meet-in-the-middle over
// the digit automaton (see capacity.cpp for why a plain DP over filter states does not work
// here); beyond that a Monte Carlo estimate with a Wilson confidence interval.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ids/policy.h"

namespace registrar::ids {

enum class CountMethod {
  kAuto,          // meet-in-the-middle when the policy's shape allows it, else depth-first
  kMeetInMiddle,  // throws core::Error(kInvalidArgument) when the shape does not allow it
  kDepthFirst,    // depth-first over the digits with prefix pruning (fine up to ~9 digits)
};

struct CapacityOptions {
  int exact_max_length = 12;
  uint64_t samples = 2'000'000;  // Monte Carlo draws beyond exact_max_length
  double confidence = 0.99;      // of the interval [low, high]
  uint64_t seed = 0x5eed;        // estimates are reproducible
  CountMethod method = CountMethod::kAuto;
};

struct Capacity {
  bool exact = false;
  double count = 0;  // exact count, or the point estimate
  double low = 0;    // interval (== count when exact)
  double high = 0;
  double confidence = 1.0;
  uint64_t samples = 0;  // Monte Carlo draws (0 when exact)
  uint64_t hits = 0;     // of which admitted
};

Capacity capacity(const Policy& p, Admission mode = Admission::kIssuable,
                  const CapacityOptions& options = {});

// Exact count of IDs of length p.length that `mode` admits (length <= 18).
uint64_t count_exact(const Policy& p, Admission mode, CountMethod method = CountMethod::kAuto);

// Smallest admitted ID in lexicographic order, or nullopt when none is found within `budget`
// search nodes (a policy that sparse is unusable anyway). Used by validate_policy.
std::optional<std::string> find_admitted_id(const Policy& p, Admission mode,
                                            uint64_t budget = 2'000'000);

}  // namespace registrar::ids
