#include "ids/validators.h"

#include "ids/verhoeff.h"

namespace registrar::ids {

namespace {

struct ErrorText {
  const char* code;
  const char* message;
};

// MOSIP's texts, typos included (clients match on them). Texts marked "ours" are not in
// MOSIP's code (the status validators) or not recorded in the spec.
constexpr ErrorText kErrors[] = {
    {"", ""},
    {"KER-IDV-201", "UIN should not be Empty or Null."},
    {"KER-IDV-202",
     "UIN should not contain any sequential and repeated block of number as per configured or "
     "more than that digits and Admin ristricted numbers"},
    {"KER-IDV-203", "UIN length should be as per configured digit."},
    {"KER-IDV-204", "UIN should not contain any alphanumeric characters."},
    {"KER-IDV-205", "UIN should match checksum."},
    {"KER-IDV-206", "UIN should not contain start with as per configured."},
    {"KER-IDV-207",
     "UIN First configured no.of digits should be different from the reverse of last configured "
     "no. of digits"},
    {"KER-IDV-208",
     "UIN First configured no.of digits should be different from the last configured no.of "
     "digits"},
    {"KER-IDV-001", "VID should not be Empty or Null."},
    {"KER-IDV-002",
     "VID should not contain any sequential and repeated block of number for 2 or more than two "
     "digits"},
    {"KER-IDV-003", "VID length should be 16 digit."},
    {"KER-IDV-004", "VID should not contain any alphanumeric characters."},
    {"KER-IDV-005", "VID should match checksum."},
    {"KER-IDV-101", "PRID should not be empty or null."},
    {"KER-IDV-102",
     "PRID should not contain any sequential and repeated block of number for 2 or more than "
     "two digits"},
    {"KER-IDV-103", "PRID length should be as per configured digit."},
    {"KER-IDV-104", "PRID should not contain any alphanumeric characters."},
    {"KER-IDV-105", "PRID should match checksum."},
    {"KER-IDV-301", "Rid Should Contain Only Numeric"},
    {"KER-IDV-302", "Center Id Did Not Match"},
    {"KER-IDV-303", "Machine Id Did Not Match"},
    {"KER-IDV-304", "Rid Length Must Be :"},
    {"KER-IDV-305", "Invalid Time Stamp Found"},
    {"KER-IDV-306", "Length Should Be Greater Than Zero"},
    {"KER-IDV-307", "Sequence Length Should Be Equal To Configured Sequence Length"},
    {"KER-IDV-401", "Mispid Length Must Be "},
    {"KER-IDV-402", "Mispid cannot be null or empty"},
    {"REG-IDV-501", "Partner ID is invalid."},         // ours (FRS status INVALID)
    {"REG-IDV-502", "Partner ID is not registered."},  // ours
    {"REG-IDV-503", "Partner ID is inactive."},        // ours (FRS status INACTIVE)
    {"KER-LKM-006", "License key cannot be null or empty"},
    {"KER-LKM-004", "License key not found"},
    {"KER-LKM-005", "License key has expired"},
    {"REG-IDV-601", "License key is invalid."},    // ours (FRS status INVALID)
    {"REG-IDV-602", "License key is suspended."},  // ours (FRS status SUSPENDED)
    {"REG-IDV-603", "License key is blocked."},    // ours (FRS status BLOCKED)
};
static_assert(std::size(kErrors) == static_cast<size_t>(IdError::kCount));

// Accumulates failures: records the first, and with Detail::kAll keeps collecting.
struct Collector {
  ValidationResult r;
  bool all;
  // Returns true when validation should stop.
  bool fail(IdError e) {
    if (r.error == IdError::kNone) r.error = e;
    r.errors |= uint64_t{1} << static_cast<unsigned>(e);
    return !all;
  }
};

}  // namespace

const char* error_code(IdError e) {
  return kErrors[static_cast<size_t>(e)].code;
}

std::string error_message(IdError e, int param) {
  std::string m = kErrors[static_cast<size_t>(e)].message;
  if (e == IdError::kRidLength || e == IdError::kMispLength) m += std::to_string(param);
  return m;
}

std::vector<IdError> ValidationResult::all() const {
  std::vector<IdError> out;
  // MOSIP's order is the order of the checks, not of the enum: replay it per family.
  static constexpr IdError kOrder[] = {
      IdError::kUinEmpty,       IdError::kUinLength,        IdError::kUinNonDigit,
      IdError::kUinStart,       IdError::kUinFilter,        IdError::kUinChecksum,
      IdError::kUinReversed,    IdError::kUinFirstLast,     IdError::kVidEmpty,
      IdError::kVidLength,      IdError::kVidNonDigit,      IdError::kVidFilter,
      IdError::kVidChecksum,    IdError::kPridEmpty,        IdError::kPridLength,
      IdError::kPridNonDigit,   IdError::kPridFilter,       IdError::kPridChecksum,
      IdError::kRidConfig,      IdError::kRidLength,        IdError::kRidNonNumeric,
      IdError::kRidTimestamp,   IdError::kRidSequence,      IdError::kRidCentre,
      IdError::kRidMachine,     IdError::kMispEmpty,        IdError::kMispLength,
      IdError::kPartnerInvalid, IdError::kPartnerUnknown,   IdError::kPartnerInactive,
      IdError::kLicenceEmpty,   IdError::kLicenceInvalid,   IdError::kLicenceNotFound,
      IdError::kLicenceBlocked, IdError::kLicenceSuspended, IdError::kLicenceExpired,
  };
  for (IdError e : kOrder)
    if (errors >> static_cast<unsigned>(e) & 1) out.push_back(e);
  return out;
}

IdValidator::IdValidator(Policy policy)
    : policy_(std::move(policy)), filters_(validator_filter_rules(policy_)) {
  fused_ = filters_.repeating_block_limit <= 3 && !filters_.cyclic_sequence &&
           filters_.first_last_limit <= 0 && filters_.first_reversed_last_limit <= 0 &&
           !filters_.cyclic_numbers && filters_.sequence_limit != 1;
  for (const auto& r : filters_.restricted_numbers) {
    if (r.empty() || r.size() > 18 || !all_ascii_digits(r)) fused_ = false;
    uint64_t v = 0, mod = 1;
    for (char c : r) v = v * 10 + static_cast<uint64_t>(c - '0'), mod *= 10;
    restricted_.push_back({v, mod, static_cast<int>(r.size())});
  }
}

bool IdValidator::group_rejects(std::string_view id) const {
  if (!fused_ || id.size() > 64) return filter_hits(id, filters_) != 0;
  const FilterRules& f = filters_;
  const int n = static_cast<int>(id.size());
  const int seq = f.sequence_limit, rep = f.repeating_limit, run_limit = f.repeating_run_limit;
  const int block = 2 * f.repeating_block_limit <= n ? f.repeating_block_limit : 0;
  const int block_mod = block == 1 ? 10 : block == 2 ? 100 : 1000;
  int last[10] = {-64, -64, -64, -64, -64, -64, -64, -64, -64, -64};
  uint64_t seen[16] = {};
  int windows[64];
  uint64_t rolling = 0;  // value of the last 18 digits
  int up = 1, down = 1, same = 1, even = 0, prev = -10;
  for (int i = 0; i < n; ++i) {
    const int d = id[i] - '0';
    up = d == prev + 1 ? up + 1 : 1;
    down = d == prev - 1 ? down + 1 : 1;
    same = d == prev ? same + 1 : 1;
    if (seq > 0 && (up >= seq || down >= seq)) return true;
    if (rep > 0 && i - last[d] <= rep) return true;
    if (run_limit > 0 && same > run_limit) return true;
    even = (d != 0 && (d & 1) == 0) ? even + 1 : 0;
    if (f.even_digits_limit > 0 && even >= f.even_digits_limit) return true;
    last[d] = i;
    prev = d;
    rolling = (rolling * 10 + static_cast<uint64_t>(d)) % 1'000'000'000'000'000'000ULL;
    if (block > 0 && i + 1 >= block) {
      const int start = i + 1 - block;  // window starting here ends at i
      const int w = static_cast<int>(rolling % static_cast<uint64_t>(block_mod));
      windows[start] = w;
      if (start >= block) {
        const int old = windows[start - block];
        seen[old >> 6] |= uint64_t{1} << (old & 63);
        if (seen[w >> 6] >> (w & 63) & 1) return true;
      }
    }
    for (const auto& r : restricted_)
      if (i + 1 >= r.length && rolling % r.modulus == r.value) return true;
  }
  return f.not_start_with.empty() ? false : starts_with_any(id, f.not_start_with);
}

ValidationResult IdValidator::validate(std::string_view id, Detail detail) const {
  return policy_.type == IdType::kUin ? validate_uin(id, detail) : validate_vid_prid(id, detail);
}

ValidationResult IdValidator::validate_uin(std::string_view id, Detail detail) const {
  Collector c{{}, detail == Detail::kAll};
  if (id.empty()) {
    c.fail(IdError::kUinEmpty);
    return c.r;
  }
  if (id.size() != static_cast<size_t>(policy_.length) && c.fail(IdError::kUinLength)) return c.r;
  if (!all_ascii_digits(id)) {
    c.fail(IdError::kUinNonDigit);
    return c.r;  // nothing below is defined on non-digits
  }
  // 206 is hard-coded in MOSIP's UIN validator (not-start-with is a generator property).
  if ((id[0] == '0' || id[0] == '1') && c.fail(IdError::kUinStart)) return c.r;
  if (c.all || group_rejects(id)) {
    c.r.filters = filter_hits(id, filters_, c.all);
    if (c.r.filters != 0 && c.fail(IdError::kUinFilter)) return c.r;
  }
  if (!verhoeff_valid(id) && c.fail(IdError::kUinChecksum)) return c.r;
  if (first_equals_reversed_last(id, policy_.reverse_digits_limit) && c.fail(IdError::kUinReversed))
    return c.r;
  if (first_equals_last(id, policy_.digits_limit)) c.fail(IdError::kUinFirstLast);
  return c.r;
}

ValidationResult IdValidator::validate_vid_prid(std::string_view id, Detail detail) const {
  const bool vid = policy_.type == IdType::kVid;
  Collector c{{}, detail == Detail::kAll};
  if (id.empty()) {
    c.fail(vid ? IdError::kVidEmpty : IdError::kPridEmpty);
    return c.r;
  }
  if (id.size() != static_cast<size_t>(policy_.length) &&
      c.fail(vid ? IdError::kVidLength : IdError::kPridLength))
    return c.r;
  if (!all_ascii_digits(id)) {
    c.fail(vid ? IdError::kVidNonDigit : IdError::kPridNonDigit);
    return c.r;
  }
  // MOSIP's 0/1 first-digit check (006/106) is commented out: not-start-with is in the filter
  // group and reports 002/102.
  if (c.all || group_rejects(id)) {
    c.r.filters = filter_hits(id, filters_, c.all);
    if (c.r.filters != 0 && c.fail(vid ? IdError::kVidFilter : IdError::kPridFilter)) return c.r;
  }
  if (!verhoeff_valid(id)) c.fail(vid ? IdError::kVidChecksum : IdError::kPridChecksum);
  return c.r;
}

namespace {

bool digits_in_range(std::string_view s, int lo, int hi, int* out) {
  int v = 0;
  for (char ch : s) v = v * 10 + (ch - '0');
  *out = v;
  return v >= lo && v <= hi;
}

}  // namespace

bool valid_rid_timestamp(std::string_view ts) {
  if (ts.size() != 14 || !all_ascii_digits(ts)) return false;
  int year, month, day, hour, minute, second;
  digits_in_range(ts.substr(0, 4), 0, 9999, &year);
  if (!digits_in_range(ts.substr(4, 2), 1, 12, &month)) return false;
  if (!digits_in_range(ts.substr(8, 2), 0, 23, &hour)) return false;
  if (!digits_in_range(ts.substr(10, 2), 0, 59, &minute)) return false;
  if (!digits_in_range(ts.substr(12, 2), 0, 59, &second)) return false;
  // Year 0000 is not a leap year in MOSIP's regex (spec §2.3: 0000-02-29 is rejected).
  const bool leap = year != 0 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int max_day = month == 2 && leap ? 29 : kDays[month - 1];
  return digits_in_range(ts.substr(6, 2), 1, max_day, &day);
}

ValidationResult validate_rid(std::string_view id, const RidFormat& f,
                              std::optional<std::string_view> centre,
                              std::optional<std::string_view> machine, Detail detail) {
  Collector c{{}, detail == Detail::kAll};
  if (f.length <= 0 || f.centre_length <= 0 || f.machine_length <= 0 || f.sequence_length <= 0 ||
      f.timestamp_length <= 0) {
    c.fail(IdError::kRidConfig);
    return c.r;
  }
  const auto len = static_cast<int>(id.size());
  if (len != f.length) {
    c.r.param = f.length;
    if (c.fail(IdError::kRidLength)) return c.r;
  }
  // ASCII digits only: MOSIP's isNumeric also passes other Unicode digits, which then fail the
  // timestamp check; we reject them here (compatibility note).
  if ((id.empty() || !all_ascii_digits(id)) && c.fail(IdError::kRidNonNumeric)) return c.r;
  const int ts = f.timestamp_length;
  if ((ts > len || !valid_rid_timestamp(id.substr(len - ts))) && c.fail(IdError::kRidTimestamp))
    return c.r;
  const int head = f.centre_length + f.machine_length;
  if ((head > len - ts || len - ts - head != f.sequence_length) && c.fail(IdError::kRidSequence))
    return c.r;
  if (centre && (f.centre_length > len || id.substr(0, f.centre_length) != *centre) &&
      c.fail(IdError::kRidCentre))
    return c.r;
  if (machine && (head > len || id.substr(f.centre_length, f.machine_length) != *machine))
    c.fail(IdError::kRidMachine);
  return c.r;
}

ValidationResult validate_misp_id(std::string_view id, int length) {
  ValidationResult r;
  size_t b = 0, e = id.size();
  while (b < e && static_cast<unsigned char>(id[b]) <= ' ') ++b;  // Java String.trim()
  while (e > b && static_cast<unsigned char>(id[e - 1]) <= ' ') --e;
  if (b == e) {
    r.error = IdError::kMispEmpty;
  } else if (id.size() != static_cast<size_t>(length)) {
    r.error = IdError::kMispLength;
    r.param = length;
  }
  if (!r.ok()) r.errors = uint64_t{1} << static_cast<unsigned>(r.error);
  return r;
}

}  // namespace registrar::ids
