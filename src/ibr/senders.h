// The trusted senders: the systems allowed to call our DCI routes, each with the key that checks
// its signatures (dci-ibr.md §6.3). Records live in ibr_senders; every instance keeps a snapshot
// in memory, reloaded in the background, so that the authenticator never touches the database.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/thread_annotations.h"
#include "dci/senders.h"
#include "store/database.h"

#include <nlohmann/json.hpp>

namespace registrar::ibr {

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
dci::TrustedSender validate_sender(const SenderInput& input);

class Senders {
 public:
  using Map = std::map<std::string, dci::TrustedSender, std::less<>>;

  Senders(store::Database& db, const core::Clock& clock);

  // Reads every sender from the database into the snapshot. Blocking.
  void reload();
  // The current snapshot; any thread, never blocks on the database.
  std::shared_ptr<const Map> snapshot() const;

  // Adds or replaces a sender (audited), then reloads. Blocking.
  dci::TrustedSender add(const SenderInput& input, const std::string& actor,
                         const std::string& request_id);
  // Marks it inactive (audited); kNotFound when unknown. Blocking.
  void disable(const std::string& sender_id, const std::string& actor,
               const std::string& request_id);
  std::vector<dci::TrustedSender> list();
  // The record as stored now (not the snapshot): nullopt when unknown. Blocking.
  std::optional<dci::TrustedSender> find(const std::string& sender_id);

 private:
  store::Database& db_;
  const core::Clock& clock_;
  mutable core::Mutex mu_;
  std::shared_ptr<const Map> snapshot_ GUARDED_BY(mu_);
};

// A sender as the admin API and the CLI show it (no key material beyond the public key).
nlohmann::json sender_to_json(const dci::TrustedSender& sender);

}  // namespace registrar::ibr
