#include "ids/policy.h"

#include <algorithm>

#include "ids/capacity.h"
#include "ids/verhoeff.h"

namespace registrar::ids {

namespace {

constexpr int kMaxLength = 36;  // MOSIP's widest ID column is varchar(36)

std::string key(const Policy& p, const char* name) {
  return config_prefix(p.type) + "." + name;
}

}  // namespace

Policy default_policy(IdType type) {
  Policy p;
  p.type = type;
  if (type == IdType::kUin) return p;
  p.length = type == IdType::kVid ? 16 : 14;
  p.repeating_block_limit = type == IdType::kVid ? 2 : 3;
  p.conjugative_even_digits_limit = 0;
  p.digits_limit = 0;
  p.reverse_digits_limit = 0;
  return p;
}

const char* id_type_name(IdType type) {
  switch (type) {
    case IdType::kUin:
      return "uin";
    case IdType::kVid:
      return "vid";
    case IdType::kPrid:
      return "prid";
  }
  return "?";
}

std::string config_prefix(IdType type) {
  return std::string("ids.") + id_type_name(type);
}

FilterRules validator_filter_rules(const Policy& p) {
  FilterRules r;
  r.sequence_limit = p.sequence_limit;
  r.repeating_block_limit = p.repeating_block_limit;
  r.restricted_numbers = p.restricted_numbers;
  if (p.type == IdType::kUin) {
    if (p.rule_set == RuleSet::kV13)
      r.repeating_run_limit = p.repeating_limit;
    else
      r.repeating_limit = p.repeating_limit;
    r.even_digits_limit = p.conjugative_even_digits_limit;
  } else {
    r.repeating_limit = p.repeating_limit;
    r.not_start_with = p.not_start_with;
  }
  return r;
}

FilterRules generator_rules(const Policy& p) {
  FilterRules r;
  r.sequence_limit = p.sequence_limit;
  r.repeating_limit = p.repeating_limit;
  r.repeating_block_limit = p.repeating_block_limit;
  r.restricted_numbers = p.restricted_numbers;
  r.not_start_with = p.not_start_with;
  if (p.type == IdType::kUin) {
    r.cyclic_sequence = true;
    r.even_digits_limit = p.conjugative_even_digits_limit;
    r.first_last_limit = p.digits_limit;
    r.first_reversed_last_limit = p.reverse_digits_limit;
    r.cyclic_numbers = true;
  }
  return r;
}

FilterRules admission_rules(const Policy& p, Admission mode) {
  if (p.type != IdType::kUin) return validator_filter_rules(p);  // generator == validator
  FilterRules r = mode == Admission::kValid ? validator_filter_rules(p) : generator_rules(p);
  // Validator checks outside its filter group: 206 (hard-coded 0/1), 207, 208.
  r.not_start_with.insert(r.not_start_with.end(), {"0", "1"});
  r.first_last_limit = p.digits_limit;
  r.first_reversed_last_limit = p.reverse_digits_limit;
  // 1.3 validator rule; the generator's 1.2 rule with the same limit already implies it.
  if (p.rule_set == RuleSet::kV13) r.repeating_run_limit = p.repeating_limit;
  return r;
}

bool admitted(std::string_view id, const Policy& p, Admission mode) {
  if (id.size() != static_cast<size_t>(p.length) || !all_ascii_digits(id)) return false;
  return filter_hits(id, admission_rules(p, mode)) == 0 && verhoeff_valid(id);
}

std::vector<std::string> policy_problems(const Policy& p) {
  std::vector<std::string> out;
  if (p.length < 2 || p.length > kMaxLength) {
    out.push_back(key(p, "length") + ": must be between 2 and " + std::to_string(kMaxLength) +
                  " (got " + std::to_string(p.length) + ")");
    return out;  // the other checks depend on the length
  }
  auto limit = [&](int value, const char* name) {
    if (value < 0 || value > p.length)
      out.push_back(key(p, name) + ": must be between 0 (off) and the length " +
                    std::to_string(p.length) + " (got " + std::to_string(value) + ")");
  };
  limit(p.sequence_limit, "sequence_limit");
  limit(p.repeating_limit, "repeating_limit");
  limit(p.repeating_block_limit, "repeating_block_limit");
  limit(p.conjugative_even_digits_limit, "conjugative_even_digits_limit");
  limit(p.digits_limit, "digits_limit");
  limit(p.reverse_digits_limit, "reverse_digits_limit");
  auto list = [&](const std::vector<std::string>& entries, const char* name) {
    for (const auto& e : entries) {
      if (e.empty())
        out.push_back(key(p, name) +
                      ": an empty entry matches every ID, so every ID would be rejected "
                      "(MOSIP's empty-property trap); remove it");
      else if (!all_ascii_digits(e))
        out.push_back(key(p, name) + ": entry \"" + e + "\" is not all digits and never matches");
      else if (e.size() > static_cast<size_t>(p.length))
        out.push_back(key(p, name) + ": entry \"" + e +
                      "\" is longer than the ID and never matches");
    }
  };
  list(p.restricted_numbers, "restricted_numbers");
  list(p.not_start_with, "not_start_with");
  if (p.sequence_limit == 1)
    out.push_back(key(p, "sequence_limit") +
                  ": 1 rejects every ID (every digit is a run of length 1)");
  if (!out.empty()) return out;

  // The policy must admit at least one issuable ID. When it does not, name the keys whose
  // relaxation would fix it, so the operator knows where to look.
  if (find_admitted_id(p, Admission::kIssuable)) return out;
  std::string culprits;
  auto try_relax = [&](const char* name, auto relax) {
    Policy q = p;
    relax(q);
    if (find_admitted_id(q, Admission::kIssuable))
      culprits += (culprits.empty() ? "" : ", ") + key(p, name);
  };
  try_relax("sequence_limit", [](Policy& q) { q.sequence_limit = 0; });
  try_relax("repeating_limit", [](Policy& q) { q.repeating_limit = 0; });
  try_relax("repeating_block_limit", [](Policy& q) { q.repeating_block_limit = 0; });
  try_relax("conjugative_even_digits_limit",
            [](Policy& q) { q.conjugative_even_digits_limit = 0; });
  try_relax("digits_limit", [](Policy& q) { q.digits_limit = 0; });
  try_relax("reverse_digits_limit", [](Policy& q) { q.reverse_digits_limit = 0; });
  try_relax("restricted_numbers", [](Policy& q) { q.restricted_numbers.clear(); });
  try_relax("not_start_with", [](Policy& q) { q.not_start_with.clear(); });
  out.push_back(config_prefix(p.type) + ": the policy admits no ID of length " +
                std::to_string(p.length) +
                (culprits.empty() ? std::string(" (no single key explains it)")
                                  : "; relaxing any of these would: " + culprits));
  return out;
}

void validate_policy(const Policy& p) {
  auto problems = policy_problems(p);
  if (!problems.empty()) throw core::ConfigError(std::move(problems));
}

void declare_policy_config(core::ConfigSchema& s) {
  for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid}) {
    const Policy d = default_policy(t);
    const std::string k = config_prefix(t) + ".";
    const std::string T = id_type_name(t);
    const std::string base = "mosip.kernel." + T;                        // MOSIP's names
    const std::string m = t == IdType::kPrid ? base : base + ".length";  // limits live here
    s.add_int(k + "length", d.length,
              "Digits of a " + T + ", check digit included (MOSIP " + base + ".length).", 2,
              kMaxLength);
    s.add_int(k + "sequence_limit", d.sequence_limit,
              "Reject ascending/descending runs of this many digits; 0 = off (MOSIP " + m +
                  ".sequence-limit).",
              0, kMaxLength);
    s.add_int(k + "repeating_limit", d.repeating_limit,
              "Reject a digit recurring within this many places; 0 = off (MOSIP " + m +
                  ".repeating-limit).",
              0, kMaxLength);
    s.add_int(k + "repeating_block_limit", d.repeating_block_limit,
              "Reject a block of this many digits occurring twice; 0 = off (MOSIP " + m +
                  ".repeating-block-limit).",
              0, kMaxLength);
    s.add_list(k + "restricted_numbers", d.restricted_numbers,
               "Numbers no " + T + " may contain, check digit included (MOSIP " + base +
                   ".restricted-numbers).");
    s.add_list(k + "not_start_with", d.not_start_with,
               "Prefixes no " + T + " may start with (MOSIP " + base + ".not-start-with).");
    if (t != IdType::kUin) continue;
    s.add_int(k + "conjugative_even_digits_limit", d.conjugative_even_digits_limit,
              "Reject this many consecutive digits from {2,4,6,8}; 0 = off (MOSIP " + m +
                  ".conjugative-even-digits-limit).",
              0, kMaxLength);
    s.add_int(
        k + "digits_limit", d.digits_limit,
        "Reject when the first N digits equal the last N; 0 = off (MOSIP " + m + ".digits-limit).",
        0, kMaxLength);
    s.add_int(k + "reverse_digits_limit", d.reverse_digits_limit,
              "Reject when the first N digits equal the last N reversed; 0 = off (MOSIP " + m +
                  ".reverse-digits-limit).",
              0, kMaxLength);
    s.add_string(k + "rule_set", "1.2",
                 "UIN validator rule set: 1.2 (repeating = same digit within the limit) or 1.3 "
                 "(repeating = limit+1 equal consecutive digits).",
                 [](const core::ConfigValue& v) -> std::optional<std::string> {
                   const auto& s = std::get<std::string>(v);
                   if (s == "1.2" || s == "1.3") return std::nullopt;
                   return "must be \"1.2\" or \"1.3\"";
                 });
  }
}

Policy policy_from_config(const core::Config& c, IdType t) {
  Policy p = default_policy(t);
  const std::string k = config_prefix(t) + ".";
  p.length = static_cast<int>(c.integer(k + "length"));
  p.sequence_limit = static_cast<int>(c.integer(k + "sequence_limit"));
  p.repeating_limit = static_cast<int>(c.integer(k + "repeating_limit"));
  p.repeating_block_limit = static_cast<int>(c.integer(k + "repeating_block_limit"));
  p.restricted_numbers = c.list(k + "restricted_numbers");
  p.not_start_with = c.list(k + "not_start_with");
  if (t == IdType::kUin) {
    p.conjugative_even_digits_limit =
        static_cast<int>(c.integer(k + "conjugative_even_digits_limit"));
    p.digits_limit = static_cast<int>(c.integer(k + "digits_limit"));
    p.reverse_digits_limit = static_cast<int>(c.integer(k + "reverse_digits_limit"));
    p.rule_set = c.str(k + "rule_set") == "1.3" ? RuleSet::kV13 : RuleSet::kV12;
  }
  return p;
}

}  // namespace registrar::ids
