// GET /v1/syncdata/clientsettings/{entityIdentifier}: one entity's full data for a machine as a
// file (MOSIP's "structured-url" / "dynamic-url" files, spec mosip-ids-and-sync.md §6.1, §6.2;
// docs/sync.md "Entity files"): the JSON array of the entity's rows in the machine's scopes,
// deleted ones included (what a full sync sends), encrypted to the machine's key unless
// configured otherwise; `DynamicFieldDto` is every dynamic field, one {entityName, entityType,
// data} per field name. GET /v1/syncdata/scripts/{scriptName}: a configured script's text.
// Both with a `file-signature` header: MOSIP's, a detached JWS over {"hash":"<upper-case hex
// SHA-256 of the file before encryption>"} with the module's signing key, published in
// /.well-known/jwks.json. Files are built once per (file, scopes, sequence head) and kept in an
// EntityFileCache; only the encryption is per request.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "http/router.h"
#include "services/signing.h"
#include "sync/entity_file_cache.h"
#include "sync/service.h"

namespace registrar::sync {

struct SnapshotOptions {
  services::Signing* signing = nullptr;    // null: no file-signature header (tests, no identity)
  std::string kid;                         // the signing key's id, ensured by the caller
  bool encrypt = true;                     // encrypt the file to the machine's key
  std::shared_ptr<EntityFileCache> cache;  // null: one of 64 MiB for these routes
  std::vector<std::string> scripts;        // names GET /scripts serves (sync.mosip.scripts)
  std::string scripts_dir;                 // where their files are (sync.mosip.scripts_dir)
};

// The detached compact JWS of `content`: BASE64URL(header) ".." BASE64URL(signature), header
// {"alg", "kid"}; the signing input is BASE64URL(header) "." BASE64URL(content).
std::string detached_jws(services::Signing& signing, const std::string& kid,
                         std::string_view content);

// What a file's signature covers, as MOSIP's client rebuilds it from the file it decrypted:
// {"hash":"<upper-case hex SHA-256 of `plain`>"}.
std::string file_hash_claim(std::string_view plain);

void add_snapshot_route(http::Router& router, SyncService& service, const std::string& scope,
                        SnapshotOptions options);

}  // namespace registrar::sync
