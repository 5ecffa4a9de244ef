// A database migrated with the dci_client senders table (migration 2) on one test backend
// (SQLite, or PostgreSQL when REGISTRAR_TEST_PG_URL is set), and the client's senders over it.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "core/clock.h"
#include "dci/trusted_senders.h"
#include "dci_client/senders.h"
#include "store/database.h"
#include "store/migrations.h"
#include "support/databases.h"

namespace registrar::dci_client::test {

class SendersDbTest : public ::testing::TestWithParam<std::string> {
 protected:
  SendersDbTest() : tdb_(GetParam()), clock_(core::from_unix_seconds(1'750'000'000)) {
    db_ = std::make_unique<store::Database>(tdb_.options(4));
    // Version 1 belongs to the data sources; these tests need only the senders' table.
    store::Migration sources{1, "(data sources: not under test)", {}, {}};
    store::migrate(*db_, {store::platform_schema(), {"dci_client", {sources, senders_migration()}}},
                   clock_);
    senders_ = std::make_unique<dci::TrustedSenders>(*db_, clock_, sender_table());
  }

  testing::TestDatabase tdb_;
  core::ManualClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<dci::TrustedSenders> senders_;
};

}  // namespace registrar::dci_client::test
