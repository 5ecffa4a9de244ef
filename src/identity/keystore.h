// Signing keys kept in the database, sealed with the master key, rotated without downtime.
//
// A key's state is derived from its timestamps and the clock, so no background job moves keys
// along and every instance agrees once it has reloaded the table:
//   pending   now < activate_at                 published in the JWKS, not yet signing
//   active    activate_at <= now < retire_at    signing (the newest active key signs)
//   retiring  retire_at <= now < verify_until   published, verifies tokens it signed earlier
//   retired   verify_until <= now               gone from the JWKS, verifies nothing
// `rotate` publishes a new key that activates after `publish_delay` (longer than any JWKS cache)
// and schedules the current key to retire at that moment and to stay verifiable for the longest
// token lifetime plus clock skew.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/background.h"
#include "core/clock.h"
#include "core/thread_annotations.h"
#include "crypto/jws.h"
#include "identity/secrets.h"
#include "store/database.h"

namespace registrar::identity {

enum class KeyState { kPending, kActive, kRetiring, kRetired };
const char* key_state_name(KeyState s);

// The kid of a new key: 16 characters of its RFC 7638 thumbprint (base64url), from the first one
// that is not '-'. Operators type kids as command-line arguments, where a leading '-' reads as an
// option (one key in 64 would otherwise need `--` before its kid).
std::string kid_from_thumbprint(std::string_view thumbprint);

struct KeySettings {
  crypto::JwsAlg alg = crypto::JwsAlg::kEdDSA;
  int64_t publish_delay_seconds = 300;
  int64_t token_ttl_seconds = 3600;
  int64_t clock_skew_seconds = 60;
  std::chrono::seconds reload_interval{10};
};

struct KeyInfo {
  std::string kid;
  crypto::JwsAlg alg;
  KeyState state;
  int64_t created_at, activate_at;
  std::optional<int64_t> retire_at, verify_until;
};

class KeyStore {
 public:
  KeyStore(store::Database& db, const core::Clock& clock, MasterKey master, KeySettings settings);

  // On first start: creates a key that signs at once when the table has none.
  void ensure_signing_key();
  // A new key. `activate_now` makes it sign at once (first key, or an operator's choice);
  // otherwise it activates after the publish delay. Nothing retires.
  KeyInfo create_key(std::optional<crypto::JwsAlg> alg, bool activate_now,
                     const std::string& actor);
  // A new key that takes over from the current signing key after the publish delay.
  KeyInfo rotate(std::optional<crypto::JwsAlg> alg, const std::string& actor);
  std::vector<KeyInfo> list();

  // A compromised key, retired at once: it stops signing and verifying now (here at once; on
  // other instances at their next refresh of the revocation state, identity.revocation.refresh_ms,
  // which also reloads their key store). When no other key would be signing, a new key is created
  // that signs at once — the safer choice than refusing: a compromised key must not go on
  // signing, and the service goes on issuing tokens (relying parties that cache our JWKS learn
  // the new key when they meet its unknown kid). Throws kNotFound / kConflict (already retired).
  struct Retirement {
    KeyInfo retired;
    std::optional<KeyInfo> replacement;
  };
  Retirement retire_now(const std::string& kid, const std::string& actor);

  struct Signer {
    std::string kid;
    crypto::JwsAlg alg;
    crypto::PrivateKey key;
  };
  // The newest active key; throws core::Error(kUnavailable) when none is active.
  Signer signer();
  // A published, not retired key with this kid whose algorithm is `alg`.
  std::optional<crypto::PublicKey> verification_key(std::string_view kid, crypto::JwsAlg alg);
  // {"keys":[...]} of every published key.
  crypto::Json jwks();

  // Re-reads the table now (tests, and the CLI after a change).
  void reload();

  // From now on the table is re-read every reload_interval by a job on `background`, and a
  // request never waits for the database: reads use the last good set (a failed reload is
  // logged and keeps it), and an unknown kid asks for an early reload (at most once a second)
  // instead of reading inline. Without it (CLI, tests) a read older than reload_interval reloads
  // on the caller's thread. Call once, after the first load; stop_refresh() before `background`
  // stops or this store goes.
  void refresh_in_background(core::Background& background) EXCLUDES(mu_);
  void stop_refresh() EXCLUDES(mu_);

  // The master key the private keys are sealed with (shared with ModuleKeys and the sealing
  // service); lives as long as this store.
  const MasterKey& master_key() const { return master_; }

 private:
  struct Entry {
    KeyInfo info;  // state computed at use
    crypto::PublicKey pub;
    std::optional<crypto::PrivateKey> priv;
  };
  struct Snapshot {
    std::vector<Entry> entries;
    std::chrono::steady_clock::time_point loaded;
  };
  std::shared_ptr<const Snapshot> snapshot(bool force = false) EXCLUDES(mu_);
  KeyState state_at(const KeyInfo& k, int64_t now) const;
  KeyInfo insert_new_key(soci::session& s, crypto::JwsAlg alg, int64_t activate_at,
                         const std::string& actor, const char* action);

  store::Database& db_;
  const core::Clock& clock_;
  MasterKey master_;
  KeySettings settings_;
  core::Mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_ GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_forced_ GUARDED_BY(mu_){};
  core::Background* background_ GUARDED_BY(mu_) = nullptr;
  core::Job refresher_;  // set by refresh_in_background, cancelled by stop_refresh
  void reload_logged() EXCLUDES(mu_);
};

}  // namespace registrar::identity
