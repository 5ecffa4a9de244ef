#include "ids/validators.h"

#include <algorithm>

#include "ids/verhoeff.h"

namespace registrar::ids {

namespace {

struct ErrorText {
  const char* code;
  const char* message;
};

// MOSIP's texts, typos and doubled spaces included, as its exception constants have them
// (kernel-idvalidator-*, keymanager's LicenseKeyManagerExceptionConstants). Texts marked "ours"
// are not in MOSIP's code (the status validators MOSIP never implemented).
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
    {"KER-IDV-001", "VID should not be empty or null."},
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
    {"KER-IDV-103", "PRID length should be as configured digit."},
    {"KER-IDV-104", "PRID should not contain any alphanumeric characters."},
    {"KER-IDV-105", "PRID should match checksum."},
    {"KER-IDV-301", "Rid Must Be Numeric Only"},
    {"KER-IDV-302", "Center Id Did Not Match"},
    {"KER-IDV-303", "Machine Id Did Not Match"},
    {"KER-IDV-304", "Rid Length Must Be  :"},  // MOSIP: message + " :" + length
    {"KER-IDV-305", "Invalid Time Stamp Found"},
    {"KER-IDV-306",
     "Rid length or center id length or machine id length or sequence length or timestamp length "
     "should not be less than or equals to zero"},
    {"KER-IDV-307", "Invalid sequence Found"},
    {"KER-IDV-401", "Mispid Length Must Be "},
    {"KER-IDV-402", "Mispid cannot be null or empty"},
    {"REG-IDV-501", "Partner ID is invalid."},         // ours (FRS status INVALID)
    {"REG-IDV-502", "Partner ID is not registered."},  // ours
    {"REG-IDV-503", "Partner ID is inactive."},        // ours (FRS status INACTIVE)
    {"KER-LKM-006", "License Key entered is null or empty."},
    {"KER-LKM-004", "LicenseKey Not Found."},
    {"KER-LKM-005", "LicenseKey Expired."},
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
    : policy_(std::move(policy)), filters_(validator_filter_rules(policy_)), scan_(filters_) {
  if (policy_.type == IdType::kUin) {
    reversed_limit_ = static_cast<size_t>(std::max(policy_.reverse_digits_limit, 0));
    first_last_limit_ = static_cast<size_t>(std::max(policy_.digits_limit, 0));
  }
}

ValidationResult IdValidator::validate(std::string_view id, Detail detail) const {
  const bool right_length = id.size() == static_cast<size_t>(policy_.length);
  // A wrong length under kFirst is answered at once by the stepwise path.
  if (scan_.covers(id.size()) && (right_length || detail == Detail::kAll))
    return validate_scanned(id, detail);
  return validate_stepwise(id, detail);
}

ValidationResult IdValidator::validate_scanned(std::string_view id, Detail detail) const {
  const size_t n = id.size();
  uint8_t d[FilterScan::kMaxDigits];
  unsigned over = 0;
  for (size_t i = 0; i < n; ++i) {
    const unsigned v = static_cast<unsigned char>(id[i] - '0');
    d[i] = static_cast<uint8_t>(v);
    over |= v + 6;  // reaches 16 exactly when some character is not '0'..'9'
  }
  // Nothing after the digit check runs on non-digits: the stepwise path reports it.
  if (over > 15) return validate_stepwise(id, detail);

  const bool uin = policy_.type == IdType::kUin;
  const bool bad_length = n != static_cast<size_t>(policy_.length);
  const bool bad_start = uin && d[0] <= 1;  // 206, hard-coded in MOSIP's UIN validator
  const uint32_t filters = scan_.hits(id, d);
  const bool bad_checksum = !verhoeff_valid_digits(d, n);
  // 207 / 208 compare the first N digits with the last N, reversed or not; off when N > n.
  const size_t rn = reversed_limit_ <= n ? reversed_limit_ : 0;
  const size_t ln = first_last_limit_ <= n ? first_last_limit_ : 0;
  bool reversed = rn > 0, first_last = ln > 0;
  for (size_t k = 0; k < rn; ++k) reversed &= d[k] == d[n - 1 - k];
  for (size_t k = 0; k < ln; ++k) first_last &= d[k] == d[n - ln + k];
  if (!(bad_length | bad_start | (filters != 0) | bad_checksum | reversed | first_last)) return {};

  // Report in MOSIP's order, as the stepwise path does (Detail::kFirst stops at the first).
  const bool vid = policy_.type == IdType::kVid;
  Collector c{{}, detail == Detail::kAll};
  if (bad_length && c.fail(uin   ? IdError::kUinLength
                           : vid ? IdError::kVidLength
                                 : IdError::kPridLength))
    return c.r;
  if (bad_start && c.fail(IdError::kUinStart)) return c.r;
  // kFirst reports filter_hits' first hit. Validator groups use no generator-only filter
  // (FilterScan refuses them), and for the rest filter_hits' order is the order of the bits.
  c.r.filters = c.all ? filters : filters & (~filters + 1);
  if (filters != 0 && c.fail(uin   ? IdError::kUinFilter
                             : vid ? IdError::kVidFilter
                                   : IdError::kPridFilter))
    return c.r;
  if (bad_checksum && c.fail(uin   ? IdError::kUinChecksum
                             : vid ? IdError::kVidChecksum
                                   : IdError::kPridChecksum))
    return c.r;
  if (reversed && c.fail(IdError::kUinReversed)) return c.r;
  if (first_last) c.fail(IdError::kUinFirstLast);
  return c.r;
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
  c.r.filters = filter_hits(id, filters_, c.all);
  if (c.r.filters != 0 && c.fail(IdError::kUinFilter)) return c.r;
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
  c.r.filters = filter_hits(id, filters_, c.all);
  if (c.r.filters != 0 && c.fail(vid ? IdError::kVidFilter : IdError::kPridFilter)) return c.r;
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
