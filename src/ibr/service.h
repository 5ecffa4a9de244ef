// The registry operations behind the DCI routes: enrollment updates and sync search. No HTTP
// types: the api turns requests into these calls and their results into signed envelopes.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "ibr/beneficiary_index.h"
#include "ibr/config.h"
#include "ibr/enrollment.h"
#include "ibr/search.h"
#include "store/database.h"

namespace registrar::ibr {

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

  const IbrSettings& settings() const { return settings_; }

 private:
  nlohmann::json answer_search(const SearchRequest& request);
  store::Database& db_;
  const core::Clock& clock_;
  IbrSettings settings_;
  BeneficiaryIndex* index_;
  std::function<void()> after_write_;
};

}  // namespace registrar::ibr
