#include "ids/filters.h"

#include <algorithm>

namespace registrar::ids {

const std::array<std::string_view, 9> kCyclicNumbers = {
    "142857",
    "0588235294117647",
    "052631578947368421",
    "0434782608695652173913",
    "0344827586206896551724137931",
    "0212765957446808510638297872340425531914893617",
    "0169491525423728813559322033898305084745762711864406779661",
    "016393442622950819672131147540983606557377049180327868852459",
    "010309278350515463917525773195876288659793814432989690721649484536082474226804123711340206185"
    "567",
};

const char* filter_name(FilterBit bit) {
  switch (bit) {
    case kFilterSequence:
      return "sequence";
    case kFilterRepeating:
      return "repeating";
    case kFilterRepeatingRun:
      return "repeating-run";
    case kFilterRepeatingBlock:
      return "repeating-block";
    case kFilterEvenDigits:
      return "conjugative-even-digits";
    case kFilterRestricted:
      return "restricted-numbers";
    case kFilterNotStartWith:
      return "not-start-with";
    case kFilterFirstLast:
      return "digits-limit";
    case kFilterFirstReversedLast:
      return "reverse-digits-limit";
    case kFilterCyclicNumber:
      return "cyclic-number";
  }
  return "unknown";
}

bool has_sequence(std::string_view id, int limit, bool cyclic) {
  if (limit <= 0) return false;
  const int n = static_cast<int>(id.size());
  if (limit == 1) return n > 0;  // every single digit is a substring of "0123456789"
  // MOSIP tests `window in ASC/DESC`. Non-cyclic: a window is in "0123456789" iff its steps are
  // all +1 (length <= 10 follows). Cyclic: steps +1 mod 10, and the window must fit in the
  // 20-character doubled string from the first occurrence of its first digit.
  int up = 1, down = 1;  // length of the +1 / -1 run ending at i
  for (int i = 1; i < n; ++i) {
    const int prev = id[i - 1] - '0', cur = id[i] - '0';
    const bool step_up = cur == prev + 1 || (cyclic && prev == 9 && cur == 0);
    const bool step_down = cur == prev - 1 || (cyclic && prev == 0 && cur == 9);
    up = step_up ? up + 1 : 1;
    down = step_down ? down + 1 : 1;
    if (up >= limit) {
      const int first = id[i - limit + 1] - '0';
      if (!cyclic || first + limit <= 20) return true;
    }
    if (down >= limit) {
      const int first = id[i - limit + 1] - '0';
      if (!cyclic || (9 - first) + limit <= 20) return true;
    }
  }
  return false;
}

bool has_repeating(std::string_view id, int limit) {
  if (limit <= 0) return false;
  int last[10];
  std::fill(std::begin(last), std::end(last), -1000000);
  const int n = static_cast<int>(id.size());
  for (int i = 0; i < n; ++i) {
    const int d = id[i] - '0';
    if (i - last[d] <= limit) return true;
    last[d] = i;
  }
  return false;
}

bool has_repeating_run(std::string_view id, int limit) {
  if (limit <= 0) return false;
  int run = 0;
  for (size_t i = 0; i < id.size(); ++i) {
    run = (i > 0 && id[i] == id[i - 1]) ? run + 1 : 1;
    if (run >= limit + 1) return true;
  }
  return false;
}

bool has_repeating_block(std::string_view id, int limit) {
  if (limit <= 0) return false;
  const int n = static_cast<int>(id.size());
  if (2 * limit > n) return false;
  if (limit <= 3) {
    // Window values fit a 1000-bit set: one pass, window j-limit becomes "seen" when window j
    // (which may not overlap it) is tested.
    uint64_t seen[16];
    const int words = limit == 1 ? 1 : limit == 2 ? 2 : 16;
    std::fill(seen, seen + words, 0);
    auto window = [&](int start) {
      int v = 0;
      for (int k = 0; k < limit; ++k) v = v * 10 + (id[start + k] - '0');
      return v;
    };
    for (int j = limit; j + limit <= n; ++j) {
      const int old = window(j - limit);
      seen[old >> 6] |= uint64_t{1} << (old & 63);
      const int cur = window(j);
      if (seen[cur >> 6] >> (cur & 63) & 1) return true;
    }
    return false;
  }
  for (int j = limit; j + limit <= n; ++j)
    for (int i = 0; i + limit <= j; ++i)
      if (id.compare(i, limit, id, j, limit) == 0) return true;
  return false;
}

bool has_even_run(std::string_view id, int limit) {
  if (limit <= 0) return false;
  int run = 0;
  for (char c : id) {
    const bool even = c == '2' || c == '4' || c == '6' || c == '8';
    run = even ? run + 1 : 0;
    if (run >= limit) return true;
  }
  return false;
}

bool contains_any(std::string_view id, std::span<const std::string> numbers) {
  for (const auto& r : numbers)
    if (id.find(r) != std::string_view::npos) return true;
  return false;
}

bool starts_with_any(std::string_view id, std::span<const std::string> prefixes) {
  for (const auto& p : prefixes)
    if (id.starts_with(p)) return true;
  return false;
}

bool first_equals_last(std::string_view id, int n) {
  if (n <= 0 || static_cast<size_t>(n) > id.size()) return false;
  return id.substr(0, n) == id.substr(id.size() - n);
}

bool first_equals_reversed_last(std::string_view id, int n) {
  if (n <= 0 || static_cast<size_t>(n) > id.size()) return false;
  const size_t len = id.size();
  for (int k = 0; k < n; ++k)
    if (id[k] != id[len - 1 - k]) return false;
  return true;
}

bool has_cyclic_number(std::string_view id) {
  for (auto c : kCyclicNumbers)
    if (c.size() <= id.size() && id.find(c) != std::string_view::npos) return true;
  return false;
}

uint32_t filter_hits(std::string_view id, const FilterRules& r, bool all) {
  uint32_t hits = 0;
  auto hit = [&](bool rejected, FilterBit bit) {
    if (rejected) hits |= bit;
    return hits != 0 && !all;
  };
  if (hit(has_sequence(id, r.sequence_limit, r.cyclic_sequence), kFilterSequence)) return hits;
  if (hit(has_repeating(id, r.repeating_limit), kFilterRepeating)) return hits;
  if (r.repeating_run_limit > 0 &&
      hit(has_repeating_run(id, r.repeating_run_limit), kFilterRepeatingRun))
    return hits;
  if (hit(has_repeating_block(id, r.repeating_block_limit), kFilterRepeatingBlock)) return hits;
  if (hit(has_even_run(id, r.even_digits_limit), kFilterEvenDigits)) return hits;
  if (hit(first_equals_last(id, r.first_last_limit), kFilterFirstLast)) return hits;
  if (hit(first_equals_reversed_last(id, r.first_reversed_last_limit), kFilterFirstReversedLast))
    return hits;
  if (hit(contains_any(id, r.restricted_numbers), kFilterRestricted)) return hits;
  if (hit(starts_with_any(id, r.not_start_with), kFilterNotStartWith)) return hits;
  if (r.cyclic_numbers && hit(has_cyclic_number(id), kFilterCyclicNumber)) return hits;
  return hits;
}

}  // namespace registrar::ids
