// Pure logic of the authz module (no I/O): role assignments, the collective ("kollektiv") proxy
// rule, lookups and proxy changes parsed from request bodies, and the response shapes of
// roles/search, proxies/search and the PIP exactly as oed-authz prints them.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authz/vocabulary.h"
#include "core/clock.h"

namespace registrar::authz {

// One row: `recipient` holds `role` in `estate`; `heir` is the granting heir of an individual
// proxy and empty for every other role.
struct Assignment {
  int64_t id = 0;
  std::string estate;
  std::string role;
  std::string recipient;
  std::optional<std::string> heir;
  core::SystemTime created{};
  std::string justification;
};

// ---- The collective rule (spec §5) -------------------------------------------------------------

// Why a recipient is eligible for the collective proxy.
struct CollectiveReason {
  enum class Rule {
    kAllProbateHeirs,       // (a) holds an individual proxy from every probate heir
    kAllOtherProbateHeirs,  // (b) a probate heir holding one from every other probate heir
  };
  std::string recipient;
  Rule rule = Rule::kAllProbateHeirs;
  std::vector<std::string> granted_by;  // the probate heirs whose grants count, sorted
  std::string describe() const;         // one line for audit justifications and the CLI
};

struct CollectivePlan {
  std::vector<Assignment> revoke_individual;  // grants from heirs without a probate certificate
  std::vector<std::string> grant_collective;  // eligible recipients that have no collective row
  std::vector<Assignment> revoke_collective;  // collective rows whose recipient is not eligible
  std::vector<CollectiveReason> eligible;     // the eligible set, sorted by recipient
  bool empty() const {
    return revoke_individual.empty() && grant_collective.empty() && revoke_collective.empty();
  }
};

// One snapshot of all rows of one estate in, the changes that bring it to the state the rule
// derives, out. Applied in this order: revoke_individual, grant_collective, revoke_collective.
// The eligible set is a set (the original appended to a list and could insert a duplicate).
CollectivePlan plan_collective(const std::vector<Assignment>& estate_rows,
                               const RoleVocabulary& roles);

// ---- Lookups (roles/search, proxies/search, pip) -----------------------------------------------

struct Lookup {
  std::string estate;
  std::optional<std::string> recipient;
  // Request fields, for error messages ("estateSsn"/"recipientSsn", or "from"/"to" for the PIP).
  std::string estate_field = "estateSsn";
  std::string recipient_field = "recipientSsn";
};

// {"estateSsn": required, "recipientSsn": optional}. Missing/null/blank/non-string estateSsn or
// a non-string recipientSsn: core::Error(kInvalidArgument) naming the field (the original's
// model-binding 400). An empty-string recipientSsn is kept and fails validate_lookup.
Lookup parse_search_request(const Json& body);
// {"from": required, "to": optional}, same rules.
Lookup parse_pip_request(const Json& body);
// The service-level checks: "Invalid EstateSsn" / "Invalid RecipientSsn" (kInvalidArgument).
void validate_lookup(const Lookup& lookup);

struct RoleView {
  Assignment assignment;
  bool restricted = false;
};

// The PIP's rows: every row of the estate in id order, or those of the recipient when given.
std::vector<Assignment> pip_rows(const std::vector<Assignment>& estate_rows,
                                 const std::optional<std::string>& recipient);

// PIP core (spec §6): rows of the estate, filtered to the recipient when given, each with
// isRestricted computed over the whole estate.
std::vector<RoleView> role_views(const std::vector<Assignment>& estate_rows,
                                 const std::optional<std::string>& recipient,
                                 const RoleVocabulary& roles);
// roles/search drops the superadmin role unless `unfiltered`.
std::vector<RoleView> search_roles(const std::vector<Assignment>& estate_rows, const Lookup& lookup,
                                   bool unfiltered, const RoleVocabulary& roles);
// proxies/search keeps rows whose role starts with the proxy prefix.
std::vector<Assignment> search_proxies(const std::vector<Assignment>& estate_rows,
                                       const Lookup& lookup, const RoleVocabulary& roles);

// "2023-02-20T10:00:06.401416+00:00": UTC with a "+00:00" offset, fraction only when non-zero
// and without trailing zeros (System.Text.Json's DateTimeOffset form).
std::string format_created(core::SystemTime t);
// The same, appended to `out` (no temporary string on the PIP's hot path).
void append_created(std::string& out, core::SystemTime t);

// {"roleAssignments":[{estateSsn, recipientSsn, role, created, isRestricted}]}
Json roles_search_response(const std::vector<RoleView>& views);
// {"proxyAssignments":[{estateSsn, heirSsn (null for collective), recipientSsn,
//  "urn:digitaltdodsbo:rolecode", created}]}
Json proxies_search_response(const std::vector<Assignment>& rows);
// {"roleAssignments":[{from, to, "urn:digitaltdodsbo:rolecode", created}]}
Json pip_response(const std::vector<Assignment>& rows);
// The same document serialised directly (what nlohmann would print for pip_response), for the
// benchmarked route.
std::string pip_response_text(const std::vector<Assignment>& rows);
// The pieces pip_response_text is made of, shared with the estate cache (estate_cache.h) so that
// a lookup answered from memory prints the same bytes as one answered from the database:
// kPipOpen, then append_pip_row for rows 0, 1, ..., then kPipClose.
inline constexpr std::string_view kPipOpen = "{\"roleAssignments\":[";
inline constexpr std::string_view kPipClose = "]}";
void append_pip_row(std::string& out, size_t index, std::string_view from, std::string_view to,
                    std::string_view role, core::SystemTime created);

// ---- Proxy management --------------------------------------------------------------------------

struct ProxyChange {
  std::string estate;
  std::string heir;
  std::string recipient;
  std::string role;
  std::string wrapper = "add";  // "add" or "remove": the request property, for field names
};

// {"<wrapper>": {estateSsn, heirSsn, recipientSsn, "urn:digitaltdodsbo:rolecode", created?}};
// the four strings are required and non-blank, `created` is ignored (the original stamps now).
ProxyChange parse_proxy_change(const Json& body, const std::string& wrapper);
// In the original's order, first failure wins: role is not the individual proxy; estate,
// recipient, heir not valid SSNs. All kInvalidArgument naming the field. (The original reports
// an invalid estate as "RecipientSsn"; this names the estate.)
void validate_proxy_change(const ProxyChange& change, const RoleVocabulary& roles);

}  // namespace registrar::authz
