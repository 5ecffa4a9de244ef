// The data sources as a service: validation, sealing of the secrets with identity's master key
// (services::Sealing, the context bound to the source's code and the field), audit, and an
// in-memory snapshot that the SourceClient reads without touching the database. Blocking
// methods (database) run on workers; snapshot() never blocks.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/thread_annotations.h"
#include "dci_client/data_source.h"
#include "services/sealing.h"
#include "store/database.h"

namespace registrar::dci_client {

// The sealing context of a source's secret: a sealed value copied onto another source or into
// another field does not open.
std::string sealing_context(const std::string& code, const char* field);

class DataSources {
 public:
  using Map = std::map<std::string, DataSource, std::less<>>;

  // `sealing` null: secrets are refused with a message that says where to set them (the CLI
  // has no master key, app/cli_services.h), and stored sealed ones stay unopened.
  DataSources(store::Database& db, const core::Clock& clock, const services::Sealing* sealing);

  // Adds a new source (audited); kConflict when the code is taken. Blocking.
  DataSource create(const SourceInput& input, const std::string& actor,
                    const std::string& request_id);
  // Replaces the source `code` (PUT): every field from the input, the secrets it leaves unset
  // kept. kNotFound when unknown; kInvalidArgument when the input names another code. Blocking.
  DataSource replace(const std::string& code, SourceInput input, const std::string& actor,
                     const std::string& request_id);
  DataSource set_state(const std::string& code, SourceState state, const std::string& actor,
                       const std::string& request_id);
  DataSource set_active(const std::string& code, bool active, const std::string& actor,
                        const std::string& request_id);
  void remove(const std::string& code, const std::string& actor, const std::string& request_id);

  // As stored now, secrets opened. Blocking.
  std::optional<DataSource> find(const std::string& code);
  std::vector<DataSource> list();

  // Called (on the caller's thread, blocking allowed) after a source was created or replaced:
  // the module makes its sender id's signing key there, so that our JWKS publishes it before
  // the first request. Set before use (start()); a throw is logged, the change stays.
  void on_saved(std::function<void(const DataSource&)> hook) { on_saved_ = std::move(hook); }

  // Reads every source into the snapshot (secrets opened). Blocking.
  void reload();
  // Any thread, never blocks on the database.
  std::shared_ptr<const Map> snapshot() const EXCLUDES(mu_);

 private:
  DataSource sealed(const DataSource& source) const;
  void saved(const DataSource& source) const;
  DataSource opened(DataSource source) const;
  // Runs `change` in a write transaction with the source as stored (kNotFound when none),
  // audits `action` with the result, reloads, returns the result.
  template <typename F>
  DataSource change(const std::string& code, const std::string& action, const std::string& actor,
                    const std::string& request_id, F&& change);

  store::Database& db_;
  const core::Clock& clock_;
  const services::Sealing* sealing_;
  std::function<void(const DataSource&)> on_saved_;
  mutable core::Mutex mu_;
  std::shared_ptr<const Map> snapshot_ GUARDED_BY(mu_);
};

}  // namespace registrar::dci_client
