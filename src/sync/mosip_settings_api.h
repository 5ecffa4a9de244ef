// MOSIP's clientsettings (spec mosip-ids-and-sync.md §6.1–6.3, docs/sync.md "MOSIP
// clientsettings"): GET /v1/syncdata/clientsettings (the v1 entity set) and
// GET /v1/syncdata/v2/clientsettings (the v2 set), the master data of the calling machine's
// centre changed in a time window, each entity's list encrypted to the machine's key. Bearer
// token with the client scope; every error under /v1/syncdata in MOSIP's envelope.
#pragma once

#include <string>

#include "http/router.h"
#include "sync/mosip_url_entries.h"
#include "sync/mosip_window.h"
#include "sync/service.h"

namespace registrar::sync {

struct ClientSettingsConfig {
  std::string scope = "sync:client";  // sync.scopes.client
  WindowSettings window;              // sync.mosip.delta_interval_s, sync.mosip.full_sync_to
  // Answers whose entities' JSON (before encryption) reaches this many bytes are streamed
  // (chunked, each entity encrypted as it is sent); smaller ones are sent whole.
  size_t stream_from_bytes = 1024 * 1024;
  UrlEntrySettings urls;  // v2: entities sent as URL entries, scripts (mosip_url_entries.h)
};

// Also registers MOSIP's error format for the prefix /v1/syncdata (for every sync route there).
void add_client_settings_routes(http::Router& router, SyncService& service,
                                const ClientSettingsConfig& config);

}  // namespace registrar::sync
