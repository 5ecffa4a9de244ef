// Licence keys (MOSIP keymanager / MISP licence keys) and partner IDs: format, generation and
// the status life cycle as pure functions. MOSIP's code models only is_active + expiry; the FRS
// statuses (ACTIVE / EXPIRED / SUSPENDED / BLOCKED, INVALID for a malformed key) are modelled
// here, with EXPIRED computed from the expiry so that no job has to flip it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ids/validators.h"

namespace registrar::ids {

using TimePoint = std::chrono::sys_seconds;

// [A-Za-z0-9], MOSIP's RandomStringUtils.randomAlphanumeric alphabet.
inline constexpr std::string_view kLicenceAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// `uniform(n)` returns a uniform value in [0, n); production passes core::random_uniform.
std::string generate_licence_key(size_t length, const std::function<uint32_t(uint32_t)>& uniform);
bool licence_key_well_formed(std::string_view key, size_t length);

enum class LicenceStatus { kActive, kExpired, kSuspended, kBlocked };
const char* licence_status_name(LicenceStatus s);  // "ACTIVE", ...
std::optional<LicenceStatus> parse_licence_status(std::string_view name);

struct LicenceRecord {
  LicenceStatus status = LicenceStatus::kActive;  // as stored
  TimePoint expires{};
};

// BLOCKED stays BLOCKED; otherwise a licence past its expiry is EXPIRED; otherwise as stored.
LicenceStatus effective_status(const LicenceRecord& r, TimePoint now);

enum class LicenceAction { kSuspend, kReactivate, kBlock, kRenew };

struct LicenceTransition {
  bool ok = false;
  LicenceRecord record;  // the new record when ok
  std::string error;     // why not, when !ok (a conflict with the current status)
};

// ACTIVE -suspend-> SUSPENDED -reactivate-> ACTIVE; ACTIVE/SUSPENDED/EXPIRED -block-> BLOCKED
// (terminal); renew(new expiry > now) from ACTIVE/EXPIRED/SUSPENDED sets the expiry and makes
// an EXPIRED licence ACTIVE again (a SUSPENDED one stays suspended). Transitions act on the
// effective status, so an expired licence cannot be suspended or reactivated, only renewed or
// blocked.
LicenceTransition apply_licence_action(const LicenceRecord& r, LicenceAction action, TimePoint now,
                                       std::optional<TimePoint> new_expiry = std::nullopt);

// Checks in order: empty (KER-LKM-006), malformed (REG-IDV-601, FRS "INVALID"), unknown
// (KER-LKM-004, record == nullptr), then the effective status: BLOCKED (REG-IDV-603), EXPIRED
// (KER-LKM-005), SUSPENDED (REG-IDV-602).
ValidationResult validate_licence_key(std::string_view key, size_t length,
                                      const LicenceRecord* record, TimePoint now);

// ---- MOSIP's licence-key manager (spec §4.4) ----

// MOSIP's default mosip.kernel.licensekey.permissions (the ids.licence.permissions default).
std::vector<std::string> default_licence_permissions();

// True when `permission` is exactly one of `allowed`. (MOSIP accepts any text that contains one
// of them; docs/compatibility.md.)
bool licence_permission_allowed(const std::vector<std::string>& allowed,
                                std::string_view permission);

// The stored permissions followed by those of `added` that are new, in their order, without
// duplicates. (MOSIP puts the new ones first and keeps duplicates; docs/compatibility.md.)
std::vector<std::string> merge_licence_permissions(std::vector<std::string> stored,
                                                   const std::vector<std::string>& added);

// licenseExpiryTime as unix ms, or nullopt when it cannot be read (KER-LKM-999). Accepts
// MOSIP's yyyy-MM-dd'T'HH:mm:ss.SSS'Z' and what its ISO parser reads besides: seconds optional,
// 1-9 fractional digits (kept to the millisecond, truncated), 'Z', an offset ±HH:MM[:SS] (at
// most 18 hours; the time is converted to UTC) or none (UTC, as MOSIP's times are), 'T' and 'Z'
// in either case. The date and time must exist (no Feb 30, no 24:00, no leap second).
std::optional<int64_t> parse_licence_expiry_ms(std::string_view text);

enum class PartnerStatus { kActive, kInactive, kInvalid };
// INVALID when `id` is not `length` ASCII digits (FRS); otherwise ACTIVE or INACTIVE as
// registered. `registered_active` is nullopt for an unknown partner (reported as INVALID).
PartnerStatus partner_id_status(std::string_view id, int length,
                                std::optional<bool> registered_active);
// Same as a result: REG-IDV-501 malformed, REG-IDV-502 unknown, REG-IDV-503 inactive.
ValidationResult validate_partner_id(std::string_view id, int length,
                                     std::optional<bool> registered_active);

}  // namespace registrar::ids
