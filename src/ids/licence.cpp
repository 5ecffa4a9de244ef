#include "ids/licence.h"

#include <algorithm>

#include "core/text.h"

namespace registrar::ids {

std::string generate_licence_key(size_t length, const std::function<uint32_t(uint32_t)>& uniform) {
  std::string key(length, '\0');
  for (auto& c : key) c = kLicenceAlphabet[uniform(static_cast<uint32_t>(kLicenceAlphabet.size()))];
  return key;
}

bool licence_key_well_formed(std::string_view key, size_t length) {
  if (key.size() != length) return false;
  for (char c : key)
    if (kLicenceAlphabet.find(c) == std::string_view::npos) return false;
  return true;
}

const char* licence_status_name(LicenceStatus s) {
  switch (s) {
    case LicenceStatus::kActive:
      return "ACTIVE";
    case LicenceStatus::kExpired:
      return "EXPIRED";
    case LicenceStatus::kSuspended:
      return "SUSPENDED";
    case LicenceStatus::kBlocked:
      return "BLOCKED";
  }
  return "?";
}

std::optional<LicenceStatus> parse_licence_status(std::string_view name) {
  for (auto s : {LicenceStatus::kActive, LicenceStatus::kExpired, LicenceStatus::kSuspended,
                 LicenceStatus::kBlocked})
    if (name == licence_status_name(s)) return s;
  return std::nullopt;
}

LicenceStatus effective_status(const LicenceRecord& r, TimePoint now) {
  if (r.status == LicenceStatus::kBlocked) return r.status;
  if (now > r.expires) return LicenceStatus::kExpired;  // MOSIP: expired when now > expiry
  return r.status;
}

LicenceTransition apply_licence_action(const LicenceRecord& r, LicenceAction action, TimePoint now,
                                       std::optional<TimePoint> new_expiry) {
  const LicenceStatus cur = effective_status(r, now);
  LicenceTransition t;
  auto refuse = [&](const char* what) {
    t.error = std::string("cannot ") + what + " a licence that is " + licence_status_name(cur);
    return t;
  };
  t.record = r;
  switch (action) {
    case LicenceAction::kSuspend:
      if (cur != LicenceStatus::kActive) return refuse("suspend");
      t.record.status = LicenceStatus::kSuspended;
      break;
    case LicenceAction::kReactivate:
      if (cur != LicenceStatus::kSuspended) return refuse("reactivate");
      t.record.status = LicenceStatus::kActive;
      break;
    case LicenceAction::kBlock:
      if (cur == LicenceStatus::kBlocked) return refuse("block");
      t.record.status = LicenceStatus::kBlocked;
      break;
    case LicenceAction::kRenew:
      if (cur == LicenceStatus::kBlocked) return refuse("renew");
      if (!new_expiry || *new_expiry <= now) {
        t.error = "the new expiry must be in the future";  // KER-LKM-008's rule
        return t;
      }
      t.record.expires = *new_expiry;
      if (cur == LicenceStatus::kExpired) t.record.status = LicenceStatus::kActive;
      break;
  }
  t.ok = true;
  return t;
}

ValidationResult validate_licence_key(std::string_view key, size_t length,
                                      const LicenceRecord* record, TimePoint now) {
  ValidationResult r;
  if (key.empty())
    r.error = IdError::kLicenceEmpty;
  else if (!licence_key_well_formed(key, length))
    r.error = IdError::kLicenceInvalid;
  else if (!record)
    r.error = IdError::kLicenceNotFound;
  else
    switch (effective_status(*record, now)) {
      case LicenceStatus::kActive:
        break;
      case LicenceStatus::kBlocked:
        r.error = IdError::kLicenceBlocked;
        break;
      case LicenceStatus::kExpired:
        r.error = IdError::kLicenceExpired;
        break;
      case LicenceStatus::kSuspended:
        r.error = IdError::kLicenceSuspended;
        break;
    }
  if (!r.ok()) r.errors = uint64_t{1} << static_cast<unsigned>(r.error);
  return r;
}

std::vector<std::string> default_licence_permissions() {
  return {"OTP Trigger",
          "OTP Authentication",
          "Demo Authentication - Identity Data Match",
          "Demo Authentication - Address Data Match",
          "Demo Authentication - Full Address Data Match",
          "Demo Authentication - Secondary Language Match",
          "Biometric Authentication - FMR Data Match",
          "Biometric Authentication - IIR Data Match",
          "Biometric Authentication - FID Data Match",
          "Static Pin Authentication",
          "eKYC - limited",
          "eKYC - Full",
          "eKYC - No"};
}

bool licence_permission_allowed(const std::vector<std::string>& allowed,
                                std::string_view permission) {
  return std::find(allowed.begin(), allowed.end(), permission) != allowed.end();
}

std::vector<std::string> merge_licence_permissions(std::vector<std::string> stored,
                                                   const std::vector<std::string>& added) {
  for (const auto& p : added)
    if (std::find(stored.begin(), stored.end(), p) == stored.end()) stored.push_back(p);
  return stored;
}

namespace {

// ±HH:MM[:SS] at `pos` to the end of `s`, in seconds east of UTC.
std::optional<int> read_offset(std::string_view s, size_t pos) {
  const int sign = s[pos] == '-' ? -1 : 1;
  int h = 0, m = 0, sec = 0;
  if (!core::read_digits(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
      !core::read_digits(s, pos + 4, 2, m))
    return std::nullopt;
  pos += 6;
  if (pos < s.size()) {
    if (s[pos] != ':' || !core::read_digits(s, pos + 1, 2, sec) || pos + 3 != s.size())
      return std::nullopt;
  }
  const int total = h * 3600 + m * 60 + sec;
  if (m > 59 || sec > 59 || total > 18 * 3600) return std::nullopt;
  return sign * total;
}

}  // namespace

std::optional<int64_t> parse_licence_expiry_ms(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!core::read_digits(s, 0, 4, y) || s.size() < 16 || s[4] != '-' ||
      !core::read_digits(s, 5, 2, mo) || s[7] != '-' || !core::read_digits(s, 8, 2, d) ||
      (s[10] != 'T' && s[10] != 't') || !core::read_digits(s, 11, 2, h) || s[13] != ':' ||
      !core::read_digits(s, 14, 2, mi))
    return std::nullopt;
  size_t pos = 16;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!core::read_digits(s, pos + 1, 2, se)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      size_t n = 0;
      for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++n)
        if (n < 3) millis = millis * 10 + (s[pos] - '0');
      if (n < 1 || n > 9) return std::nullopt;
      for (; n < 3; ++n) millis *= 10;
    }
  }
  int offset = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      if (pos + 1 != s.size()) return std::nullopt;
    } else if (s[pos] == '+' || s[pos] == '-') {
      auto o = read_offset(s, pos);
      if (!o) return std::nullopt;
      offset = *o;
    } else {
      return std::nullopt;
    }
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                            std::chrono::day(unsigned(d))};
  if (!date.ok() || h > 23 || mi > 59 || se > 59) return std::nullopt;
  const int64_t seconds_utc = int64_t(sys_days(date).time_since_epoch().count()) * 86'400 +
                              h * 3600 + mi * 60 + se - offset;
  return seconds_utc * 1000 + millis;
}

PartnerStatus partner_id_status(std::string_view id, int length,
                                std::optional<bool> registered_active) {
  if (id.size() != static_cast<size_t>(length) || !all_ascii_digits(id) || !registered_active)
    return PartnerStatus::kInvalid;
  return *registered_active ? PartnerStatus::kActive : PartnerStatus::kInactive;
}

ValidationResult validate_partner_id(std::string_view id, int length,
                                     std::optional<bool> registered_active) {
  ValidationResult r;
  if (id.empty() || id.size() != static_cast<size_t>(length) || !all_ascii_digits(id))
    r.error = IdError::kPartnerInvalid;
  else if (!registered_active)
    r.error = IdError::kPartnerUnknown;
  else if (!*registered_active)
    r.error = IdError::kPartnerInactive;
  if (!r.ok()) r.errors = uint64_t{1} << static_cast<unsigned>(r.error);
  return r;
}

}  // namespace registrar::ids
