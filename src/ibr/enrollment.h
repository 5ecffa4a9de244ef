// Reading an EnrollmentUpdatesRequest (dci-ibr.md §3.4) into beneficiaries to store. Pure.
//
// The spec's Beneficiary has no reference id of its own, yet updates must replace what the same
// sender said before: a beneficiary's reference is its `reference_id` member when it has one,
// else "{type}:{value}" of its first identifier (docs/compatibility.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ibr/records.h"

namespace registrar::ibr {

struct UpdateItem {
  std::string reference_id;  // "" when it could not be found (then `problem` says why)
  bool deleted = false;      // `"deleted": true` on the beneficiary: remove it
  Beneficiary beneficiary;
  std::string problem;  // "" when the item is usable
};

struct EnrollmentUpdates {
  std::string transaction_id;
  std::vector<UpdateItem> items;
};

// `message` is the envelope's message. The beneficiaries are under enrolled_updates (the spec's
// request) or receipt_information (the spec's processflow1 sample). Throws
// core::Error(kInvalidArgument) naming the member when the message itself is malformed; a
// malformed beneficiary only marks its item.
EnrollmentUpdates parse_enrollment_updates(const nlohmann::json& message,
                                           const std::string& sender_id);

// Identifiers named anywhere the spec's shapes put them (member.member_identifier,
// demographic_info.person.identifier, Person.identifier), without repeats.
std::vector<Identifier> identifiers_of(const nlohmann::json& record);
// Programme enrollments in the spec's shapes (member.programme_identifier, Person.programme[])
// and OpenSPP's (programs[]).
std::vector<Enrollment> enrollments_of(const nlohmann::json& record);

}  // namespace registrar::ibr
