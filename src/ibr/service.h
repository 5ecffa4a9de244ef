// The registry operations behind the DCI routes: enrollment updates and sync search. No HTTP
// types: the api turns requests into these calls and their results into signed envelopes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "ibr/beneficiary_index.h"
#include "ibr/config.h"
#include "ibr/enrollment.h"
#include "ibr/search.h"
#include "store/database.h"

namespace registrar::ibr {

// One beneficiary an enrollment update stored or deleted, for the subscriptions (notify).
struct UpdateEvent {
  std::string sender_id;
  std::string reference_id;
  bool created = false;  // the sender had no (live) record under this reference before
  bool deleted = false;
  std::vector<Identifier> identifiers;  // the record's (before deletion, for a deleted one)
  StoredBeneficiary record;             // as stored (the last one, for a deleted one)
  std::vector<Enrollment> enrollments;
};
// Called inside the update's db.write, after its rows, so that what it writes (the outbox) commits
// or rolls back with them.
using UpdateListener = std::function<void(soci::session&, const std::string& transaction_id,
                                          const std::vector<UpdateEvent>&)>;

class IbrService {
 public:
  // `index` answers the expression and predicate queries; without one (nullptr) they are
  // rejected. `after_write`, when set, runs after each committed update (the module polls its
  // IndexFollower there, so that an instance sees its own writes at once).
  IbrService(store::Database& db, const core::Clock& clock, const IbrSettings& settings,
             BeneficiaryIndex* index = nullptr, std::function<void()> after_write = {});

  // Stores what `sender_id` reported in one transaction (audited) and returns the
  // EnrollmentUpdatesResponse message. Throws core::Error(kInvalidArgument) for a malformed
  // message, before anything is written.
  nlohmann::json apply_updates(const nlohmann::json& message, const std::string& sender_id,
                               const std::string& request_id);

  // The SearchResponse message for a SearchRequest message: idtype-value items from the
  // identifier table, expression / predicate items from the index (person_search.h). Any
  // thread; the entry point of the sync route and of the async search's worker.
  nlohmann::json sync_search(const nlohmann::json& message);
  // The EnrolledResponse message for an EnrolledRequest message: the beneficiaries holding the
  // identifier under any type, with their programmes.
  nlohmann::json sync_enrolled(const nlohmann::json& message);

  // The SearchResponse for a SearchRequest message read inside the caller's transaction (async
  // search stores it with its callback). Throws like sync_search.
  nlohmann::json search_in(soci::session& s, const nlohmann::json& message);

  // Set once, before the routes serve.
  void set_update_listener(UpdateListener listener) { listener_ = std::move(listener); }

  const IbrSettings& settings() const { return settings_; }

 private:
  nlohmann::json answer_search(const SearchRequest& request);
  nlohmann::json answer_search_in(soci::session& s, const SearchRequest& request);
  UpdateListener listener_;
  store::Database& db_;
  const core::Clock& clock_;
  IbrSettings settings_;
  BeneficiaryIndex* index_;
  std::function<void()> after_write_;
};

}  // namespace registrar::ibr
