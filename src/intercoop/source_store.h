// The source side's SQL (migration 2 of module intercoop): our signing key (sealed), members,
// the remote peers' service catalogue and the consent log. Callers run these inside db.write /
// db.read, so a change and its audit entry commit together.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "intercoop/paging.h"
#include "intercoop/source_model.h"
#include "store/database.h"
#include "store/migrations.h"

namespace registrar::intercoop {

store::Migration source_migration();

// Our key (RSA for 1.0, Ed25519 for 2.0): the public half as PEM, the private half sealed with
// identity's master key.
struct OwnKeyRow {
  std::string public_pem;
  std::string sealed_private;
};

// A page of every member's consent log for the operators: newest first, optionally of one
// member and / or one peer, starting after `before`.
struct ConsentQuery {
  std::string member;  // "": any
  std::string peer;    // "": any
  std::optional<PageCursor> before;
  int limit = 50;
};

namespace db {

// `id` 1: the 1.0 RSA key; 2: the 2.0 Ed25519 key.
std::optional<OwnKeyRow> find_own_key(soci::session& s, int id = 1);
// Throws core::Error(kConflict) when another process stored one first.
void insert_own_key(soci::session& s, const OwnKeyRow& key, core::SystemTime now, int id = 1);

// Returns true when the member was new.
bool upsert_member(soci::session& s, const Member& m, core::SystemTime now);
std::optional<Member> find_member(soci::session& s, const std::string& id);
std::vector<Member> all_members(soci::session& s);  // by id
bool delete_member(soci::session& s, const std::string& id);

// Replaces every catalogue entry of `peer` by `services`.
void replace_remote_services(soci::session& s, const std::string& peer,
                             const std::vector<RemoteService>& services, core::SystemTime now);
// Adds or replaces one entry.
void upsert_remote_service(soci::session& s, const RemoteService& service, core::SystemTime now);
std::optional<RemoteService> find_remote_service(soci::session& s, const std::string& peer,
                                                 const std::string& name);
std::vector<RemoteService> remote_services(soci::session& s);  // by peer, name

void insert_consent(soci::session& s, const Consent& c);
// Consents still `pending` that were sent before `before`: (id, member) pairs.
std::vector<std::pair<std::string, std::string>> stale_pending(soci::session& s,
                                                               core::SystemTime before);
void record_answer(soci::session& s, const std::string& id, const std::string& outcome,
                   const yaml::Value& answer, core::SystemTime at);
std::vector<Consent> consents_of(soci::session& s, const std::string& member);  // newest first
// Newest first (sent, then id, both descending).
std::vector<Consent> consents_page(soci::session& s, const ConsentQuery& q);

}  // namespace db
}  // namespace registrar::intercoop
