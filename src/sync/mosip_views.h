// What the MOSIP sync routes besides clientsettings send (spec mosip-ids-and-sync.md §6.1), built
// from stored rows: the merged configuration of a machine, a user as UserDetailDto, and the
// choice of the latest identity schema. Pure (no I/O); mosip_routes.cpp does the reading.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sync/catalogue.h"

namespace registrar::sync {

// The configuration rows a machine receives (their data), merged into {name: value}: a centre's
// row overrides the global one of the same name, a machine's row overrides both. The level of a
// row is read from its fields (machineId, else regCenterId, else global), so the order of `rows`
// does not matter.
Json merge_configurations(const std::vector<Json>& rows);

// A users row as MOSIP's UserDetailDto: userName (= the user id), mail, mobile, langCode, name,
// userPassword (always null: passwords stay with the identity provider), roles, isActive,
// isDeleted, regCenterId. `lang` is the machine's centre language (users are not per language).
Json user_detail(const Json& data, bool active, bool deleted, const std::string& lang);

// Identity schema versions ("0.1", "1", "1.10") are decimal numbers, as MOSIP stores them
// (idVersion is a double): "0.9" > "0.10", "0.1" == "0.10". Compared exactly, without floating
// point. nullopt when `text` is not digits with at most one '.'.
std::optional<int> compare_id_versions(std::string_view a, std::string_view b);
bool is_id_version(std::string_view text);

// A candidate for latestidschema: a published (active, not deleted) row's data.
struct SchemaCandidate {
  Json data;
  size_t index = 0;  // the caller's handle for the row
};
// The schema to serve: `wanted` "0" (or any zero, "0.0") picks the highest idVersion; otherwise
// the one whose idVersion equals it. `domain` / `type` (when non-empty) skip rows that name
// another domain or type. nullopt when none fits.
std::optional<size_t> pick_id_schema(const std::vector<SchemaCandidate>& rows,
                                     std::string_view wanted, std::string_view domain,
                                     std::string_view type);

}  // namespace registrar::sync
