// How operators manage trusted senders (trusted_senders.h): the admin routes under a module's
// path (add, list, get, disable, fetch-key; bearer scope of the module's choosing) and the CLI
// verbs `senders add|list|disable|fetch-key`. The IBR server mounts them at /v1/ibr/senders and
// `registrar ibr senders`, the DCI client at /v1/dci/senders and `registrar dci senders`.
#pragma once

#include <functional>
#include <string>

#include "core/config.h"
#include "dci/sender_keys.h"
#include "dci/trusted_senders.h"
#include "http/router.h"

namespace CLI {
class App;
}
namespace registrar::app {
class ServiceProvider;
}

namespace registrar::dci {

// Routes {base}, {base}/{sender_id}, {base}/{sender_id}/disable and {base}/{sender_id}/fetch-key,
// each requiring `scope`. The routes' errors are the router's default (problem+json).
void add_sender_admin_routes(http::Router& router, const std::string& base,
                             const std::string& scope, TrustedSenders& senders, SenderKeys& keys);

struct SenderCli {
  SenderTable table;
  // The JWKS settings of the module, read from its config when fetch-key runs.
  std::function<JwksSettings(const core::Config&)> jwks;
};

// Adds `senders` with add, list, disable and fetch-key under `parent`.
void add_sender_commands(CLI::App& parent, app::ServiceProvider& provider, SenderCli cli);

}  // namespace registrar::dci
