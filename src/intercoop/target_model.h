// The target side's records and the pure rules over them (issue 15, spec §4.1, §4.4, §4.5): peers
// (the organisations whose members' data we accept), services (what they may start here, with the
// fields each needs), and the checks a received payload passes after its signature (§3.1a step
// 9). No I/O: target_store.cpp keeps these in the database, target_api.cpp serves them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "intercoop/service_rules.h"
#include "intercoop/yaml_scalar.h"

namespace registrar::intercoop {

struct Peer {
  std::string id;  // `peerid`: selects the key of a received package
  std::string name;
  yaml::Value description;  // translatable: a string or {lang: text}
  yaml::Value url;          // translatable
  std::string target_url;   // `targetUrl`, "" when the peer offers no service itself
  std::string logo;
  std::string public_key_pem;         // 1.0: SPKI or PKCS#1 RSA (parse_peer_key); "" if 2.0 only
  std::string ed25519_key_pem;        // 2.0: SPKI Ed25519 (parse_hardened_key); "" if 1.0 only
  std::vector<std::string> versions;  // protocol versions it sends and accepts ("1.0", "2.0")
  bool active = true;
  yaml::Value descriptor;  // the imported §4.1 descriptor as read (null for `peers add`)
  core::SystemTime created{}, updated{};
};

struct Service {
  std::string name;  // the path segment of /intercoop/services/<name>/activateService
  yaml::Value description = yaml::Value::object();  // {lang: text}
  std::vector<std::string> fields;                  // required in every received payload
  std::vector<std::string> peers;                   // allowed peers; empty: any active peer
  ServiceRules rules;                               // roles, availability, limits (service_rules.h)
  bool active = true;
};

// A peer id as the original's PeerInfo accepts (`^\w+$`, ASCII), at most 64 characters.
bool valid_peer_id(std::string_view id);
// A service name: lowercase letters, digits and '_', at most 64 characters.
bool valid_service_name(std::string_view name);
// A uuid4 in lowercase, anchored at both ends (spec §7.14: the original's is anchored at the
// start only).
bool valid_token(std::string_view token);

// Reads a §4.1 peer descriptor. Throws core::Error(kInvalidArgument) naming the key that is
// missing or wrong: intercoopVersion must be '1.0' (or '2.0'), peerid and name present,
// `intercoopVersions` (optional, default [intercoopVersion]) a list of '1.0' / '2.0', with
// `publickey` (a usable RSA key) for 1.0 and `publickeyEd25519` (an Ed25519 SPKI PEM) for 2.0;
// description / url translatable when present.
Peer peer_from_descriptor(const yaml::Value& descriptor);
// The §4.1 descriptor of a peer: the imported one with our current name, key and URL, or a
// minimal one for a peer added by hand.
yaml::Value descriptor_of(const Peer& peer);

// §3.1a step 9: the first of `service.fields` the payload lacks (a key whose value is null counts
// as present, as Python's `in` does), or nullopt.
std::optional<std::string> missing_field(const yaml::Value& payload, const Service& service);
// Whether `peer` may use `service` (its list is empty or names the peer).
bool peer_allowed(const Service& service, std::string_view peer);

// A peer's versions and keys as given by hand (`peers add`, the admin API): `versions` known
// and without repeats, each with its key. Throws core::Error(kInvalidArgument) naming the field
// (versions, public_key, ed25519_key).
void check_peer_keys(const Peer& peer);

// The continuationUrl: `tmpl` with every `{uuid}` replaced, or `fallback_base` +
// "/intercoop/continuation/" + uuid when `tmpl` is empty.
std::string continuation_url(std::string_view tmpl, std::string_view fallback_base,
                             std::string_view uuid);

}  // namespace registrar::intercoop
