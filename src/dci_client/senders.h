// The DCI client's trusted IBR senders (dci-ibr.md §6.3): the IBRs whose callbacks we accept,
// with their pinned key or JWKS URL. The store, the JWKS cache (key-id selection, refetch on an
// unknown kid: a rotation at the IBR needs no operator) and the §7.8 authenticator are the IBR
// server's, shared through src/dci (trusted_senders.h, sender_keys.h,
// signature_authenticator.h); this file names what is the client's own: the table
// dci_client_senders (migration 2 of module dci_client), the config keys and the kid rule.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "dci/sender_keys.h"
#include "dci/signature_authenticator.h"
#include "dci/trusted_senders.h"
#include "store/migrations.h"

namespace registrar::dci_client {

// The name the callback routes authenticate with (router.add_authenticator).
inline constexpr const char* kCallbackAuthenticator = "dci_client.signature";

// dci_client_senders, audited as dci_client.sender.*, logged as dci_client_jwks_*.
dci::SenderTable sender_table();

// Migration 2 of module dci_client: the senders table, with the columns of ibr_senders.
store::Migration senders_migration();

struct SenderSettings {
  std::string admin_scope = "dci:admin";
  bool allow_unsigned = false;  // development only (dci_client.allow_unsigned)
  std::chrono::milliseconds reload{5000};
  dci::JwksSettings jwks;
};

// dci_client.senders_reload_ms, dci_client.jwks.*, dci_client.allow_unsigned and (unless another
// part of the module declared it) dci_client.scopes.admin.
void declare_senders_config(core::ConfigSchema& schema);
SenderSettings read_senders_config(const core::Config& config);

// The §7.8 authenticator over the client's senders: unknown senders are named "IBR sender_id"
// as OpenSPP's client does, and a kidId no JWKS key carries falls back to the first key whose
// kid starts with "{sender_id}|" (OpenSPP's fetch rule, §6.3).
std::shared_ptr<dci::SignatureAuthenticator> make_callback_authenticator(
    const dci::TrustedSenders& senders, dci::SenderKeys* keys, const core::Clock& clock,
    bool allow_unsigned);

}  // namespace registrar::dci_client
