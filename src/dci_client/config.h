// The dci_client module's settings (keys under dci_client.*; docs/operations.md lists them).
// Each part of the module adds its own keys here.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/config.h"

namespace registrar::dci_client {

// How the SourceClient sends (source_client.h).
struct ClientSettings {
  // Key id of our Ed25519 signing key. With a source's our_sender_id it makes the kid
  // "{our_sender_id}|{key_id}|ed25519" (§6.2), one key per sender id, published in our JWKS.
  std::string key_id = "dci-client-1";
  // Further attempts after a retryable failure (connection, timeout, HTTP 5xx or 429).
  int64_t retries = 3;
  std::chrono::milliseconds backoff_base{500};  // before the first retry; doubled, with jitter
  std::chrono::milliseconds backoff_cap{30'000};
  // How often each instance reloads the data sources (another instance's change arrives within
  // this; a local change at once).
  std::chrono::milliseconds sources_reload{5000};
};

struct DciClientSettings {
  std::string admin_scope = "dci:admin";  // data sources (and senders)
  ClientSettings client;
};

void declare_dci_client_config(core::ConfigSchema& schema);
// Throws core::ConfigError listing the problems.
DciClientSettings read_dci_client_config(const core::Config& config);

}  // namespace registrar::dci_client
