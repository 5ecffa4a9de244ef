#include "intercoop/migrations.h"

#include "intercoop/hardened_store.h"
#include "intercoop/rules_store.h"
#include "intercoop/source_store.h"
#include "intercoop/target_store.h"

namespace registrar::intercoop {

std::vector<store::Migration> intercoop_migrations() {
  return {target_migration(), source_migration(), hardened_migration(), rules_migration()};
}

}  // namespace registrar::intercoop
