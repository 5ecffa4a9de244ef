// The authz service: event ingestion, proxy management and the lookups, over the store. Every
// method that writes runs in one transaction that first locks the estate (so concurrent writers
// of one estate are serialised and the collective rule always sees the final individual grants),
// and records every inserted and deleted row in the audit log with its justification.
// Client mistakes throw core::Error with the kind the HTTP layer maps to a status.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authz/events.h"
#include "authz/model.h"
#include "authz/vocabulary.h"
#include "core/clock.h"
#include "store/database.h"

namespace registrar::authz {

// Who asks, for the audit log.
struct Actor {
  std::string name = "system";  // token subject, "events", "cli:<user>"
  std::string request_id;
};

struct EventResult {
  enum class Outcome {
    kApplied,    // processed (possibly with no row changes)
    kDiscarded,  // out of order or duplicate for its estate+type cursor; nothing written
    kIgnored,    // nothing to do (subscription validation, protected address with null data)
  };
  Outcome outcome = Outcome::kIgnored;
  int granted = 0;  // rows inserted
  int revoked = 0;  // rows deleted
};

// Everything `registrar authz show <estate>` prints.
struct EstateReport {
  std::string estate;
  std::vector<Assignment> rows;
  std::vector<CollectiveReason> collective;  // why each eligible recipient holds the collective
  std::vector<std::pair<std::string, core::SystemTime>> cursors;  // event type -> last processed
};

class AuthzService {
 public:
  AuthzService(store::Database& db, const core::Clock& clock, AuthzSettings settings);

  const AuthzSettings& settings() const { return settings_; }

  // Told, after every write transaction that changed rows, which estates it changed (also when
  // the commit failed: it may have happened). Every such transaction also appends those estates
  // to the change feed (store.h) before it commits. The PIP cache evicts them here, so that an
  // instance reads its own writes at once; other instances see them through the feed. Set before
  // serving; called on the writing thread.
  using ChangeListener = std::function<void(const std::vector<std::string>& estates)>;
  void set_change_listener(ChangeListener listener) { listener_ = std::move(listener); }

  // Constant-time comparison with authz.event_secret; false when no secret is configured.
  bool event_secret_matches(std::string_view presented) const;

  // An event whose sender is authenticated (the HTTP route's query-secret authenticator):
  // parses the body and applies it. Malformed events: kInvalidArgument naming the field.
  EventResult ingest_event(std::string_view body, const Actor& actor);
  // The same after checking the secret first (kUnauthenticated when wrong): for callers that
  // are not behind the route's authenticator.
  EventResult ingest_event(std::string_view presented_secret, std::string_view body,
                           const Actor& actor);
  // Applies a parsed event in one transaction (nothing is written when it throws).
  EventResult apply_event(const Event& event, const Actor& actor);

  // proxies/add: validates (kInvalidArgument naming the field; heir without a probate
  // certificate is kInvalidArgument on heirSsn), inserts the individual proxy (kConflict when it
  // exists), re-derives the collective proxies; returns the estate's proxies afterwards.
  std::vector<Assignment> add_proxy(const ProxyChange& change, const Actor& actor);
  // proxies/remove: same checks; deleting a proxy that does not exist is not an error.
  void remove_proxy(const ProxyChange& change, const Actor& actor);

  // roles/search (superadmin hidden unless `unfiltered`), proxies/search and the PIP. Invalid
  // SSNs: kInvalidArgument "Invalid EstateSsn" / "Invalid RecipientSsn" naming the field.
  std::vector<RoleView> search_roles(const Lookup& lookup, bool unfiltered);
  std::vector<Assignment> search_proxies(const Lookup& lookup);
  std::vector<Assignment> pip(const Lookup& lookup);
  // Every row of each estate in one read, ordered by id; estates without rows are absent. The
  // estates must be valid SSNs (kInvalidArgument otherwise). The PIP's batched read (batcher.h).
  std::map<std::string, std::vector<Assignment>> load_estates(std::vector<std::string> estates);

  EstateReport show_estate(const std::string& estate);

 private:
  EventResult apply_estate_case(const EstateCaseEvent& e, const Actor& actor);
  EventResult apply_protected_address(const ProtectedAddressEvent& e, const Actor& actor);
  std::vector<Assignment> load_lookup(const Lookup& lookup);
  // A write transaction f(session, changed) that lists in `changed` the estates whose rows it
  // changes: they go to the change feed before the commit and to the listener after.
  template <class F>
  auto write_estates(F&& f);

  store::Database& db_;
  const core::Clock& clock_;
  AuthzSettings settings_;
  ChangeListener listener_;
};

}  // namespace registrar::authz
