// A migrated dci_client database on one test backend (SQLite, or PostgreSQL when
// REGISTRAR_TEST_PG_URL is set), with the data sources over it, their secrets sealed by a real
// master key (identity's): what the store and SourceClient tests share.
#pragma once

#include <gtest/gtest.h>

#include "core/clock.h"
#include "dci_client/data_sources.h"
#include "dci_client/sources_store.h"
#include "identity/provided.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::dci_client::test {

class SourcesDbTest : public ::testing::TestWithParam<std::string> {
 protected:
  SourcesDbTest() : tdb_(GetParam()), db_(tdb_.options()) {
    store::migrate(db_, {store::platform_schema(), {"dci_client", {sources_migration()}}}, clock_);
  }

  testing::TestDatabase tdb_;
  core::ManualClock clock_{core::from_unix_seconds(1'800'000'000)};
  store::Database db_;
  identity::MasterKey master_{std::string(32, 'm')};
  identity::MasterKeySealing sealing_{master_};
  DataSources sources_{db_, clock_, &sealing_};
};

}  // namespace registrar::dci_client::test
