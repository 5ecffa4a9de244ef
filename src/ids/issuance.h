// Issuance building blocks, pure: the store/service layer leases counter blocks from the
// database (atomically, so instances never share a counter), calls next_ids() and records what
// it got before answering. Nothing here does I/O or keeps mutable state.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ids/permutation.h"
#include "ids/policy.h"
#include "ids/validators.h"

namespace registrar::ids {

// Counters [next, end) leased by one instance.
struct CounterBlock {
  uint64_t next = 0;
  uint64_t end = 0;
  bool exhausted() const { return next >= end; }
};

struct IssuedId {
  uint64_t counter;  // recorded with the ID: lets recovery and audits map an ID back
  std::string id;
};

// UIN / VID / PRID generator for one policy and key. Counter n in [0, counter_space()) maps
// to body = offset + P(n) (P the keyed permutation), ID = body + Verhoeff digit; it is issued
// when it passes every issuable rule (validator + generator-only), else the counter is skipped.
// Every ID is therefore unique, valid, and unpredictable without the key.
class IdGenerator {
 public:
  // `policy` should have passed validate_policy; lengths up to 19 digits. Throws core::Error.
  IdGenerator(Policy policy, std::string_view key);

  const Policy& policy() const { return policy_; }
  // Counters available over the life of the deployment (bodies that can be tried).
  uint64_t counter_space() const { return perm_.domain(); }

  // Appends up to `max` IDs to `out`, consuming counters from `block` (block.next advances past
  // every counter tried, issued or skipped). Returns how many were appended; fewer than `max`
  // means the block ran out.
  size_t next_ids(CounterBlock& block, size_t max, std::vector<IssuedId>& out) const;
  // The ID counter n yields, or nullopt when that body is filtered out.
  std::optional<std::string> id_for_counter(uint64_t n) const;
  // The counter that yields `id`, when `id` is one this generator can issue.
  std::optional<uint64_t> counter_for_id(std::string_view id) const;

 private:
  bool make(uint64_t n, char* out) const;

  Policy policy_;
  FilterRules rules_;
  uint64_t offset_;
  KeyedPermutation perm_;
};

// ---- RID (spec §4.1) ----

using TimePoint = std::chrono::sys_seconds;

struct RidBuild {
  std::string rid;           // when ok
  const char* code = "";     // KER-RIG-002 empty input, KER-RIG-003 wrong length
  const char* message = "";  // MOSIP's text
  bool ok() const { return *code == '\0'; }
};

// The length Java's String.length() gives the UTF-8 text `s`: UTF-16 code units, so 1 per code
// point and 2 above U+FFFF. nullopt when `s` is not well-formed UTF-8 (overlong forms,
// surrogates, truncated sequences, beyond U+10FFFF).
std::optional<size_t> utf16_length(std::string_view s);

// centre + machine + zero-padded sequence + UTC timestamp (yyyyMMddHHmmss). Inputs are trimmed
// as MOSIP's REST service does; there is no numeric check on centre/machine (MOSIP has none).
// Their lengths are counted as Java counts them (utf16_length), so "１２３４５" is a 5-character
// centre; input that is not UTF-8 has no length MOSIP could have seen and is KER-RIG-003.
RidBuild build_rid(std::string_view centre, std::string_view machine, uint64_t sequence,
                   TimePoint time, const RidFormat& format = {});
// yyyyMMddHHmmss in UTC.
std::string rid_timestamp(TimePoint time);
// The next per-(centre, machine) sequence: `initial` for a new pair, then +1, wrapping from
// 10^length - 1 back to `initial` (…99998, 99999, 00001).
uint64_t next_rid_sequence(std::optional<uint64_t> current, int sequence_length,
                           uint64_t initial = 1);

// ---- machine / centre / MISP / partner IDs (spec §4.2) ----

struct SequenceIdRule {
  int length = 5;                               // machine and centre 5, MISP 3, partner 4
  std::vector<std::string> restricted_numbers;  // FRS: skipped (MOSIP's code does not)
};

// The next ID after `last` (nullopt: the first, 10^(length-1)), skipping values that contain
// a restricted number. nullopt when the next value would need more than `length` digits
// (MOSIP silently grows to length+1 digits).
std::optional<uint64_t> next_sequence_id(std::optional<uint64_t> last, const SequenceIdRule& rule);

}  // namespace registrar::ids
