#include "ids/filter_scan.h"

#include <algorithm>

namespace registrar::ids {

namespace {

uint32_t pow10(size_t k) {
  uint32_t p = 1;
  while (k-- > 0) p *= 10;
  return p;
}

// The local filters' bits must fit the table's bytes.
static_assert((kFilterSequence | kFilterRepeating | kFilterRepeatingRun | kFilterEvenDigits |
               kFilterRestricted) <= 0xff);

}  // namespace

FilterScan::FilterScan(const FilterRules& r) {
  // Generator-only rules (first/last digits, cyclic numbers) are not in any validator's group;
  // they would also break the "first hit is the lowest bit" order validators rely on.
  if (r.first_last_limit > 0 || r.first_reversed_last_limit > 0 || r.cyclic_numbers) return;
  if (r.repeating_block_limit > 3) return;  // window values would not fit a small bit set
  // K: the longest substring any local filter's match needs.
  size_t k = 1;
  auto need = [&](int len) {
    if (len > 0) k = std::max(k, static_cast<size_t>(len));
  };
  need(r.sequence_limit);
  if (r.repeating_limit > 0) need(r.repeating_limit + 1);  // same digit within limit places
  if (r.repeating_run_limit > 0) need(r.repeating_run_limit + 1);
  need(r.even_digits_limit);
  if (k > kMaxWindow) return;
  window_ = k;

  // Restricted numbers that fit a window are table entries; longer ones are searched for.
  std::vector<std::string> short_restricted;
  for (const auto& e : r.restricted_numbers)
    (e.size() <= k ? short_restricted : long_restricted_).push_back(e);

  // Each entry runs the primitive filters themselves on the window's digits, so the table
  // cannot drift from filters.cpp.
  window_bits_.resize(pow10(k));
  char text[kMaxWindow];
  for (uint32_t w = 0; w < window_bits_.size(); ++w) {
    uint32_t v = w;
    for (size_t i = k; i-- > 0; v /= 10) text[i] = static_cast<char>('0' + v % 10);
    const std::string_view s(text, k);
    uint32_t bits = 0;
    if (has_sequence(s, r.sequence_limit, r.cyclic_sequence)) bits |= kFilterSequence;
    if (has_repeating(s, r.repeating_limit)) bits |= kFilterRepeating;
    if (has_repeating_run(s, r.repeating_run_limit)) bits |= kFilterRepeatingRun;
    if (has_even_run(s, r.even_digits_limit)) bits |= kFilterEvenDigits;
    if (contains_any(s, short_restricted)) bits |= kFilterRestricted;
    window_bits_[w] = static_cast<uint8_t>(bits);
  }
  block_ = r.repeating_block_limit > 0 ? static_cast<size_t>(r.repeating_block_limit) : 0;
  not_start_with_ = r.not_start_with;
  usable_ = true;
}

namespace {

// Value of the k-digit window at d[i..i+k). With k a constant the loop unrolls, and the
// windows are independent of each other, so their loads and lookups overlap (a rolling value
// would chain every window to the previous one).
template <size_t K>
uint32_t window_at(const uint8_t* d, size_t i) {
  uint32_t w = 0;
  for (size_t k = 0; k < K; ++k) w = w * 10 + d[i + k];
  return w;
}

template <size_t K>
uint32_t local_bits(const uint8_t* table, const uint8_t* d, size_t n) {
  uint32_t bits = 0;
  for (size_t i = 0; i + K <= n; ++i) bits |= table[window_at<K>(d, i)];
  return bits;
}

// Repeating block: the B-digit window at j repeats an earlier one that ends before j. Window
// j - B becomes "seen" just as window j is tested, so overlapping windows never compare.
template <size_t B>
bool block_repeats(const uint8_t* d, size_t n) {
  if (2 * B > n) return false;
  uint64_t repeat = 0;
  if constexpr (B <= 2) {
    // At most 100 values: the set lives in two registers, free of the store-to-load latency
    // a set in memory puts between marking one window and testing the next.
    uint64_t low = 0, high = 0;
    for (size_t j = B; j + B <= n; ++j) {
      const uint32_t old = window_at<B>(d, j - B), cur = window_at<B>(d, j);
      // Word choice by masks: a compiler turns `?:` here into branches that mispredict.
      const uint64_t bit = uint64_t{1} << (old & 63), old_high = 0 - uint64_t{old >> 6};
      low |= bit & ~old_high;
      high |= bit & old_high;
      const uint64_t cur_high = 0 - uint64_t{cur >> 6};
      repeat |= ((low & ~cur_high) | (high & cur_high)) >> (cur & 63);
    }
  } else {
    uint64_t seen[(1000 + 63) / 64] = {};
    for (size_t j = B; j + B <= n; ++j) {
      const uint32_t old = window_at<B>(d, j - B), cur = window_at<B>(d, j);
      seen[old >> 6] |= uint64_t{1} << (old & 63);
      repeat |= seen[cur >> 6] >> (cur & 63);
    }
  }
  return repeat & 1;
}

}  // namespace

uint32_t FilterScan::hits(std::string_view id, const uint8_t* d) const {
  const size_t n = id.size();
  const uint8_t* table = window_bits_.data();
  // One switch per ID (always the same way for a validator) buys unrolled constant windows.
  static_assert(kMaxWindow == 4);
  uint32_t bits = window_ == 1   ? local_bits<1>(table, d, n)
                  : window_ == 2 ? local_bits<2>(table, d, n)
                  : window_ == 3 ? local_bits<3>(table, d, n)
                                 : local_bits<4>(table, d, n);
  const bool block = block_ == 1   ? block_repeats<1>(d, n)
                     : block_ == 2 ? block_repeats<2>(d, n)
                     : block_ == 3 ? block_repeats<3>(d, n)
                                   : false;
  if (block) bits |= kFilterRepeatingBlock;
  if (!long_restricted_.empty() && contains_any(id, long_restricted_)) bits |= kFilterRestricted;
  if (!not_start_with_.empty() && starts_with_any(id, not_start_with_)) bits |= kFilterNotStartWith;
  return bits;
}

}  // namespace registrar::ids
