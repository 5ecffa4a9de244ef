// The trusted senders of a DCI endpoint: the systems allowed to call it, each with the key that
// checks its signatures (dci-ibr.md §6.3). Shared by the IBR server (table ibr_senders) and the
// DCI client (dci_client_senders): records live in the module's table, every instance keeps a
// snapshot in memory, reloaded in the background, so that the authenticator never touches the
// database.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/thread_annotations.h"
#include "dci/senders.h"
#include "store/database.h"

#include <nlohmann/json.hpp>

namespace registrar::dci {

// What differs between the modules that keep senders.
struct SenderTable {
  std::string table;         // the SQL table, created by the module's own migration
  std::string audit_prefix;  // audit actions {prefix}.add, .replace, .disable
  std::string log_prefix;    // log events {prefix}_jwks_fetched, {prefix}_signature_refused...
};

// What an operator gives to add (or replace) a sender.
struct SenderInput {
  std::string sender_id;
  std::string name;        // "" = the sender id
  std::string public_key;  // raw base64 Ed25519, PEM, base64 SPKI or JWK; "" when none
  std::string jwks_url;    // "" when none
  std::string algorithm;   // "ed25519", "rs256" or "" (follow the key)
  std::string notes;
  std::string callback_url;  // "" when none; see dci::TrustedSender::callback_url
};

// Checks an operator's input: sender id characters, a key or a URL, a key that parses and fits
// the algorithm. Throws core::Error(kInvalidArgument) naming the field. Pure.
TrustedSender validate_sender(const SenderInput& input);

class TrustedSenders {
 public:
  using Map = std::map<std::string, TrustedSender, std::less<>>;

  TrustedSenders(store::Database& db, const core::Clock& clock, SenderTable table);
  virtual ~TrustedSenders() = default;

  // Reads every sender from the database into the snapshot. Blocking.
  void reload();
  // The current snapshot; any thread, never blocks on the database.
  std::shared_ptr<const Map> snapshot() const;

  // Adds or replaces a sender (audited), then reloads. Blocking.
  TrustedSender add(const SenderInput& input, const std::string& actor,
                    const std::string& request_id);
  // Marks it inactive (audited); kNotFound when unknown. Blocking.
  void disable(const std::string& sender_id, const std::string& actor,
               const std::string& request_id);
  std::vector<TrustedSender> list();
  // The record as stored now (not the snapshot): nullopt when unknown. Blocking.
  std::optional<TrustedSender> find(const std::string& sender_id);

  const SenderTable& table() const { return table_; }

 private:
  store::Database& db_;
  const core::Clock& clock_;
  const SenderTable table_;
  mutable core::Mutex mu_;
  std::shared_ptr<const Map> snapshot_ GUARDED_BY(mu_);
};

// A sender as the admin APIs and the CLIs show it (no key material beyond the public key).
nlohmann::json sender_to_json(const TrustedSender& sender);

// The SQL of a senders table (the columns of ibr_senders after its migrations: sender_id, name,
// public_key, jwks_url, algorithm, active, notes, last_key_fetch_us, last_key_fetch_result,
// callback_url, created_us, updated_us), by table name.
namespace sender_sql {
void upsert(soci::session& s, const std::string& table, const TrustedSender& sender,
            core::SystemTime now);
std::optional<TrustedSender> find(soci::session& s, const std::string& table,
                                  const std::string& sender_id);
std::vector<TrustedSender> all(soci::session& s, const std::string& table);
// When the sender's JWKS was last fetched and what came of it. False when no such sender.
bool record_key_fetch(soci::session& s, const std::string& table, const std::string& sender_id,
                      core::SystemTime at, const std::string& result);
// False when no such sender.
bool set_active(soci::session& s, const std::string& table, const std::string& sender_id,
                bool active, core::SystemTime now);
}  // namespace sender_sql

}  // namespace registrar::dci
