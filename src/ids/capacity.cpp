// Counting admitted IDs.
//
// Why not a plain DP over filter states: most filters are local (a run, a nearby repeat, a
// restricted substring need only the last few digits as state) and the Verhoeff check is a
// 10-element group product, but the repeating-block filter is not local. Its state is the set
// of windows seen so far, which is as large as the prefix itself, so a DP degenerates into
// enumeration. Meet-in-the-middle splits the ID into a left and a right part that overlap by O
// digits, O chosen so that every local pattern fits inside one part and every pair of block
// windows that the parts cannot check themselves is at least the block limit apart (so those
// windows must simply be distinct). Each part is enumerated with prefix pruning (about the
// square root of the work of enumerating whole IDs); rights are bucketed by (overlap digits,
// Verhoeff product) and each left is joined with the one bucket whose product completes its
// own to the identity, testing window-set disjointness with a 128-bit signature and the
// first/last-N rules with stored tags.
#include "ids/capacity.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "ids/verhoeff.h"

namespace registrar::ids {

namespace {

// Depth-first over digit strings of length `len` whose every prefix passes `rules` (all the
// rules given here are closed under extension: once a prefix is rejected, so is every
// extension). Calls fn(std::string_view) per complete string; stops when fn returns false or
// `budget` nodes were visited.
template <class Fn>
bool enumerate(int len, const FilterRules& rules, Fn&& fn, uint64_t* budget = nullptr) {
  char buf[64];
  // Iterative DFS: digit[i] is the next digit to try at depth i.
  int digit[64];
  int depth = 0;
  digit[0] = 0;
  while (depth >= 0) {
    if (digit[depth] > 9) {
      --depth;
      if (depth >= 0) ++digit[depth];
      continue;
    }
    if (budget) {
      if (*budget == 0) return false;
      --*budget;
    }
    buf[depth] = static_cast<char>('0' + digit[depth]);
    std::string_view prefix(buf, depth + 1);
    if (filter_hits(prefix, rules) != 0) {
      ++digit[depth];
      continue;
    }
    if (depth + 1 == len) {
      if (!fn(prefix)) return false;
      ++digit[depth];
      continue;
    }
    ++depth;
    digit[depth] = 0;
  }
  return true;
}

FilterRules without_first_last(FilterRules r) {
  r.first_last_limit = 0;
  r.first_reversed_last_limit = 0;
  return r;
}

uint64_t value_of(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

// Product of Verhoeff elements of `s`, whose last character sits `first_pos` from the right.
unsigned verhoeff_product(std::string_view s, unsigned first_pos) {
  unsigned c = 0, pos = first_pos;
  for (size_t i = s.size(); i-- > 0; ++pos)
    c = kVerhoeffD[c][verhoeff_element(pos, static_cast<unsigned>(s[i] - '0'))];
  return c;
}

uint64_t count_depth_first(const Policy& p, Admission mode) {
  const FilterRules rules = admission_rules(p, mode);
  const FilterRules prefix_rules = without_first_last(rules);
  uint64_t count = 0;
  char full[64];
  enumerate(p.length - 1, prefix_rules, [&](std::string_view body) {
    std::copy(body.begin(), body.end(), full);
    full[body.size()] = verhoeff_check_digit(body);
    if (filter_hits(std::string_view(full, body.size() + 1), rules) == 0) ++count;
    return true;
  });
  return count;
}

struct RightRecord {
  uint64_t bucket;  // overlap value * 10 + Verhoeff product
  uint64_t sig[2];  // window signature (exact when windows < 128)
  uint64_t last_f1, rev_last_f2;
  uint32_t windows_at, windows_n;
};

struct Plan {
  int m = 0, overlap = 0, block = 0, f1 = 0, f2 = 0;
};

std::optional<Plan> plan_for(const Policy& p, const FilterRules& rules) {
  const int L = p.length;
  Plan plan;
  plan.block = rules.repeating_block_limit > 0 && 2 * rules.repeating_block_limit <= L
                   ? rules.repeating_block_limit
                   : 0;
  plan.f1 = rules.first_last_limit > 0 && rules.first_last_limit <= L ? rules.first_last_limit : 0;
  plan.f2 = rules.first_reversed_last_limit > 0 && rules.first_reversed_last_limit <= L
                ? rules.first_reversed_last_limit
                : 0;
  // K: the longest local pattern.
  int k = 1;
  if (rules.sequence_limit > 0) k = std::max(k, rules.sequence_limit);
  if (rules.repeating_limit > 0) k = std::max(k, rules.repeating_limit + 1);
  if (rules.repeating_run_limit > 0) k = std::max(k, rules.repeating_run_limit + 1);
  if (rules.even_digits_limit > 0) k = std::max(k, rules.even_digits_limit);
  for (const auto& r : rules.restricted_numbers) k = std::max(k, static_cast<int>(r.size()));
  if (rules.cyclic_numbers) {
    // A cyclic number that the other (extension-closed) rules reject on its own can never
    // matter, so it need not fit in the overlap: 142857 contains the even run 428.
    FilterRules self = without_first_last(rules);
    self.not_start_with.clear();
    self.cyclic_numbers = false;
    for (auto c : kCyclicNumbers)
      if (c.size() <= static_cast<size_t>(L) && filter_hits(c, self) == 0)
        k = std::max(k, static_cast<int>(c.size()));
  }
  plan.overlap = std::max(k - 1, plan.block > 0 ? 2 * plan.block - 2 : 0);
  int prefix = 0;
  for (const auto& s : rules.not_start_with) prefix = std::max(prefix, static_cast<int>(s.size()));
  const int lo = std::max({plan.overlap, prefix, plan.f1, plan.f2, 1});
  const int hi = std::min(L, L + plan.overlap - std::max(plan.f1, plan.f2));
  if (lo > hi || plan.overlap > 16 || plan.f1 + plan.f2 > 18) return std::nullopt;
  plan.m = std::clamp((L + plan.overlap + 1) / 2, lo, hi);
  return plan;
}

uint64_t count_meet_in_middle(const Policy& p, Admission mode, const Plan& plan) {
  const FilterRules rules = admission_rules(p, mode);
  const FilterRules left_rules = without_first_last(rules);
  FilterRules right_rules = left_rules;
  right_rules.not_start_with.clear();  // the right part is a suffix
  const int L = p.length, O = plan.overlap, N = plan.block, f1 = plan.f1, f2 = plan.f2;
  const int m = plan.m, r = L - m + O;

  std::vector<RightRecord> rights;
  std::vector<uint32_t> windows;
  enumerate(r, right_rules, [&](std::string_view s) {
    RightRecord rec{};
    rec.bucket = value_of(s.substr(0, O)) * 10 + verhoeff_product(s, 0);
    rec.windows_at = static_cast<uint32_t>(windows.size());
    if (N > 0)
      for (int start = O - N + 1; start <= r - N; ++start) {
        const uint64_t w = value_of(s.substr(start, N));
        rec.sig[(w >> 6) & 1] |= uint64_t{1} << (w & 63);
        if (N > 2) windows.push_back(static_cast<uint32_t>(w));
      }
    rec.windows_n = static_cast<uint32_t>(windows.size()) - rec.windows_at;
    if (f1) rec.last_f1 = value_of(s.substr(r - f1));
    if (f2) {
      std::string rev(s.substr(r - f2));
      std::reverse(rev.begin(), rev.end());
      rec.rev_last_f2 = value_of(rev);
    }
    rights.push_back(rec);
    return true;
  });
  std::sort(rights.begin(), rights.end(),
            [](const RightRecord& a, const RightRecord& b) { return a.bucket < b.bucket; });

  uint64_t count = 0;
  std::vector<uint32_t> left_windows;
  enumerate(m, left_rules, [&](std::string_view s) {
    unsigned c = 0;
    for (int k = m - O - 1; k >= 0; --k)
      c = kVerhoeffD[c][verhoeff_element(static_cast<unsigned>(L - 1 - k),
                                         static_cast<unsigned>(s[k] - '0'))];
    const uint64_t bucket = value_of(s.substr(m - O)) * 10 + kVerhoeffInv[c];
    uint64_t sig[2] = {0, 0};
    left_windows.clear();
    if (N > 0)
      for (int start = 0; start < m - O; ++start) {
        const uint64_t w = value_of(s.substr(start, N));
        sig[(w >> 6) & 1] |= uint64_t{1} << (w & 63);
        left_windows.push_back(static_cast<uint32_t>(w));
      }
    const uint64_t first_f1 = f1 ? value_of(s.substr(0, f1)) : 0;
    const uint64_t first_f2 = f2 ? value_of(s.substr(0, f2)) : 0;
    auto lo = std::lower_bound(rights.begin(), rights.end(), bucket,
                               [](const RightRecord& a, uint64_t b) { return a.bucket < b; });
    for (auto it = lo; it != rights.end() && it->bucket == bucket; ++it) {
      if ((sig[0] & it->sig[0]) | (sig[1] & it->sig[1])) {
        if (N <= 2) continue;  // windows < 100: the signature is exact
        bool shared = false;
        for (uint32_t i = 0; i < it->windows_n && !shared; ++i)
          shared = std::find(left_windows.begin(), left_windows.end(),
                             windows[it->windows_at + i]) != left_windows.end();
        if (shared) continue;
      }
      if (f1 && first_f1 == it->last_f1) continue;
      if (f2 && first_f2 == it->rev_last_f2) continue;
      ++count;
    }
    return true;
  });
  return count;
}

// Two-sided normal quantile for a confidence level, by bisection on erf.
double z_for(double confidence) {
  double lo = 0, hi = 10;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    (std::erf(mid / std::sqrt(2.0)) < confidence ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

}  // namespace

uint64_t count_exact(const Policy& p, Admission mode, CountMethod method) {
  if (p.length < 2 || p.length > 18)
    throw core::invalid_argument("exact counting supports lengths 2 to 18", "length");
  if (method != CountMethod::kDepthFirst) {
    if (auto plan = plan_for(p, admission_rules(p, mode)))
      return count_meet_in_middle(p, mode, *plan);
    if (method == CountMethod::kMeetInMiddle)
      throw core::invalid_argument(
          "meet-in-the-middle needs the first/last-digit limits to fit in half the ID", "length");
  }
  return count_depth_first(p, mode);
}

Capacity capacity(const Policy& p, Admission mode, const CapacityOptions& o) {
  Capacity c;
  if (p.length <= o.exact_max_length && p.length <= 18) {
    c.exact = true;
    c.count = c.low = c.high = static_cast<double>(count_exact(p, mode, o.method));
    return c;
  }
  // Monte Carlo over uniformly drawn bodies (check digit appended). splitmix64: statistical
  // quality is all that matters here, and a fixed seed makes reports reproducible.
  const FilterRules rules = admission_rules(p, mode);
  uint64_t state = o.seed;
  auto next = [&] {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  std::string id(static_cast<size_t>(p.length), '0');
  const std::string_view body(id.data(), id.size() - 1);
  for (uint64_t i = 0; i < o.samples; ++i) {
    for (auto& ch : id) ch = static_cast<char>('0' + (next() >> 32) % 10);
    id.back() = verhoeff_check_digit(body);
    if (filter_hits(id, rules) == 0) ++c.hits;
  }
  c.samples = o.samples;
  c.confidence = o.confidence;
  const double n = static_cast<double>(o.samples), ph = static_cast<double>(c.hits) / n;
  const double z = z_for(o.confidence), z2 = z * z;
  const double centre = (ph + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(ph * (1 - ph) / n + z2 / (4 * n * n));
  const double bodies = std::pow(10.0, p.length - 1);
  c.count = ph * bodies;
  c.low = std::max(0.0, centre - half) * bodies;
  c.high = std::min(1.0, centre + half) * bodies;
  return c;
}

std::optional<std::string> find_admitted_id(const Policy& p, Admission mode, uint64_t budget) {
  if (p.length < 2 || p.length > 60) return std::nullopt;
  const FilterRules rules = admission_rules(p, mode);
  std::optional<std::string> found;
  std::string full;
  enumerate(
      p.length - 1, without_first_last(rules),
      [&](std::string_view body) {
        full.assign(body);
        full.push_back(verhoeff_check_digit(body));
        if (filter_hits(full, rules) != 0) return true;
        found = full;
        return false;
      },
      &budget);
  return found;
}

}  // namespace registrar::ids
