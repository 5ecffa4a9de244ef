// `registrar backup FILE` and `registrar restore FILE` for the embedded SQLite database. A backup
// is taken online: `VACUUM INTO` copies the database as of one read transaction, so writers go on
// and the copy is consistent (every committed transaction or none of it). A restore checks the
// file (a SQLite database that passes integrity_check and whose schema this binary knows), then
// migrates the copy and runs every module's Module::after_restore on it (ids moves its counters
// past what was issued after the backup), then replaces the database file in one rename; the
// server must be stopped. On PostgreSQL both print the pg_dump / pg_restore procedure
// (docs/operations.md) and exit 2; `registrar after-restore` is its last step.
//
// The master key is not in the backup (it seals the keys stored in the database: keeping the two
// together would defeat that). Back it up separately; a restore needs both.
#pragma once

#include <ostream>
#include <string>

#include "core/config.h"

namespace registrar::app {

class App;

int run_backup(const core::Config& config, const std::string& file, std::ostream& out);
int run_restore(App& app, const core::Config& config, const std::string& file, bool force,
                std::ostream& out);

}  // namespace registrar::app
