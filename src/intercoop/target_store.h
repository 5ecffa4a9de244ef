// The target side's SQL (migration 1 of module intercoop): peers, services and received
// transfers. Only this file and target_store.cpp see SOCI; callers run these inside db.write /
// db.read, so a transfer and its audit entry are written in one transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "intercoop/paging.h"
#include "intercoop/target_model.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::intercoop {

store::Migration target_migration();

// One received package's data, kept under a random token until it expires.
struct Transfer {
  std::string uuid;
  std::string peer;
  std::string service;
  yaml::Value data;  // the payload's values, in their order
  core::SystemTime received{}, expires{};
  std::optional<core::SystemTime> consumed;
};

// A page of received transfers for the operators' list: newest first, optionally of one peer
// and / or one service, starting after `before`.
struct TransferQuery {
  std::string peer;     // "": any
  std::string service;  // "": any
  std::optional<PageCursor> before;
  int limit = 50;
};

namespace db {

// Inserts, or replaces everything but the active flag and created time (a re-import).
// Returns true when the peer was new.
bool upsert_peer(soci::session& s, const Peer& peer, core::SystemTime now);
// Throws core::Error(kConflict) when the id is taken.
void insert_peer(soci::session& s, const Peer& peer, core::SystemTime now);
std::optional<Peer> find_peer(soci::session& s, const std::string& id);
std::vector<Peer> all_peers(soci::session& s);  // by id
// A page of peers by id, after the id `after` (nullopt: the first page).
std::vector<Peer> peers_page(soci::session& s, const std::optional<std::string>& after, int limit);
bool set_peer_active(soci::session& s, const std::string& id, bool active, core::SystemTime now);

// Throws core::Error(kConflict) when the name is taken.
void insert_service(soci::session& s, const Service& service, core::SystemTime now);
std::optional<Service> find_service(soci::session& s, const std::string& name);
std::vector<Service> all_services(soci::session& s);  // by name
// A page of services by name, after the name `after` (nullopt: the first page).
std::vector<Service> services_page(soci::session& s, const std::optional<std::string>& after,
                                   int limit);
bool set_service_active(soci::session& s, const std::string& name, bool active,
                        core::SystemTime now);

void insert_transfer(soci::session& s, const Transfer& t);
// The same with one statement prepared once, for the many transfers of one transaction (the
// receiver's group commit): preparing costs more than the insert. Lives within that transaction;
// one thread.
class TransferWriter {
 public:
  explicit TransferWriter(soci::session& s);
  void insert(const Transfer& t);

 private:
  // Bound by reference to the statement: declared before it.
  std::string uuid_, peer_, service_, data_;
  long long received_us_ = 0, expires_us_ = 0;
  soci::statement insert_;
};
// Any state, expired or not (callers decide what an expired or consumed one means).
std::optional<Transfer> find_transfer(soci::session& s, const std::string& uuid);
// Marks it consumed if it is neither consumed nor expired at `now`; false otherwise. Atomic:
// of two concurrent visits, one wins.
bool consume_transfer(soci::session& s, const std::string& uuid, core::SystemTime now);
// Newest first (received, then uuid, both descending).
std::vector<Transfer> received_transfers(soci::session& s, const TransferQuery& q);
// Deletes the transfers that expired at or before `now`; returns how many.
int64_t purge_expired(soci::session& s, core::SystemTime now);

}  // namespace db
}  // namespace registrar::intercoop
