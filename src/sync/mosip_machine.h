// How the MOSIP sync routes find the machine a request is for and encrypt to it (spec
// mosip-ids-and-sync.md §6.1, §6.2), shared by mosip_routes.cpp and mosip_snapshot.cpp.
// Blocking (database): call from workers.
#pragma once

#include <optional>
#include <string>

#include "sync/machine_crypto.h"
#include "sync/service.h"

namespace registrar::sync {

// The id of the live machine named `name` (MOSIP's machine names are unique); a scan, for the
// rare requests that name a machine instead of a key.
std::optional<std::string> machine_id_by_name(SyncService& service, const std::string& name);

// A machine that may receive data: known and not deleted (MOSIP does not check isActive here).
std::optional<MachineContext> live(std::optional<MachineContext> m);

// By key index (either key, any case), then, with `name_fallback`, by machine name as MOSIP's
// backward compatibility does for configs and entity files. nullopt for "" or no live machine.
std::optional<MachineContext> machine_for(SyncService& service, const std::string& key,
                                          bool name_fallback);

// The machine's encryption key, wrapped as its kind asks (machine_crypto.h): TPM for a
// TPMT_PUBLIC, ANDROID for a machine whose specification has machineTypeCode ANDROID, else
// LOCAL. Throws core::Error(kInvalidArgument) when its stored key cannot be used.
MachineKey encryption_key(const MachineContext& m);

// `plain` encrypted to the machine's encryption key, base64url (encrypt_for_machine_b64);
// nullopt when its stored key cannot be used (not RSA).
std::optional<std::string> encrypt_for(const MachineContext& m, const std::string& plain);

}  // namespace registrar::sync
