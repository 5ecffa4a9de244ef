// A validator's filter group compiled, once per policy, into tables that a single pass over the
// ID's digits can probe. filter_hits() runs each primitive filter over the string in turn; this
// gives the same bits (filter_hits(id, rules, true)) at a fraction of the cost, which is what
// lets in-process validation reach its target of 10 million UINs/s per core.
//
// Every filter except the repeating block and not-start-with is *local*: it matches a substring
// no longer than some K (a run of sequence-limit digits, a digit recurring within
// repeating-limit + 1 digits, a restricted number, ...). So for an ID of at least K digits,
// such a filter matches the ID exactly when it matches one of its K-digit windows, and a table
// indexed by the window's value holds the bits of every local filter at once. The block filter
// keeps a bit set of the B-digit windows seen so far; not-start-with and restricted numbers too
// long for the table test the string directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ids/filters.h"

namespace registrar::ids {

class FilterScan {
 public:
  // Longest ID the scan handles (policies stop at 36 digits; longer input is a length error).
  static constexpr size_t kMaxDigits = 64;

  explicit FilterScan(const FilterRules& rules);

  // True when hits() answers for an ID of n digits. False for rules the scan does not compile
  // (windows longer than kMaxWindow, block limits over 3, generator-only rules) and for IDs
  // shorter than the window; callers then use filter_hits.
  bool covers(size_t n) const { return usable_ && n >= window_ && n <= kMaxDigits; }

  // filter_hits(id, rules, true): every FilterBit of the rules that rejects `id`, given its
  // digit values (digits[i] == id[i] - '0', all 0..9). Requires covers(id.size()).
  uint32_t hits(std::string_view id, const uint8_t* digits) const;

 private:
  // 10^4 one-byte entries (10 KB) is the most worth keeping next to the hot loop.
  static constexpr size_t kMaxWindow = 4;

  bool usable_ = false;
  size_t window_ = 1;                         // K
  std::vector<uint8_t> window_bits_;          // 10^K entries: local FilterBits of that window
  size_t block_ = 0;                          // repeating block limit B (0 = off), at most 3
  std::vector<std::string> long_restricted_;  // restricted numbers longer than K
  std::vector<std::string> not_start_with_;
};

}  // namespace registrar::ids
