// intercoop 2.0's SQL (migration 3 of module intercoop): peers' Ed25519 keys, the version each
// consent log row was sent in, and the nonces of received 2.0 packages, kept until the package
// expires. Callers run these inside db.write, so a nonce commits with its transfer.
#pragma once

#include <string>

#include "core/clock.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::intercoop {

store::Migration hardened_migration();

namespace db {

// Records `nonce` of `peer` until `expires`; false when it is already recorded (a replay),
// whether by an earlier package, by one earlier in this transaction, or by a concurrent
// transaction that committed first.
bool insert_nonce(soci::session& s, const std::string& peer, const std::string& nonce,
                  core::SystemTime expires);
// Deletes the nonces whose packages expired at or before `now`; returns how many.
int64_t purge_nonces(soci::session& s, core::SystemTime now);

}  // namespace db
}  // namespace registrar::intercoop
