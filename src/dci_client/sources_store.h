// The data sources' SQL (table dci_client_sources, migration 1 of module dci_client). Only this
// file and sources_store.cpp see SOCI; DataSources calls these inside db.write / db.read. The
// secrets in the DataSource records passed and returned here are the SEALED texts (DataSources
// seals before writing and opens after reading), so no plaintext secret reaches a row.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dci_client/data_source.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::dci_client {

// Version 1 of the dci_client module: the data sources.
store::Migration sources_migration();

namespace db {

// Inserts a new source; throws core::Error(kConflict, field "code") when the code is taken.
void insert_source(soci::session& s, const DataSource& source, core::SystemTime now);
// Replaces every field of an existing source but its code and created time; false when none.
bool update_source(soci::session& s, const DataSource& source, core::SystemTime now);
std::optional<DataSource> find_source(soci::session& s, const std::string& code);
// Ordered by name, then code.
std::vector<DataSource> all_sources(soci::session& s);
bool set_source_state(soci::session& s, const std::string& code, SourceState state,
                      core::SystemTime now);
bool set_source_active(soci::session& s, const std::string& code, bool active,
                       core::SystemTime now);
bool delete_source(soci::session& s, const std::string& code);

}  // namespace db
}  // namespace registrar::dci_client
