// Reading IBR answers to our searches, in every shape dci-ibr.md §8.3 and §12 list. Pure.
//
//   data         a list of records (OpenSPP's own tests), or {reg_records: [...]} (the spec)
//   programmes   programs[] as strings or {name|id|code}; enrollments[] {program_name|
//                program_id|program}; the spec's programme[] {programme_name|
//                programme_identifier} and programme_identifier.programme (a Beneficiary's
//                member or the record itself); our IBR's registrar_match.enrollments[]
//   result       no record: no_match; a record our IBR marks registrar_match.level "possible"
//                (a fuzzy score below its confirmed threshold) and no other: possible_match;
//                any other record (an exact or confirmed hit, or a peer that scores nothing):
//                confirmed_match, as OpenSPP ("the IBR returned at least one record").
//   status       sync path: rjct fails the check with its reason, anything else is read
//                (OpenSPP ignores it there); callback path: only succ completes a check, rjct
//                fails it, rcvd/pdng leave it waiting (§8.4 writes nothing unless succ).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dci_client/check.h"

namespace registrar::dci_client {

// What one search_response item says about one check.
struct ItemOutcome {
  enum class Kind {
    kCompleted,  // result and programmes are set
    kFailed,     // reason says why (an rjct item, or one we cannot read)
    kWaiting,    // not final yet (rcvd, pdng on the callback path): nothing to write
  } kind = Kind::kFailed;
  CheckResult result = CheckResult::kNoMatch;
  std::vector<std::string> programmes;  // sorted, unique
  std::string reason;
  nlohmann::json raw;  // the item as received
};

enum class AnswerPath { kSync, kCallback };

// obj[key] as text when it is a string or a number, else "" (absent, null, another type): peers'
// answers are read without trusting their types.
std::string text_member(const nlohmann::json& obj, const char* key);

// The records of an item's data, in either shape (an empty list when there are none); they
// point into `item`.
std::vector<const nlohmann::json*> item_records(const nlohmann::json& item);
// Programme names a record names, in every shape above, in order, repeated ones once.
std::vector<std::string> record_programmes(const nlohmann::json& record);
// The check result the records amount to.
CheckResult records_result(const std::vector<const nlohmann::json*>& records);

ItemOutcome read_item(const nlohmann::json& item, AnswerPath path);

// The search_response items of a SearchResponse message by reference_id (an item without one
// under ""), pointing into `message`. Throws core::Error(kInvalidArgument) when the message has
// no search_response list.
std::map<std::string, const nlohmann::json*> items_by_reference(const nlohmann::json& message);

}  // namespace registrar::dci_client
