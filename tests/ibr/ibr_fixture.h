// A migrated ibr database on one test backend (SQLite, or PostgreSQL when
// REGISTRAR_TEST_PG_URL is set), with the senders and the registry service over it.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "core/clock.h"
#include "ibr/senders.h"
#include "ibr/service.h"
#include "ibr/store.h"
#include "store/database.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::ibr::test {

class IbrDbTest : public ::testing::TestWithParam<std::string> {
 protected:
  IbrDbTest() : tdb_(GetParam()), clock_(core::from_unix_seconds(1'750'000'000)) {
    db_ = std::make_unique<store::Database>(tdb_.options());
    store::migrate(*db_, {store::platform_schema(), {"ibr", ibr_migrations()}}, clock_);
    senders_ = std::make_unique<Senders>(*db_, clock_);
    service_ = std::make_unique<IbrService>(*db_, clock_, IbrSettings{});
  }

  testing::TestDatabase tdb_;
  core::ManualClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Senders> senders_;
  std::unique_ptr<IbrService> service_;
};

}  // namespace registrar::ibr::test
