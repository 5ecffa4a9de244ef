#include "ids/service.h"

#include "core/error.h"
#include "core/random.h"
#include "ids/store.h"
#include "store/audit.h"

namespace registrar::ids {

namespace {

constexpr const char* kKeySetting = "issuance_key";  // plaintext: without sealing, or old
constexpr const char* kSealedKeySetting = "issuance_key_sealed";
constexpr const char* kSealingContext = "ids.issuance_key";

TimePoint to_tp(int64_t ms) {
  return std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
}

int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

void audit(soci::session& s, const core::Clock& clock, const std::string& actor,
           const std::string& action, const std::string& subject, const std::string& request_id,
           nlohmann::json detail) {
  store::append_audit(s, {actor, action, subject, request_id, std::move(detail)}, clock.now());
}

}  // namespace

std::optional<IdType> parse_id_type(std::string_view name) {
  if (name == "uin") return IdType::kUin;
  if (name == "vid") return IdType::kVid;
  if (name == "prid") return IdType::kPrid;
  return std::nullopt;
}

std::optional<SequenceKind> parse_sequence_kind(std::string_view name) {
  if (name == "machine") return SequenceKind::kMachine;
  if (name == "centre" || name == "center") return SequenceKind::kCentre;
  if (name == "misp") return SequenceKind::kMisp;
  if (name == "partner") return SequenceKind::kPartner;
  return std::nullopt;
}

const char* sequence_kind_name(SequenceKind k) {
  switch (k) {
    case SequenceKind::kMachine:
      return "machine";
    case SequenceKind::kCentre:
      return "centre";
    case SequenceKind::kMisp:
      return "misp";
    case SequenceKind::kPartner:
      return "partner";
  }
  return "";
}

std::string load_issuance_key(store::Database& db, const IssuanceConfig& config,
                              const services::Sealing* sealing) {
  if (!config.key.empty()) return config.key;
  for (int attempt = 0; attempt < 3; ++attempt) {
    try {
      return db.write([&](soci::session& s) {
        if (auto sealed = setting(s, kSealedKeySetting)) {
          if (!sealing)
            throw core::Error(core::ErrorKind::kUnavailable,
                              "the issuance key is sealed and the master key is not loaded here");
          auto key = sealing->open(*sealed, kSealingContext);
          if (!key)
            throw core::Error(core::ErrorKind::kUnavailable,
                              "the stored issuance key does not open with this master key "
                              "(identity.master_key_file)");
          return *key;
        }
        auto plain = setting(s, kKeySetting);
        if (!sealing) {
          if (plain) return *plain;
          std::string key = core::random_token(32);
          insert_setting(s, kKeySetting, key);
          return key;
        }
        // Sealed from now on; a key an older version stored in plaintext keeps its value (IDs
        // already issued depend on it) and leaves the table.
        std::string key = plain ? *plain : core::random_token(32);
        insert_setting(s, kSealedKeySetting, sealing->seal(key, kSealingContext));
        if (plain) delete_setting(s, kKeySetting);
        return key;
      });
    } catch (const std::exception& e) {
      if (!store::is_unique_violation(e)) throw;  // another instance stored it first: re-read
    }
  }
  throw core::Error(core::ErrorKind::kUnavailable, "cannot store the generated issuance key");
}

IdsService::IdsService(IdsConfig config, store::Database& db, const core::Clock& clock,
                       core::Background& background, core::Metrics* metrics,
                       const services::Sealing* sealing)
    : config_(std::move(config)), db_(db), clock_(clock) {
  for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid})
    validators_[size_t(t)] = std::make_unique<IdValidator>(config_.policy(t));
  issuer_ = std::make_unique<Issuer>(db_, clock_, background, config_,
                                     load_issuance_key(db_, config_.issuance, sealing), metrics);
}

IdsService::~IdsService() {
  issuer_->stop();
}

int64_t IdsService::now_ms() const {
  return core::to_unix_ms(clock_.now());
}

StatusChange IdsService::change_status(IdType type, const std::string& id,
                                       const std::string& status, const std::string& actor,
                                       const std::string& request_id) {
  const std::string name = id_type_name(type);
  const int64_t now = now_ms();
  StatusChange out = db_.write([&](soci::session& s) -> StatusChange {
    auto row = find_issued(s, db_.backend(), name, id, true);
    if (!row) return {StatusOutcome::kNotFound, ""};
    bool expired = row->expires_ms && *row->expires_ms <= now;
    if (row->status != kIssued || expired)
      return {StatusOutcome::kNotIssued, expired ? "EXPIRED" : row->status};
    if (status != kAssigned && status != kUnassigned) return {StatusOutcome::kBadStatus, ""};
    set_status(s, name, id, status, now);
    audit(s, clock_, actor, "ids." + name + ".status", id, request_id,
          {{"from", row->status}, {"to", status}});
    return {StatusOutcome::kOk, status};
  });
  if (out.outcome == StatusOutcome::kOk && out.status == kUnassigned)
    issuer_->note_unassigned(type);
  return out;
}

std::optional<IdRecord> IdsService::find(IdType type, const std::string& id) {
  auto row = db_.read([&](soci::session& s) {
    return find_issued(s, db_.backend(), id_type_name(type), id, false);
  });
  if (!row) return std::nullopt;
  IdRecord r{*row, row->status};
  if (row->expires_ms && *row->expires_ms <= now_ms()) r.effective_status = "EXPIRED";
  return r;
}

CapacityReport IdsService::capacity(IdType type) {
  CapacityReport r;
  {
    std::lock_guard lk(capacity_mu_);
    auto it = capacity_cache_.find(int(type));
    if (it == capacity_cache_.end())
      it = capacity_cache_.emplace(int(type), ids::capacity(config_.policy(type))).first;
    r.capacity = it->second;
  }
  r.issued = db_.read([&](soci::session& s) { return count_issued(s, id_type_name(type)); });
  return r;
}

RidBuild IdsService::next_rid(std::string_view centre, std::string_view machine) {
  const auto& f = config_.rid;
  RidBuild check = build_rid(centre, machine, 0, to_tp(now_ms()), f);
  if (!check.ok()) return check;
  std::string c(centre), m(machine);
  auto trim = [](std::string& s) {
    while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.erase(0, 1);
    while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.pop_back();
  };
  trim(c);
  trim(m);
  int64_t max = 1;
  for (int i = 0; i < f.sequence_length; ++i) max *= 10;
  max -= 1;
  const int64_t now = now_ms();
  int64_t seq = db_.write([&](soci::session& s) {
    return ids::next_rid_sequence(s, db_.backend(), c, m, config_.rid_sequence_initial, max, now);
  });
  return build_rid(c, m, uint64_t(seq), to_tp(now), f);
}

std::string IdsService::next_sequence_id(SequenceKind kind, const std::string& actor,
                                         const std::string& request_id) {
  SequenceIdRule rule;
  const auto& sc = config_.sequences;
  rule.length = kind == SequenceKind::kMachine  ? sc.machine_length
                : kind == SequenceKind::kCentre ? sc.centre_length
                : kind == SequenceKind::kMisp   ? sc.misp_length
                                                : sc.partner_length;
  rule.restricted_numbers = sc.restricted_numbers;
  const std::string name = sequence_kind_name(kind);
  for (int attempt = 0;; ++attempt) {
    try {
      return db_.write([&](soci::session& s) {
        auto last = sequence_last(s, db_.backend(), name);
        auto next = ids::next_sequence_id(
            last ? std::optional<uint64_t>(uint64_t(*last)) : std::nullopt, rule);
        if (!next)
          throw core::Error(core::ErrorKind::kUnavailable, "every " + name + " ID of " +
                                                               std::to_string(rule.length) +
                                                               " digits has been issued");
        sequence_store(s, name, last, int64_t(*next), now_ms());
        std::string value = std::to_string(*next);
        audit(s, clock_, actor, "ids." + name + ".issue", value, request_id, {});
        return value;
      });
    } catch (const std::exception& e) {
      if (attempt >= 3 || !store::is_unique_violation(e)) throw;
    }
  }
}

std::string IdsService::token_id(std::string_view uin, std::string_view partner_code) const {
  if (config_.token.uin_salt.empty() || config_.token.partner_code_salt.empty())
    throw core::Error(core::ErrorKind::kUnavailable,
                      "token IDs need ids.token.uin_salt and ids.token.partner_code_salt");
  return ids::token_id(uin, partner_code, config_.token.uin_salt, config_.token.partner_code_salt,
                       config_.token.length, config_.token.variant);
}

LicenceInfo IdsService::create_licence(const std::string& partner,
                                       std::optional<int64_t> expires_ms, const std::string& actor,
                                       const std::string& request_id) {
  if (partner.empty()) throw core::invalid_argument("the partner (tspId) is required", "tspId");
  const int64_t now = now_ms();
  int64_t expiry = expires_ms.value_or(now + config_.licence_default_days * 86'400'000);
  if (expiry < now)  // MOSIP: isBefore(now)
    throw core::invalid_argument("the licence expiry must not be in the past", "licenseExpiryTime");
  LicenceRow row;
  row.key = generate_licence_key(config_.licence_length, core::random_uniform);
  row.partner = partner;
  row.status = licence_status_name(LicenceStatus::kActive);
  row.expires_ms = expiry;
  row.created_ms = row.updated_ms = now;
  db_.write([&](soci::session& s) {
    insert_licence(s, row);
    audit(s, clock_, actor, "ids.licence.create", row.key.substr(0, 4) + "…", request_id,
          {{"partner", partner}, {"expires_at", expiry}});
  });
  return {row, LicenceStatus::kActive};
}

std::pair<ValidationResult, std::optional<LicenceInfo>> IdsService::check_licence(
    const std::string& key) {
  std::optional<LicenceRow> row;
  if (licence_key_well_formed(key, config_.licence_length))
    row = db_.read([&](soci::session& s) { return find_licence(s, db_.backend(), key, false); });
  LicenceRecord rec;
  if (row)
    rec = {parse_licence_status(row->status).value_or(LicenceStatus::kBlocked),
           to_tp(row->expires_ms)};
  auto now = to_tp(now_ms());
  auto result = validate_licence_key(key, config_.licence_length, row ? &rec : nullptr, now);
  if (!row) return {result, std::nullopt};
  return {result, LicenceInfo{*row, effective_status(rec, now)}};
}

LicenceInfo IdsService::licence_action(const std::string& key, LicenceAction action,
                                       std::optional<int64_t> new_expiry_ms,
                                       const std::string& actor, const std::string& request_id) {
  const int64_t now = now_ms();
  return db_.write([&](soci::session& s) {
    auto row = find_licence(s, db_.backend(), key, true);
    if (!row) throw core::not_found("no such licence key");
    LicenceRecord rec{parse_licence_status(row->status).value_or(LicenceStatus::kBlocked),
                      to_tp(row->expires_ms)};
    std::optional<TimePoint> ne;
    if (new_expiry_ms) ne = to_tp(*new_expiry_ms);
    auto t = apply_licence_action(rec, action, to_tp(now), ne);
    if (!t.ok) throw core::conflict(t.error, "action");
    row->status = licence_status_name(t.record.status);
    row->expires_ms = to_ms(t.record.expires);
    row->updated_ms = now;
    update_licence(s, key, row->status, row->expires_ms, now);
    audit(s, clock_, actor, "ids.licence.status", key.substr(0, 4) + "…", request_id,
          {{"from", licence_status_name(rec.status)}, {"to", row->status}});
    return LicenceInfo{*row, effective_status(t.record, to_tp(now))};
  });
}

namespace {

LicenceInfo licence_info(const LicenceRow& row, TimePoint now) {
  LicenceRecord rec{parse_licence_status(row.status).value_or(LicenceStatus::kBlocked),
                    to_tp(row.expires_ms)};
  return {row, effective_status(rec, now)};
}

bool belongs(const LicenceRow& row, const std::optional<std::string>& partner) {
  return !partner || row.partner == *partner;
}

}  // namespace

LicencePermissions IdsService::map_licence_permissions(const std::string& key,
                                                       const std::optional<std::string>& partner,
                                                       const std::vector<std::string>& permissions,
                                                       bool replace, const std::string& actor,
                                                       const std::string& request_id) {
  const int64_t now = now_ms();
  return db_.write([&](soci::session& s) {
    LicencePermissions out;
    auto row = find_licence(s, db_.backend(), key, true);  // serialises mappings of one key
    if (!row || !belongs(*row, partner)) {
      out.outcome = PermissionOutcome::kNotFound;
      return out;
    }
    out.licence = licence_info(*row, to_tp(now));
    for (const auto& p : permissions)
      if (!licence_permission_allowed(config_.licence_permissions, p)) {
        out.outcome = PermissionOutcome::kNotAccepted;
        out.refused = p;
        out.permissions = ids::licence_permissions(s, key);
        return out;
      }
    auto before = ids::licence_permissions(s, key);
    out.permissions =
        merge_licence_permissions(replace ? std::vector<std::string>{} : before, permissions);
    if (out.permissions != before) {
      set_licence_permissions(s, key, out.permissions);
      audit(s, clock_, actor, "ids.licence.permissions", key.substr(0, 4) + "…", request_id,
            {{"from", before}, {"to", out.permissions}});
    }
    return out;
  });
}

LicencePermissions IdsService::licence_permissions(const std::string& key,
                                                   const std::optional<std::string>& partner) {
  const int64_t now = now_ms();
  return db_.read([&](soci::session& s) {
    LicencePermissions out;
    auto row = find_licence(s, db_.backend(), key, false);
    if (!row || !belongs(*row, partner)) {
      out.outcome = PermissionOutcome::kNotFound;
      return out;
    }
    out.licence = licence_info(*row, to_tp(now));
    out.permissions = ids::licence_permissions(s, key);
    return out;
  });
}

}  // namespace registrar::ids
