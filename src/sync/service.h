// The master-data service: validated writes (fields, references, machine keys, scopes) and the
// reads the admin API, the MOSIP routes and the cursor API share. Blocking (database): call from
// workers. Thread-safe: its only mutable state is the last-sync times (a locked map).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/thread_annotations.h"
#include "store/database.h"
#include "sync/catalogue.h"
#include "sync/store.h"

namespace registrar::sync {

struct SyncSettings {
  // MOSIP's registration client module id (mosip.syncdata.regclient.module.id): machines receive
  // the templates of this module only.
  std::string template_module = "10002";
};

// A machine as the sync routes need it: found by a key index, bound to its centre.
struct MachineContext {
  std::string id;
  std::string centre;            // "" when the machine has none
  std::string holiday_location;  // the centre's holidayLocationCode, "" when none
  std::string lang;              // the centre's first language row, for MOSIP's holiday rule
  // The machineTypeCode of its specification (machineSpecId; first language row), "" when none:
  // MOSIP wraps keys for machines of type ANDROID differently (machine_crypto.h).
  std::string machine_type;
  Json machine;  // the machine row's fields
  bool active = true, deleted = false;
  std::vector<std::string> scopes;  // catalogue.h machine_scopes
  int64_t row_seq = 0;              // the machine row's seq when read (machine_cache.h)
};

// Lower-case hex SHA-256 of the key's DER SubjectPublicKeyInfo, bytes joined with ':'
// (MOSIP's CryptoUtil.computeFingerPrint, spec §6.1). Takes PEM or base64 DER (what MOSIP
// clients send); throws core::Error(kInvalidArgument) naming `field` when it is neither.
std::string key_index_of(std::string_view public_key, const std::string& field);

class SyncService {
 public:
  SyncService(store::Database& db, const core::Clock& clock, SyncSettings settings);

  const core::Clock& clock() const { return clock_; }
  store::Database& db() { return db_; }
  const SyncSettings& settings() const { return settings_; }

  // Creates or replaces one row of `entity` from its JSON form (RowInput's fields, langCode,
  // isActive). `expected_version` as RowWrite's. Throws core::Error: kInvalidArgument naming the
  // field (kNotFound for a reference to a row that does not exist), kConflict when the version
  // does not match (the message says which the server holds).
  WriteResult put(const Entity& entity, const Json& body, const std::string& actor,
                  std::optional<int64_t> expected_version = std::nullopt);
  // Soft delete (the row stays, marked deleted, so that clients delete it too).
  WriteResult remove(const Entity& entity, const std::string& id, const std::string& lang,
                     const std::string& actor);

  // Many rows in one transaction (imports, pushes): every row is checked first; the first bad
  // one throws and nothing is written. References may point at rows earlier in the same batch.
  struct BatchItem {
    const Entity* entity = nullptr;
    Json body;
    bool remove = false;
    std::optional<int64_t> expected_version;
    std::string label;  // how errors name this item ("line 12"); "" for "[index]"
  };
  // Run inside apply_batch's transaction (pushes): `check` after every item is prepared and
  // before anything is written (it may throw to refuse: nothing is written); `done` after the
  // writes (a push records its answer in the same transaction).
  struct BatchHooks {
    std::function<void(soci::session&, const std::vector<RowWrite>&)> check;
    std::function<void(soci::session&, const std::vector<RowWrite>&,
                       const std::vector<WriteResult>&)>
        done;
  };
  std::vector<WriteResult> apply_batch(const std::vector<BatchItem>& items,
                                       const std::string& actor, const std::string& audit_action,
                                       const BatchHooks& hooks = {});

  // The row as the admin API and clients see it: fields + langCode, isActive, isDeleted, and
  // (admin only) version and the audit fields.
  static Json render(const RowState& row, bool with_audit);

  // The machine whose key (encryption or signing) has this index, case-insensitive; nullopt
  // when none.
  std::optional<MachineContext> machine_by_key_index(const std::string& key_index);
  std::optional<MachineContext> machine_by_id(const std::string& machine_id);
  // The same inside the caller's read or transaction.
  std::optional<MachineContext> machine_in(soci::session& s, const std::string& machine_id);

  // When each machine last synced (a clientsettings answer or a cursor pull), for the console.
  // Kept in memory only — a write per pull would cost more than it tells — so it starts empty
  // at each start of the server (docs/sync.md).
  void record_sync(const std::string& machine_id) EXCLUDES(last_sync_mu_);
  std::map<std::string, core::SystemTime> last_syncs() const EXCLUDES(last_sync_mu_);

 private:
  // Inside a write transaction: the RowWrite for one item, after every check.
  RowWrite prepare(soci::session& s, const Entity& entity, const Json& body, bool remove,
                   std::optional<int64_t> expected_version, const std::vector<RowWrite>& earlier);

  store::Database& db_;
  const core::Clock& clock_;
  const SyncSettings settings_;
  mutable core::Mutex last_sync_mu_;
  std::map<std::string, core::SystemTime> last_sync_ GUARDED_BY(last_sync_mu_);
};

}  // namespace registrar::sync
