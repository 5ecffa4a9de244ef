// The SQL of a service's rules (migration 4 of module intercoop): the `rules` column of
// intercoop_services (service_rules.h, as JSON) and intercoop_limit_events, one row per transfer
// accepted for a service with limits, kept until its window has passed, which the per-member and
// per-peer limits count.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "store/migrations.h"

namespace registrar::intercoop {

store::Migration rules_migration();

namespace db {

// Accepted transfers of `service` from `peer` (and, when `member` is not empty, of that member)
// received at or after `since`. Inside the receiver's batch transaction, so the batch's own
// earlier rows count too.
int64_t count_limited(soci::session& s, const std::string& service, const std::string& peer,
                      const std::string& member, core::SystemTime since);
// Records one accepted transfer; `forget_after` is when no window can count it any more.
void insert_limited(soci::session& s, const std::string& service, const std::string& peer,
                    const std::string& member, core::SystemTime received,
                    core::SystemTime forget_after);
int64_t purge_limited(soci::session& s, core::SystemTime now);

}  // namespace db
}  // namespace registrar::intercoop
