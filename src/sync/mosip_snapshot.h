// GET /v1/syncdata/clientsettings/{entityIdentifier}: one entity's full data for a machine as a
// file (MOSIP's "structured-url" snapshots, spec mosip-ids-and-sync.md §6.1, §6.2; docs/sync.md
// "Entity snapshots"): the JSON array of the entity's rows in the machine's scopes, deleted ones
// included (what a full sync sends), encrypted to the machine's key unless configured otherwise,
// with a `file-signature` header: a detached JWS (RFC 7515 appendix F) over the body with the
// module's signing key, published in /.well-known/jwks.json.
#pragma once

#include <string>

#include "http/router.h"
#include "services/signing.h"
#include "sync/service.h"

namespace registrar::sync {

struct SnapshotOptions {
  services::Signing* signing = nullptr;  // null: no file-signature header (tests, no identity)
  std::string kid;                       // the signing key's id, ensured by the caller
  bool encrypt = true;                   // encrypt the file to the machine's key
};

// The detached compact JWS of `content`: BASE64URL(header) ".." BASE64URL(signature), header
// {"alg", "kid"}; the signing input is BASE64URL(header) "." BASE64URL(content).
std::string detached_jws(services::Signing& signing, const std::string& kid,
                         std::string_view content);

void add_snapshot_route(http::Router& router, SyncService& service, const std::string& scope,
                        SnapshotOptions options);

}  // namespace registrar::sync
