// Versioned schema migrations, one sequence per module, recorded in `schema_migrations`.
// A module's migrations are numbered 1, 2, 3...; each is applied in its own transaction together
// with its record, so a crash leaves the schema at a version boundary. A database that has a
// version newer than this binary knows is refused: an old binary must not write to a schema it
// does not understand.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "store/database.h"

namespace registrar::store {

struct Migration {
  int version = 0;
  std::string description;
  std::vector<std::string> statements;           // portable SQL, or SQLite's when the next is set
  std::vector<std::string> postgres_statements;  // empty: `statements` works on PostgreSQL too
};

struct ModuleSchema {
  std::string module;
  std::vector<Migration> migrations;  // ascending versions starting at 1
};

struct MigrationResult {
  std::vector<std::string> applied;  // "module v3: description"
};

// Applies every pending migration. Serialised across processes (PostgreSQL advisory lock; SQLite
// write lock) so that several instances starting together apply each migration once.
// Throws core::Error(kConflict) when the database is ahead of this binary.
MigrationResult migrate(Database& db, const std::vector<ModuleSchema>& schemas,
                        const core::Clock& clock);

struct SchemaStatus {
  bool current = false;
  std::vector<std::string> problems;  // "authz: database at v1, binary expects v2"
  bool newer = false;  // some module's schema is ahead of this binary (a newer registrar wrote it)
};
SchemaStatus schema_status(Database& db, const std::vector<ModuleSchema>& schemas);

// The platform's own tables (audit log).
ModuleSchema platform_schema();

}  // namespace registrar::store
