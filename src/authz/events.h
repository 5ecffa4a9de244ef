// CloudEvents 1.0 ingestion (spec §7, §11): the envelope and its payload parsed into typed
// commands, and the per-estate-and-type cursor rule that discards out-of-order and duplicate
// events. Pure logic; the service applies the commands in one transaction.
#pragma once

#include <nlohmann/json.hpp>

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "authz/vocabulary.h"
#include "core/clock.h"

namespace registrar::authz {

inline constexpr std::string_view kCaseStatusUpdateValidated =
    "no.altinn.events.digitalt-dodsbo.v1.case-status-update-validated";
inline constexpr std::string_view kCaseStatusManuallySynced =
    "no.altinn.events.digitalt-dodsbo.v1.case-status-manually-synced";
inline constexpr std::string_view kProtectedAddressUpdate =
    "no.altinn.events.digitalt-dodsbo.v1.freg-protected-address-update";
inline constexpr std::string_view kValidateSubscription = "platform.events.validatesubscription";
inline constexpr std::string_view kCaseStatusFeilfort = "FEILFORT";

// A court role the event wants the estate to have.
struct CourtRole {
  std::string recipient;
  std::string role;
  auto operator<=>(const CourtRole&) const = default;
};

// The EstateCaseUpdatedEvent payload, reduced to what drives behaviour.
struct EstateCasePayload {
  std::string case_id;
  std::string case_status;
  bool feilfort = false;  // registered in error: wipe the estate
  // Person heirs whose role starts with the court prefix, de-duplicated and sorted.
  std::vector<CourtRole> court_roles;
  // probateResultV2.result or resultType non-empty / probateResultV2.heirs non-empty (logged:
  // probate issued without probate heirs is "incomplete role information").
  bool probate_issued = false;
  bool contains_probate_heirs = false;
};

// case-status-update-validated and case-status-manually-synced (each with its own cursor).
struct EstateCaseEvent {
  std::string id;
  std::string type;
  std::string estate;
  std::optional<core::SystemTime> time;  // absent: processed only while no cursor exists
  // The payload as sent (a JSON string holding JSON already unwrapped); absent: JSON null.
  // It is judged only after the cursor (spec §7.3): a stale event is discarded with 200 whatever
  // it carries, and a null or malformed payload is a 400 only for an event that would apply.
  std::optional<Json> data;
};

// freg-protected-address-update: the person got a protected address.
struct ProtectedAddressEvent {
  std::string id;
  std::optional<std::string> person;  // absent: `data` was JSON null (no-op)
};

// platform.events.validatesubscription: accepted, nothing to do.
struct IgnoredEvent {
  std::string id;
  std::string type;
};

using Event = std::variant<IgnoredEvent, EstateCaseEvent, ProtectedAddressEvent>;

// Parses a request body. Malformed JSON, an unknown type, a bad subject or payload throw
// core::Error(kInvalidArgument) naming the field ("type", "subject", "data.heirRolesV2[2].nin").
// The envelope only: an estate case's payload is judged later, by parse_case_payload, after the
// cursor (a stale event is discarded whatever it carries).
Event parse_event(std::string_view body);
Event parse_event(const Json& envelope);
// The payload of an estate-case event (`data` after unwrapping a JSON string). Structural faults
// (required members, heir types) are refused always; heir nins and role lengths only when the case
// is not FEILFORT, whose wipe uses no heir (spec §7.3 steps 4 and 5).
EstateCasePayload parse_case_payload(const Json& data, const RoleVocabulary& roles);

// The cursor rule: an event is processed when its estate+type has no cursor yet, or when its
// time is strictly later than the cursor (equal = duplicate, earlier = out of order). An event
// without time counts as the earliest possible time.
bool should_process(const std::optional<core::SystemTime>& cursor,
                    const std::optional<core::SystemTime>& event_time);

}  // namespace registrar::authz
