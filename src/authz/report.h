// The estate report of GET /v1/authz/estates/{ssn} as JSON (pure): what `registrar authz show`
// prints, with each row's reason structured for a client (the console) instead of a sentence.
//   {"estate", "roles": [row], "proxies": [row], "pending": [reason], "cursors": [{type,
//   last_processed}]} row: {recipient, role, created, justification, reason} reason: {"kind":
//   "court"}                         a court event's role (probate certificate, ...)
//           {"kind": "individual", "granted_by": heir}  an individual proxy from a probate heir
//           {"kind": "collective", "rule": "all_probate_heirs" | "all_other_probate_heirs",
//            "granted_by": [heirs], "description"}      why the collective proxy holds
//           {"kind": "collective", "rule": null, ...}  no longer eligible (goes at the next change)
//           {"kind": "other"}                          any other row (e.g. the superadmin role)
// `pending` lists recipients the collective rule makes eligible that hold no collective row yet.
#pragma once

#include "authz/model.h"
#include "authz/service.h"

namespace registrar::authz {

const char* rule_name(CollectiveReason::Rule rule);
Json collective_reason_json(const CollectiveReason& reason);
Json estate_report_json(const EstateReport& report, const RoleVocabulary& roles);

}  // namespace registrar::authz
