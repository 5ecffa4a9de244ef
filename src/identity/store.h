// SQL of the identity module: signing keys, OAuth2 clients and users, challenge nonces. Every
// function takes the caller's session, so the service decides the transaction. Times are
// core::SystemTime here and µs since the epoch in the tables (`_us` columns).
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "identity/revocation_store.h"
#include "store/migrations.h"

namespace registrar::identity {

// v1 keys, clients, users; v2 challenges; v3 times as µs since the epoch; v4 other modules'
// keys; v5 revocation (revocation_store.h).
std::vector<store::Migration> identity_migrations();

struct KeyRow {
  std::string kid;
  std::string alg;
  std::string public_jwk;      // JSON text
  std::string private_sealed;  // MasterKey::seal of the PKCS#8 PEM, context = kid
  core::SystemTime created;
  core::SystemTime activate;                     // starts signing
  std::optional<core::SystemTime> retire;        // stops signing
  std::optional<core::SystemTime> verify_until;  // leaves the JWKS
};

void insert_key(soci::session& s, const KeyRow& row);
std::vector<KeyRow> all_keys(soci::session& s);
void schedule_retirement(soci::session& s, const std::string& kid, core::SystemTime retire,
                         core::SystemTime verify_until);

struct AccountRow {
  std::string id;  // client_id or username
  std::string secret_hash;
  std::string scopes;  // space-separated
  std::string description;
  core::SystemTime created;
  bool disabled = false;
};

// Throws core::Error(kConflict) when the id exists.
void insert_client(soci::session& s, const AccountRow& row);
std::optional<AccountRow> find_client(soci::session& s, const std::string& client_id);
std::vector<AccountRow> all_clients(soci::session& s);
void insert_user(soci::session& s, const AccountRow& row);
// One page of clients or users ordered by id: ids after `after` ("" = from the first) that
// start with `prefix` ("" = all), at most `limit`.
std::vector<AccountRow> page_accounts(soci::session& s, AccountKind kind, const std::string& prefix,
                                      const std::string& after, int limit);
std::optional<AccountRow> find_user(soci::session& s, const std::string& username);

struct ChallengeRow {
  std::string nonce;
  std::optional<std::string> public_key;  // canonical form of the bound key
  core::SystemTime created;
  core::SystemTime expires;
  std::optional<core::SystemTime> consumed;
};

void insert_challenge(soci::session& s, const ChallengeRow& row);
// Drops challenges that expired before `horizon`.
void delete_challenges_expired_before(soci::session& s, core::SystemTime horizon);
std::optional<ChallengeRow> find_challenge(soci::session& s, const std::string& nonce);
// Marks the challenge consumed at `now` if it is unconsumed and unexpired; true when this call
// did (of concurrent calls on any instances, exactly one does).
bool consume_challenge(soci::session& s, const std::string& nonce, core::SystemTime now);

}  // namespace registrar::identity
