// Machines as the cursor API sees them, kept between requests (docs/sync.md, "Pull at the
// head"): a pull at the head then costs one statement instead of seven. An entry is trusted only
// where it is checked: the pull's own statement returns, from its snapshot, the sequence numbers
// of the machine row, its centre's rows and its latest scope record, and a pull whose entry
// disagrees reloads it and starts over — a moved, deleted or deactivated machine takes effect at
// its next pull. Deleted and inactive machines are not kept (their refusal is read each time).
// The machine authenticator uses entries for GET (the pull) only; a push reads the machine from
// the database. Thread-safe; loads block (database): call from workers.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/thread_annotations.h"
#include "crypto/keys.h"
#include "sync/pull_plan.h"
#include "sync/service.h"

namespace registrar::sync {

struct CachedMachine {
  MachineContext context;
  // What the entry was read from (store.h PullProbe): -1 for none.
  int64_t machine_seq = -1, centre_seq = -1;
  std::vector<ScopeRecord> records;           // ascending; empty before the machine's first pull
  std::string sign_key_index;                 // lower case; "" when the machine has no signing key
  std::optional<crypto::PublicKey> sign_key;  // parsed; nullopt when absent or unusable
  int64_t scopes_since() const { return records.empty() ? -1 : records.back().since; }
};

class MachineCache {
 public:
  // Past `capacity` machines the cache is emptied (machines re-read at their next request).
  explicit MachineCache(SyncService& service, size_t capacity = 10000);

  SyncService& service() { return service_; }
  // Cached, else read (and cached); nullptr when no machine has that id / key index.
  std::shared_ptr<const CachedMachine> by_id(const std::string& machine_id) EXCLUDES(mu_);
  std::shared_ptr<const CachedMachine> by_key_index(const std::string& key_index) EXCLUDES(mu_);
  // Read now (and cached).
  std::shared_ptr<const CachedMachine> reload(const std::string& machine_id) EXCLUDES(mu_);
  // A machine read from the database, not cached.
  std::shared_ptr<const CachedMachine> read(const std::string& machine_id);
  size_t size() const EXCLUDES(mu_);

 private:
  std::shared_ptr<const CachedMachine> load(soci::session& s, const std::string& machine_id);
  void put(const std::shared_ptr<const CachedMachine>& m) EXCLUDES(mu_);

  SyncService& service_;
  const size_t capacity_;
  mutable core::Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const CachedMachine>> by_id_ GUARDED_BY(mu_);
  std::unordered_map<std::string, std::string> id_by_key_ GUARDED_BY(mu_);
};

}  // namespace registrar::sync
