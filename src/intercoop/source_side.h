// The source side as the API and the CLI use it (issue 15, spec §4.3, §4.6): our signing key,
// members, the remote services' catalogue, and the consented transfer — payload built from the
// service's fields, consent logged and committed before the package leaves, the target's answer
// logged after. No HTTP types but the outgoing client; every change audited.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/thread_annotations.h"
#include "crypto/keys.h"
#include "http/async_client.h"
#include "intercoop/source_model.h"
#include "services/sealing.h"
#include "store/database.h"

namespace registrar::intercoop {

struct SourceSettings {
  std::string peer_id;  // intercoop.peer_id; "" : we send nothing (kConflict)
  std::string name;     // our name in our descriptor
  std::string target_url;
  std::chrono::milliseconds timeout{10'000};
};

// From intercoop.peer_id, intercoop.name, intercoop.public_url, intercoop.send_timeout_ms.
SourceSettings source_settings(const core::Config& config);

// What a transfer would send, for the member to consent to: exactly the payload send() builds.
struct Preview {
  std::string member, peer, service;
  std::string peer_name;
  std::string privacy_policy_url;  // the descriptor's `privacyPolicyUrl` in the member's language
  yaml::Value title, description;  // the service's, in the member's language
  yaml::Value fields;              // names and values, in the order they go
  std::string url;                 // where they go
  std::string version;             // the protocol version they would go in
  std::string lang;                // the language of the texts (asked, else the member's)
};

// A peer a member can send to, and its services, in one language (catalogue()).
struct CatalogueEntry {
  std::string peer, peer_name;
  yaml::Value description, url;  // the peer's, translated
  std::string logo, privacy_policy_url;
  std::string version;                  // the protocol version a transfer would use
  std::vector<RemoteService> services;  // title and description translated
};

struct Catalogue {
  std::string member_lang;  // the member's own language (their pages' default)
  std::vector<CatalogueEntry> peers;
};

// The outcome of a transfer: its consent log row (with the target's answer) and, when refused,
// what to tell the member.
struct SendResult {
  Consent consent;
  TargetAnswer answer;
  std::string words;  // for the member: "" when accepted
};

class SourceSide {
 public:
  // `sealing` may be null for verbs that need no key (members, catalogue); `client` null for
  // ones that send nothing.
  SourceSide(store::Database& db, const core::Clock& clock, const services::Sealing* sealing,
             http::HttpClient* client, SourceSettings settings);

  // Our RSA-2048 key, created and sealed on first use (blocking). Throws core::Error
  // (kUnavailable) without sealing, (kInternal) when the stored key does not open.
  crypto::PrivateKey own_key();
  // Our Ed25519 key for intercoop 2.0, likewise (sealed under its own context).
  crypto::PrivateKey own_hardened_key();
  const SourceSettings& settings() const { return settings_; }

  // Throws core::Error(kInvalidArgument) for a bad record (check_member). True when new.
  bool put_member(const Member& m, const std::string& actor, const std::string& request_id);
  // All or nothing, one transaction. Returns how many were new.
  size_t import_members(const std::vector<Member>& members, const std::string& actor,
                        const std::string& request_id);
  std::optional<Member> member(const std::string& id);
  std::vector<Member> members();
  // Throws core::Error(kNotFound).
  void delete_member(const std::string& id, const std::string& actor,
                     const std::string& request_id);

  // Throws core::Error: kNotFound (unknown peer), kInvalidArgument (bad name or field).
  void add_remote_service(const RemoteService& service, const std::string& actor,
                          const std::string& request_id);
  std::vector<RemoteService> remote_services();

  // What send() would send, with the same refusals; reads only. Texts in `lang` ("": the
  // member's language), falling back as §4.2 does.
  Preview preview(const std::string& member, const std::string& peer, const std::string& service,
                  const std::string& lang = "");
  // The peers a member can send to now (active, with a targetUrl and a version in common) with
  // their services, in `lang` ("": the member's language). Throws core::Error(kNotFound) for an
  // unknown member; an empty list while intercoop.peer_id is unset (we send nothing).
  Catalogue catalogue(const std::string& member, const std::string& lang = "");

  // The member's consented transfer, in the best version both sides declared (choose_version;
  // recorded in the consent row, never another on failure). Throws core::Error before anything
  // is logged or sent: kConflict (no intercoop.peer_id, peer disabled, without targetUrl or
  // without a version in common), kNotFound (member,
  // peer, service), kUnprocessable (a required field the member lacks). Otherwise logs, sends,
  // logs the answer and returns it (refusals and unreachable targets included).
  // The refusal's words are in `lang`, else the member's language, else `fallback_lang` (the
  // browser's).
  SendResult send(const std::string& member, const std::string& peer, const std::string& service,
                  const std::string& actor, const std::string& request_id,
                  const std::string& lang = "", const std::string& fallback_lang = "en");
  std::vector<Consent> consents(const std::string& member);
  // Consents left `pending` by a process that stopped between sending and recording the answer
  // (older than the send timeout plus a minute) become `unanswered`, each audited; returns how
  // many. Run periodically by the module.
  int64_t reconcile();

 private:
  store::Database& db_;
  const core::Clock& clock_;
  const services::Sealing* sealing_;
  http::HttpClient* client_;
  SourceSettings settings_;
  core::Mutex key_mutex_;
  crypto::PrivateKey stored_key(int id);
  std::string hardened_package(const std::string& peer, const std::string& service,
                               const yaml::Value& payload);
  std::optional<crypto::PrivateKey> key_ GUARDED_BY(key_mutex_);
  std::optional<crypto::PrivateKey> hardened_key_ GUARDED_BY(key_mutex_);
};

// What to tell a member whose transfer to `peer_name` was refused, in plain words, in `lang`
// (es, ca; anything else: English).
std::string member_words(const TargetAnswer& answer, const std::string& peer_name,
                         std::string_view lang = "en");

}  // namespace registrar::intercoop
