#include "ids/licence.h"

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
