// The target side over HTTP (spec §4.5, issue 15): GET /intercoop/protocolVersion,
// POST /intercoop/services/<service>/activateService (and /intercoop/activateService for the
// configured default service), GET …/activateService/<uuid>, and the continuation page
// GET /intercoop/continuation/<uuid>. No bearer token: the package's signature authenticates.
// Every error under /intercoop is the §3.3 YAML body with Content-Type exactly application/yaml.
#pragma once

#include <chrono>
#include <string>

#include "core/clock.h"
#include "http/router.h"
#include "store/database.h"

namespace registrar::intercoop {

struct TargetSettings {
  std::string default_service;   // "" : /intercoop/activateService answers 404
  std::string continuation_url;  // template with {uuid}; "" : our own continuation page
  std::chrono::seconds token_ttl{3600};
  std::string peer_id;  // intercoop.peer_id: a 2.0 package's targetpeer; "" refuses all 2.0
};

class Receiver;

// `receiver` (receiver.h) takes the packages posted to activateService; it outlives the router.
void add_target_routes(http::Router& router, store::Database& db, const core::Clock& clock,
                       const TargetSettings& settings, Receiver& receiver);

}  // namespace registrar::intercoop
