// Validators with MOSIP's error codes, checked in MOSIP's order (spec §2.3), so the first code
// reported is the one MOSIP reports. Validation is allocation-free: the result is a code plus
// bit sets, and the message text is built only when asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ids/filter_scan.h"
#include "ids/filters.h"
#include "ids/policy.h"

namespace registrar::ids {

// Every error any validator here reports. Codes with a MOSIP counterpart use MOSIP's code and
// text; the status validators MOSIP never implemented use REG-IDV-5xx/6xx (see error_code()).
enum class IdError : uint8_t {
  kNone = 0,
  kUinEmpty,          // KER-IDV-201
  kUinFilter,         // KER-IDV-202
  kUinLength,         // KER-IDV-203
  kUinNonDigit,       // KER-IDV-204
  kUinChecksum,       // KER-IDV-205
  kUinStart,          // KER-IDV-206
  kUinReversed,       // KER-IDV-207
  kUinFirstLast,      // KER-IDV-208
  kVidEmpty,          // KER-IDV-001
  kVidFilter,         // KER-IDV-002
  kVidLength,         // KER-IDV-003
  kVidNonDigit,       // KER-IDV-004
  kVidChecksum,       // KER-IDV-005
  kPridEmpty,         // KER-IDV-101
  kPridFilter,        // KER-IDV-102
  kPridLength,        // KER-IDV-103
  kPridNonDigit,      // KER-IDV-104
  kPridChecksum,      // KER-IDV-105
  kRidNonNumeric,     // KER-IDV-301
  kRidCentre,         // KER-IDV-302
  kRidMachine,        // KER-IDV-303
  kRidLength,         // KER-IDV-304
  kRidTimestamp,      // KER-IDV-305
  kRidConfig,         // KER-IDV-306
  kRidSequence,       // KER-IDV-307
  kMispLength,        // KER-IDV-401
  kMispEmpty,         // KER-IDV-402
  kPartnerInvalid,    // REG-IDV-501
  kPartnerUnknown,    // REG-IDV-502
  kPartnerInactive,   // REG-IDV-503
  kLicenceEmpty,      // KER-LKM-006
  kLicenceNotFound,   // KER-LKM-004
  kLicenceExpired,    // KER-LKM-005
  kLicenceInvalid,    // REG-IDV-601
  kLicenceSuspended,  // REG-IDV-602
  kLicenceBlocked,    // REG-IDV-603
  kCount
};
static_assert(static_cast<int>(IdError::kCount) <= 64, "errors are kept in a 64-bit set");

const char* error_code(IdError e);  // "KER-IDV-201", "" for kNone
// MOSIP's message; `param` fills the messages that carry a number (RID and MISP lengths).
std::string error_message(IdError e, int param = 0);

struct ValidationResult {
  IdError error = IdError::kNone;  // the first failing check, in MOSIP's order
  uint64_t errors = 0;             // with Detail::kAll: every failing check, bit (1 << error)
  uint32_t filters = 0;            // FilterBits behind a filter-group error (202 / 002 / 102)
  int param = 0;                   // number shown in the message, if any

  bool ok() const { return error == IdError::kNone; }
  const char* code() const { return error_code(error); }
  std::string message() const { return error_message(error, param); }
  // Every failing check in MOSIP's order (only the first unless validated with Detail::kAll).
  std::vector<IdError> all() const;
};

enum class Detail { kFirst, kAll };

// UIN / VID / PRID validator for one policy, built once and shared (const, thread-safe).
class IdValidator {
 public:
  explicit IdValidator(Policy policy);
  ValidationResult validate(std::string_view id, Detail detail = Detail::kFirst) const;
  bool valid(std::string_view id) const { return validate(id).ok(); }
  const Policy& policy() const { return policy_; }

 private:
  // The hot path: converts the digits once, runs every check on them without early exits
  // (one well-predicted branch for a valid ID) and then reports in MOSIP's order. Taken when
  // scan_ covers the ID's length and, with Detail::kFirst, the length is right.
  ValidationResult validate_scanned(std::string_view id, Detail detail) const;
  // The checks one after another, as the spec lists them; everything validate_scanned leaves.
  ValidationResult validate_uin(std::string_view id, Detail detail) const;
  ValidationResult validate_vid_prid(std::string_view id, Detail detail) const;
  ValidationResult validate_stepwise(std::string_view id, Detail detail) const {
    return policy_.type == IdType::kUin ? validate_uin(id, detail) : validate_vid_prid(id, detail);
  }

  Policy policy_;
  FilterRules filters_;  // the filter group
  FilterScan scan_;      // filters_ compiled for validate_scanned
  // UIN only (0 for VID / PRID): 207's and 208's digit counts, 0 when the check is off.
  size_t reversed_limit_ = 0, first_last_limit_ = 0;
};

// RID layout (MOSIP mosip.kernel.rid.* and center/machine id lengths).
struct RidFormat {
  int length = 29;
  int centre_length = 5;
  int machine_length = 5;
  int sequence_length = 5;
  int timestamp_length = 14;
};

// MOSIP's four RidValidatorImpl overloads are this one function: validateId(id) = defaults;
// validateId(id, centre, machine) = with centre/machine; the two overloads with lengths = pass
// a RidFormat whose component lengths are the arguments (`length` stays the configured one).
ValidationResult validate_rid(std::string_view id, const RidFormat& format = {},
                              std::optional<std::string_view> centre = std::nullopt,
                              std::optional<std::string_view> machine = std::nullopt,
                              Detail detail = Detail::kFirst);

// yyyyMMddHHmmss with full Gregorian validation (MOSIP's RID timestamp regex).
bool valid_rid_timestamp(std::string_view ts);

// MISP ID: blank (after trimming) -> 402, length != `length` -> 401. No numeric check (MOSIP).
ValidationResult validate_misp_id(std::string_view id, int length = 3);

}  // namespace registrar::ids
