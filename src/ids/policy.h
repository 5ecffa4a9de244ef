// Issuance/validation policy per checksummed ID type (UIN, VID, PRID): length, filter limits,
// restricted numbers, rule set. A plain struct built from config values; everything else in the
// module (validators, generator, capacity) takes a Policy. `validate_policy` runs at start so
// that a policy admitting no ID is a config error naming the key, not a silent outage.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "ids/filters.h"

namespace registrar::ids {

enum class IdType { kUin, kVid, kPrid };

// The UIN validator's repeating-digit rule changed in MOSIP 1.3 (spec §2.3, gotcha 1): 1.2
// rejects a digit recurring within repeating-limit places, 1.3 only repeating-limit+1 equal
// consecutive digits. Generators always use the 1.2 rule, so issued UINs pass both.
enum class RuleSet { kV12, kV13 };

// Which set of IDs a question is about: those the validator accepts, or those we may issue
// (validator *and* generator-only rules such as wrap-around runs and cyclic numbers).
enum class Admission { kValid, kIssuable };

struct Policy {
  IdType type = IdType::kUin;
  RuleSet rule_set = RuleSet::kV12;  // UIN validator only
  int length = 10;
  int sequence_limit = 3;
  int repeating_limit = 2;
  int repeating_block_limit = 2;
  int conjugative_even_digits_limit = 3;  // UIN only (0 elsewhere)
  int digits_limit = 5;                   // UIN only: first N == last N
  int reverse_digits_limit = 5;           // UIN only: first N == reverse(last N)
  std::vector<std::string> restricted_numbers{"786", "666"};
  // UIN: generator only (the UIN validator hard-codes "not 0 or 1", KER-IDV-206).
  std::vector<std::string> not_start_with{"0", "1"};
};

// MOSIP platform defaults (application-default.properties): UIN 10 digits, VID 16, PRID 14
// with block limit 3.
Policy default_policy(IdType type);

const char* id_type_name(IdType type);  // "uin", "vid", "prid"
// "ids.uin", "ids.vid", "ids.prid": the config section of a type.
std::string config_prefix(IdType type);

// The filters of the validator's filter group (UIN KER-IDV-202, VID 002, PRID 102).
FilterRules validator_filter_rules(const Policy& p);
// The generator's acceptance filters (MOSIP UinFilterUtil / VidFilterUtils / PridFilterUtils).
FilterRules generator_rules(const Policy& p);
// Filters that, with the length and the Verhoeff check, characterise exactly the IDs of
// `mode`: for kValid every validator check, for kIssuable also every generator rule.
FilterRules admission_rules(const Policy& p, Admission mode);
// True when `id` belongs to the set `mode` describes (used by generation and tests).
bool admitted(std::string_view id, const Policy& p, Admission mode);

// Every problem with `p`, each naming its config key; empty when the policy is usable. Checks
// ranges, list entries (an empty entry would match every ID, a non-digit one none), and that the
// policy admits at least one issuable ID.
std::vector<std::string> policy_problems(const Policy& p);
// Throws core::ConfigError with policy_problems() when there are any.
void validate_policy(const Policy& p);

// Declares ids.<type>.* keys (defaults as above) for all three types.
void declare_policy_config(core::ConfigSchema& schema);
// Builds the policy of `type` from declared keys. Does not validate (call validate_policy).
Policy policy_from_config(const core::Config& config, IdType type);

}  // namespace registrar::ids
