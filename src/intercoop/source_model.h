// The source side's records and pure rules (issue 15, spec §4.1, §4.3, §4.6): our members and
// their personal data, the catalogue of what each remote peer's services require, the payload a
// transfer sends (exactly the service's fields), reading the target's answer, and the consent
// log's rows. No I/O: source_store.cpp keeps these in the database, source_side.cpp sends.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "intercoop/target_model.h"
#include "intercoop/yaml_scalar.h"

namespace registrar::intercoop {

// A member of our organisation: the identity subject they sign in with, their personal data as
// field name → value (in the order given: the payload keeps it, as the original's user record
// does), and the language of their pages.
struct Member {
  std::string id;
  yaml::Value fields = yaml::Value::object();
  std::string lang = "es";
  core::SystemTime created{}, updated{};
};

// What a remote peer's service needs from a member (its descriptor's `services` section, or added
// by hand): the fields are sent, nothing else.
struct RemoteService {
  std::string peer;
  std::string name;
  std::vector<std::string> fields;
  yaml::Value title = "";        // translatable (§4.1 `name`)
  yaml::Value description = "";  // translatable
};

// A member id: 1–255 bytes, no control characters (an identity subject).
bool valid_member_id(std::string_view id);
// A payload field name: letters, digits and '_' (the original's vocabulary is all of that
// shape), 1–64 characters.
bool valid_field_name(std::string_view name);
// The languages of member pages: es (the protocol's fallback), ca, en.
bool valid_member_lang(std::string_view lang);

// Checks a member record; throws core::Error(kInvalidArgument) naming what is wrong: the id,
// the language, a field name, a value that is not text, number, bool, null or a list of those,
// or text that is not UTF-8.
void check_member(const Member& member);

// Members from a CSV file: a header row of field names with one column `member` (the id) and an
// optional `lang`; one member per row. Quoted cells ("a, b", "say ""hi""", line breaks inside)
// as RFC 4180; CRLF or LF; an empty cell means the member has no value for that field. Any bad
// row refuses the whole file: core::Error(kInvalidArgument) "line N: …" (N counts physical lines,
// the header is line 1).
std::vector<Member> parse_members_csv(std::string_view text);

// The services of a §4.1 descriptor's `services` section: each with its own `fields`, else the
// descriptor's `fields`, else none (sending then refuses, as the original's requiredFields
// does). nullopt when the descriptor has no `services` mapping. Throws core::Error
// (kInvalidArgument) for a bad service name or field list.
std::optional<std::vector<RemoteService>> remote_services_from_descriptor(
    const yaml::Value& descriptor);

// The payload for `service` (spec §1.2, §4.3): `originpeer` (our peer id: the protocol's one
// required field, which the original leaves to the user record) first, then exactly the
// service's fields in the member record's order (`lang` from the member's language when the
// record has none). Throws core::Error: kUnprocessable when the service lists no fields or the
// member has no value for one (naming it).
yaml::Value build_payload(std::string_view our_peer_id, const Member& member,
                          const RemoteService& service);

// What the target answered (spec §4.6, §3.3, §3.4).
struct TargetAnswer {
  bool accepted = false;
  std::string uuid;              // accepted
  std::string continuation_url;  // accepted
  int status = 0;                // the HTTP status, 0 when no answer came
  std::string error;             // refused: the error class ("MissingField", "BackendError")
  std::string message;           // its message, as the original formats it
  std::vector<std::string> arguments;
};

// Reads a target's HTTP answer as the original's ApiClient does: the Content-Type must be exactly
// application/yaml, the body a YAML mapping; 200 needs `continuationUrl`; another status carries a
// protocol error (§3.3) or is a BackendError with the body's text.
TargetAnswer read_target_answer(int status, std::string_view content_type, std::string_view body);
// No answer at all (unreachable, timeout): a BackendError with `what`.
TargetAnswer no_answer(std::string_view what);
// The answer as JSON for the consent log and the API.
yaml::Value answer_json(const TargetAnswer& answer);
// The consent log's outcome for an answer: accepted; refused when the target answered with one
// of the protocol's error classes (it kept nothing); unanswered for a BackendError (no answer,
// or one we could not read: whether the target kept the data is unknown).
std::string outcome_of(const TargetAnswer& answer);

// A §4.1 translatable value in `lang` as the original's Translator does (§4.2): a mapping gives
// its `lang` entry, else its `es` entry, else itself; anything else is returned as it is.
yaml::Value translate(const yaml::Value& value, std::string_view lang);

// The URL a 1.0 package is POSTed to (§4.6): the peer's targetUrl + "/activateService" (one
// trailing '/' of targetUrl dropped, so "…/intercoop/" does not become "…//activateService").
std::string activate_url(std::string_view target_url);

// One row of the consent log: what went to whom, when, and what came back.
struct Consent {
  std::string id;  // uuid4
  std::string member;
  std::string peer;
  std::string service;
  yaml::Value fields = yaml::Value::object();  // the exact names and values sent, in order
  std::string url;                             // where they were sent
  std::string version = "1.0";                 // the protocol version they were sent in
  core::SystemTime sent{};
  // pending (being sent) | accepted | refused (the target answered with an error class) |
  // unanswered (no answer we could read: the target may or may not have the data; also a
  // `pending` row whose sender stopped before recording the answer, source_side.h reconcile)
  std::string outcome = "pending";
  yaml::Value answer;  // answer_json once answered, else null
  std::optional<core::SystemTime> answered;
};

// Our own §4.1 descriptor for a peer's operator to import: intercoopVersion, peerVersion 1,
// peerid, name, publickey; with a targetUrl also `services` with `service` (the one a 1.0 source
// reaches there: our default service) and its fields. With `ed25519_pem`, also
// `intercoopVersions: ['1.0', '2.0']` and `publickeyEd25519`.
yaml::Value our_descriptor(std::string_view peer_id, std::string_view name,
                           std::string_view public_key_pem, std::string_view target_url,
                           const Service* service, std::string_view ed25519_pem = "");

}  // namespace registrar::intercoop
