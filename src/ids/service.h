// The ids module's service: issuance (through the group-commit Issuer), status changes with
// audit entries, validation, capacity, RIDs, sequence IDs, token IDs and licence keys. Throws
// core::Error; knows nothing of HTTP.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/background.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "ids/capacity.h"
#include "ids/config.h"
#include "ids/issuer.h"
#include "ids/licence.h"
#include "ids/records.h"
#include "ids/validators.h"
#include "services/sealing.h"
#include "store/database.h"

namespace registrar::ids {

// "uin" / "vid" / "prid" -> type; nullopt otherwise.
std::optional<IdType> parse_id_type(std::string_view name);

// The issuance key: ids.issuance.key when set, else the one kept in the database (generated and
// stored on first use, so every instance on the database shares it). With `sealing` (identity's
// master key) the stored key is sealed, so that reading the database does not let anyone predict
// future IDs; a plaintext key left by an older version is sealed in place on first use. Without
// sealing (tests, a binary without identity) it is stored as it is. Throws core::Error
// (kUnavailable) when the stored key was sealed by another master key.
std::string load_issuance_key(store::Database& db, const IssuanceConfig& config,
                              const services::Sealing* sealing = nullptr);

enum class StatusOutcome { kOk, kNotFound, kNotIssued, kBadStatus };

struct StatusChange {
  StatusOutcome outcome = StatusOutcome::kOk;
  std::string status;  // the new status when ok; the current one for kNotIssued
};

struct IdRecord {
  IssuedRow row;
  std::string effective_status;  // row.status, or EXPIRED for a VID past its expiry
};

struct CapacityReport {
  Capacity capacity;
  int64_t issued = 0;
};

enum class SequenceKind { kMachine, kCentre, kMisp, kPartner };
std::optional<SequenceKind> parse_sequence_kind(std::string_view name);
const char* sequence_kind_name(SequenceKind k);

struct LicenceInfo {
  LicenceRow row;
  LicenceStatus effective = LicenceStatus::kActive;
};

enum class PermissionOutcome { kOk, kNotFound, kNotAccepted };

struct LicencePermissions {
  PermissionOutcome outcome = PermissionOutcome::kOk;
  std::optional<LicenceInfo> licence;    // when found
  std::vector<std::string> permissions;  // as stored (after the change, when one was made)
  std::string refused;                   // kNotAccepted: the first permission not configured
};

class IdsService {
 public:
  // Issuance batches run on `background`, which must outlive the service.
  // `sealing`: see load_issuance_key.
  IdsService(IdsConfig config, store::Database& db, const core::Clock& clock,
             core::Background& background, core::Metrics* metrics = nullptr,
             const services::Sealing* sealing = nullptr);
  ~IdsService();

  const IdsConfig& config() const { return config_; }
  const IdValidator& validator(IdType t) const { return *validators_[size_t(t)]; }
  const core::Clock& clock() const { return clock_; }

  // ---- issuance ----
  void issue_async(IssueRequest request, IssueCallback done) {
    issuer_->submit(std::move(request), std::move(done));
  }
  IssueOutcome issue(IssueRequest request) { return issuer_->issue(std::move(request)); }
  void stop() { issuer_->stop(); }

  // MOSIP PUT semantics: unknown -> kNotFound; not ISSUED -> kNotIssued; `status` other than
  // ASSIGNED / UNASSIGNED -> kBadStatus. Audited as ids.<type>.status.
  StatusChange change_status(IdType type, const std::string& id, const std::string& status,
                             const std::string& actor, const std::string& request_id);
  std::optional<IdRecord> find(IdType type, const std::string& id);

  // ---- capacity (computed once per type, then cached) ----
  CapacityReport capacity(IdType type);

  // ---- RID, sequence IDs, token ID ----
  RidBuild next_rid(std::string_view centre, std::string_view machine);
  // The next machine / centre / MISP / partner ID; throws core::Error(kUnavailable) when the
  // configured length is used up. Audited.
  std::string next_sequence_id(SequenceKind kind, const std::string& actor,
                               const std::string& request_id);
  // Throws core::Error(kUnavailable) when the salts are not configured, kInvalidArgument on
  // empty input.
  std::string token_id(std::string_view uin, std::string_view partner_code) const;

  // ---- licence keys ----
  LicenceInfo create_licence(const std::string& partner, std::optional<int64_t> expires_ms,
                             const std::string& actor, const std::string& request_id);
  // The validation result (KER-LKM-006/004/005, REG-IDV-601..603) and the record when known.
  std::pair<ValidationResult, std::optional<LicenceInfo>> check_licence(const std::string& key);
  // Throws kNotFound / kConflict (transition refused) / kInvalidArgument.
  LicenceInfo licence_action(const std::string& key, LicenceAction action,
                             std::optional<int64_t> new_expiry_ms, const std::string& actor,
                             const std::string& request_id);
  // MOSIP's licence permissions (spec §4.4). The licence must exist and, when `partner` is
  // given, belong to it (MOSIP's TSP-licence map), else kNotFound (KER-LKM-004); then every
  // permission must be in ids.licence.permissions, else kNotAccepted (KER-LKM-003) and nothing
  // changes. `replace`: the set becomes `permissions`; otherwise the new ones are added after
  // the stored ones. Audited as ids.licence.permissions. The licence's status is not checked
  // (MOSIP maps permissions to expired keys too).
  LicencePermissions map_licence_permissions(const std::string& key,
                                             const std::optional<std::string>& partner,
                                             const std::vector<std::string>& permissions,
                                             bool replace, const std::string& actor,
                                             const std::string& request_id);
  // The stored permissions and the licence with its effective status (the caller decides what
  // an expired or blocked licence answers); kNotFound as above.
  LicencePermissions licence_permissions(const std::string& key,
                                         const std::optional<std::string>& partner);

 private:
  int64_t now_ms() const;

  IdsConfig config_;
  store::Database& db_;
  const core::Clock& clock_;
  std::array<std::unique_ptr<IdValidator>, 3> validators_;
  std::unique_ptr<Issuer> issuer_;
  std::mutex capacity_mu_;
  std::map<int, Capacity> capacity_cache_;
};

}  // namespace registrar::ids
