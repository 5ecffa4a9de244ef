// MOSIP v2 clientsettings entries that point at a file instead of carrying the rows (spec
// mosip-ids-and-sync.md §6.2; docs/sync.md "URL entries and scripts"): `structured-url` and
// `dynamic-url` entries for the entities configured as files (our mosip.sync.entity.url.*), and
// `script` entries. Their encrypted `data` is the JSON MOSIP's registration client reads
// (ClientSettingSyncHelper.downloadUrlData): {url, auth-required, auth-token, encrypted,
// headers}, every value a string as MOSIP's syncdata service sends them (the client reads the
// two flags with getBoolean, which takes "true" too). Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sync/catalogue.h"

namespace registrar::sync {

// The name of the file of every dynamic field, grouped per field name (MOSIP sends its
// dynamic-url entry under the DTO's class name).
inline constexpr std::string_view kDynamicFileName = "DynamicFieldDto";

struct UrlEntrySettings {
  // Entities sent as URL entries on a full sync (sync.mosip.url_entities): canonical names as
  // canonical_file_name gives them.
  std::vector<std::string> entities;
  // Of those, the ones sent as URL entries on a delta too (MOSIP's
  // mosip.sync.entity.only-on-fullsync.<ENTITY> = false; sync.mosip.url_entities_on_delta).
  std::vector<std::string> on_delta;
  // Script names (sync.mosip.scripts): a `script` entry each, on every v2 answer.
  std::vector<std::string> scripts;
  // Where clients reach /v1/syncdata (sync.mosip.files_base_url). MOSIP's client replaces
  // ${mosip.hostname} with the host it syncs with.
  std::string base_url = "https://${mosip.hostname}";
  bool encrypted = true;  // entity files are encrypted to the machine (sync.snapshots.encrypt)
};

// The canonical name of an entity file: an entity's MOSIP name (any case) when it is a v2
// entity that is not dynamic, or kDynamicFileName (any case); nullopt otherwise.
std::optional<std::string> canonical_file_name(std::string_view name);

// Whether the entity (canonical name) is sent as a URL entry: on a full sync when configured,
// on a delta only when it is in on_delta as well (MOSIP's hasURLDetails).
bool sent_as_url(const UrlEntrySettings& s, std::string_view canonical, bool delta);

// The entry's plaintext: {"url", "auth-required", "auth-token", "encrypted", "headers"}.
std::string entity_url_detail(const UrlEntrySettings& s, std::string_view canonical);
// Scripts are served in clear (they are code the client runs, not personal data; their
// signature is what the client checks).
std::string script_url_detail(const UrlEntrySettings& s, std::string_view script);

// A script name that can be a file name: letters, digits, '.', '_', '-', not starting with '.'.
bool valid_script_name(std::string_view name);

}  // namespace registrar::sync
