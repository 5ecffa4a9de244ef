// Peers and services as operators change them (the CLI verbs and the admin API share this):
// each change checked, written and audited in one transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "intercoop/target_model.h"
#include "store/database.h"

namespace registrar::intercoop {

class TargetAdmin {
 public:
  TargetAdmin(store::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // Adds or updates a peer read from a descriptor (peer_from_descriptor); a re-import keeps
  // the active flag. True when the peer was new.
  bool import_peer(const Peer& peer, const std::string& actor, const std::string& request_id);
  // A peer added by hand: id, name and public_key_pem set, target_url / logo optional. Throws
  // core::Error: kInvalidArgument (bad id, no name, unusable key), kConflict (id taken).
  Peer add_peer(Peer peer, const std::string& actor, const std::string& request_id);
  // Throws core::Error(kNotFound) for an unknown id.
  Peer set_peer_active(const std::string& id, bool active, const std::string& actor,
                       const std::string& request_id);
  std::vector<Peer> peers();
  // By id, the `limit` after the id `after` (nullopt: from the first).
  std::vector<Peer> peers(const std::optional<std::string>& after, int limit);
  std::optional<Peer> peer(const std::string& id);

  // Throws core::Error: kInvalidArgument (bad name or field, unknown peer), kConflict.
  Service add_service(Service service, const std::string& actor, const std::string& request_id);
  // An inactive service answers 404 to packages. Throws core::Error(kNotFound).
  Service set_service_active(const std::string& name, bool active, const std::string& actor,
                             const std::string& request_id);
  std::vector<Service> services();
  // By name, the `limit` after the name `after` (nullopt: from the first).
  std::vector<Service> services(const std::optional<std::string>& after, int limit);
  std::optional<Service> service(const std::string& name);

 private:
  store::Database& db_;
  const core::Clock& clock_;
};

}  // namespace registrar::intercoop
