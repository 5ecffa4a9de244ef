// The primitive ID filters of MOSIP's UIN / VID / PRID generators and validators, with their
// exact semantics (spec §2.1). Every filter reads the full ID *including* the check digit and
// returns true for "reject". All of them assume ASCII digits (callers check that first) and
// allocate nothing: the validators run them on every request.
//
// A limit <= 0 switches a filter off. MOSIP's VID/PRID code does the same; its UIN code has no
// guard and fails on an absent property, which we turn into explicit, validated defaults.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace registrar::ids {

// Which primitive filter matched, as bits (an ID can break several).
enum FilterBit : uint32_t {
  kFilterSequence = 1u << 0,           // ascending/descending run of sequence-limit digits
  kFilterRepeating = 1u << 1,          // same digit again within repeating-limit places (1.2)
  kFilterRepeatingRun = 1u << 2,       // repeating-limit+1 equal consecutive digits (1.3 UIN)
  kFilterRepeatingBlock = 1u << 3,     // a block of repeating-block-limit digits occurs again
  kFilterEvenDigits = 1u << 4,         // conjugative-even-digits-limit digits from {2,4,6,8}
  kFilterRestricted = 1u << 5,         // contains a restricted number
  kFilterNotStartWith = 1u << 6,       // starts with a not-start-with prefix
  kFilterFirstLast = 1u << 7,          // first digits-limit digits == last ones
  kFilterFirstReversedLast = 1u << 8,  // first reverse-digits-limit digits == reversed last ones
  kFilterCyclicNumber = 1u << 9,       // contains 142857 or another cyclic number (generator)
};

// Human-readable name of one bit ("sequence", "repeating-block", ...).
const char* filter_name(FilterBit bit);

// The cyclic numbers the UIN generator rejects (1/7, 1/17, 1/19, ... periods).
extern const std::array<std::string_view, 9> kCyclicNumbers;

// ---- primitive filters (true = reject) ----

// Some window of `limit` digits is a run of +1 or -1 steps. `cyclic` lets the run wrap 9->0 /
// 0->9, as the UIN generator's doubled strings "0123456789 0123456789" do; validators don't.
bool has_sequence(std::string_view id, int limit, bool cyclic);
// 1.2 rule, regex (\d)\d{0,N-1}\1: one digit occurs twice at distance 1..limit.
bool has_repeating(std::string_view id, int limit);
// 1.3 UIN validator rule, regex ([0-9])\1{N}: limit+1 equal consecutive digits.
bool has_repeating_run(std::string_view id, int limit);
// regex (\d{N,}).*?\1: a window of `limit` digits at i reappears at some j >= i + limit.
bool has_repeating_block(std::string_view id, int limit);
// regex [2468]{N}: `limit` consecutive digits from {2,4,6,8} (0 does not count as even).
bool has_even_run(std::string_view id, int limit);
bool contains_any(std::string_view id, std::span<const std::string> numbers);
bool starts_with_any(std::string_view id, std::span<const std::string> prefixes);
// First n == last n. Off when n <= 0 or n > length (MOSIP would throw there).
bool first_equals_last(std::string_view id, int n);
// First n == reverse(last n). Same guard.
bool first_equals_reversed_last(std::string_view id, int n);
// Contains a cyclic number no longer than the ID.
bool has_cyclic_number(std::string_view id);

// A combination of primitive filters with their parameters. The validators' "filter" group
// and the generator's acceptance test are both a FilterRules; see policy.h for how they are
// derived from a Policy.
struct FilterRules {
  int sequence_limit = 0;
  bool cyclic_sequence = false;
  int repeating_limit = 0;      // 1.2 rule
  int repeating_run_limit = 0;  // 1.3 rule
  int repeating_block_limit = 0;
  int even_digits_limit = 0;
  int first_last_limit = 0;
  int first_reversed_last_limit = 0;
  bool cyclic_numbers = false;
  std::vector<std::string> restricted_numbers;
  std::vector<std::string> not_start_with;
};

// Bits of the filters in `rules` that reject `id` (ASCII digits). With `all == false` it stops
// at the first hit, in MOSIP's generator order: sequence, repeating, block, even, first/last,
// reversed, restricted, not-start-with, cyclic numbers.
uint32_t filter_hits(std::string_view id, const FilterRules& rules, bool all = false);

// True when every character is an ASCII digit '0'..'9' (the only digits we accept).
inline bool all_ascii_digits(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c - '0') > 9) return false;
  return true;
}

}  // namespace registrar::ids
