#include "ids/issuance.h"

#include <cstdio>

#include "core/error.h"
#include "ids/verhoeff.h"

namespace registrar::ids {

namespace {

uint64_t pow10(int n) {
  uint64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

// Bodies below offset start with a digit no issuable ID may start with (0 and 1 for the UIN):
// leaving them out of the permutation's domain saves a fifth of the wasted draws.
uint64_t body_offset(const Policy& p, const FilterRules& rules) {
  int first = 0;
  auto forbidden = [&](int d) {
    for (const auto& s : rules.not_start_with)
      if (s.size() == 1 && s[0] == '0' + d) return true;
    return false;
  };
  while (first < 10 && forbidden(first)) ++first;
  if (first == 10) throw core::invalid_argument("the policy forbids every first digit");
  return static_cast<uint64_t>(first) * pow10(p.length - 2);
}

uint64_t checked_domain(const Policy& p, const FilterRules& rules) {
  if (p.length < 2 || p.length > 19)
    throw core::invalid_argument("IDs can be generated with 2 to 19 digits", "length");
  return pow10(p.length - 1) - body_offset(p, rules);
}

}  // namespace

IdGenerator::IdGenerator(Policy policy, std::string_view key)
    : policy_(std::move(policy)),
      rules_(admission_rules(policy_, Admission::kIssuable)),
      offset_(body_offset(policy_, rules_)),
      perm_(key, checked_domain(policy_, rules_)) {}

bool IdGenerator::make(uint64_t n, char* out) const {
  uint64_t body = offset_ + perm_.forward(n);
  const int b = policy_.length - 1;
  for (int i = b - 1; i >= 0; --i, body /= 10) out[i] = static_cast<char>('0' + body % 10);
  const std::string_view body_view(out, static_cast<size_t>(b));
  out[b] = verhoeff_check_digit(body_view);
  return filter_hits(std::string_view(out, static_cast<size_t>(b) + 1), rules_) == 0;
}

size_t IdGenerator::next_ids(CounterBlock& block, size_t max, std::vector<IssuedId>& out) const {
  char buf[24];
  size_t made = 0;
  const uint64_t end = std::min(block.end, counter_space());
  while (made < max && block.next < end) {
    const uint64_t n = block.next++;
    if (make(n, buf)) {
      out.push_back({n, std::string(buf, static_cast<size_t>(policy_.length))});
      ++made;
    }
  }
  if (block.next >= end) block.next = block.end;  // past the counter space: nothing left
  return made;
}

std::optional<std::string> IdGenerator::id_for_counter(uint64_t n) const {
  if (n >= counter_space()) return std::nullopt;
  char buf[24];
  if (!make(n, buf)) return std::nullopt;
  return std::string(buf, static_cast<size_t>(policy_.length));
}

std::optional<uint64_t> IdGenerator::counter_for_id(std::string_view id) const {
  if (!admitted(id, policy_, Admission::kIssuable)) return std::nullopt;
  uint64_t body = 0;
  for (char c : id.substr(0, id.size() - 1)) body = body * 10 + static_cast<uint64_t>(c - '0');
  if (body < offset_) return std::nullopt;
  return perm_.inverse(body - offset_);
}

std::string rid_timestamp(TimePoint time) {
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day ymd(day);
  const hh_mm_ss hms(time - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::optional<size_t> utf16_length(std::string_view s) {
  size_t units = 0;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (b < 0x80) {
      n = 1, cp = b;
    } else if (b >= 0xC2 && b <= 0xDF) {
      n = 2, cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 3, cp = b & 0x0Fu;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 4, cp = b & 0x07u;
    } else {
      return std::nullopt;  // a continuation byte first, C0/C1 (overlong) or F5..FF
    }
    if (i + n > s.size()) return std::nullopt;
    for (size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0u) != 0x80u) return std::nullopt;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return std::nullopt;  // overlong, beyond Unicode, or a surrogate
    units += cp >= 0x10000 ? 2 : 1;
    i += n;
  }
  return units;
}

RidBuild build_rid(std::string_view centre, std::string_view machine, uint64_t sequence,
                   TimePoint time, const RidFormat& f) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
    while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
    return s;
  };
  centre = trim(centre);
  machine = trim(machine);
  RidBuild r;
  if (centre.empty() || machine.empty()) {
    r.code = "KER-RIG-002";
    r.message = "Empty input entered";
    return r;
  }
  if (f.centre_length <= 0 || f.machine_length <= 0 ||
      utf16_length(centre) != static_cast<size_t>(f.centre_length) ||
      utf16_length(machine) != static_cast<size_t>(f.machine_length) || f.sequence_length <= 0 ||
      f.sequence_length > 18 || sequence >= pow10(f.sequence_length)) {
    r.code = "KER-RIG-003";
    r.message = "input length is not valid";
    return r;
  }
  std::string seq = std::to_string(sequence);
  r.rid.reserve(centre.size() + machine.size() + 32);
  r.rid.append(centre).append(machine);
  r.rid.append(static_cast<size_t>(f.sequence_length) - seq.size(), '0').append(seq);
  r.rid.append(rid_timestamp(time));
  return r;
}

uint64_t next_rid_sequence(std::optional<uint64_t> current, int sequence_length, uint64_t initial) {
  if (!current) return initial;
  const uint64_t max = pow10(sequence_length) - 1;
  return *current >= max ? initial : *current + 1;
}

std::optional<uint64_t> next_sequence_id(std::optional<uint64_t> last, const SequenceIdRule& rule) {
  if (rule.length < 1 || rule.length > 18) return std::nullopt;
  const uint64_t first = pow10(rule.length - 1), limit = pow10(rule.length);
  for (uint64_t v = last ? std::max(*last + 1, first) : first; v < limit; ++v) {
    const std::string s = std::to_string(v);
    if (!contains_any(s, rule.restricted_numbers)) return v;
  }
  return std::nullopt;
}

}  // namespace registrar::ids
