#include "ibr/service.h"

#include "core/random.h"
#include "dci/envelope.h"
#include "ibr/person_search.h"
#include "ibr/store.h"
#include "store/audit.h"

namespace registrar::ibr {

using Json = nlohmann::json;

IbrService::IbrService(store::Database& db, const core::Clock& clock, const IbrSettings& settings,
                       BeneficiaryIndex* index, std::function<void()> after_write)
    : db_(db),
      clock_(clock),
      settings_(settings),
      index_(index),
      after_write_(std::move(after_write)) {}

Json IbrService::apply_updates(const Json& message, const std::string& sender_id,
                               const std::string& request_id) {
  EnrollmentUpdates u = parse_enrollment_updates(message, sender_id);
  std::string ts = dci::format_message_ts(clock_.now());
  Json results = Json::array();
  size_t stored = 0, deleted = 0, rejected = 0;
  db_.write([&](soci::session& s) {
    core::SystemTime now = clock_.now();
    std::vector<UpdateEvent> events;
    for (const auto& item : u.items) {
      // What the sender had under this reference, for the subscriptions' events.
      std::optional<StoredBeneficiary> before;
      if (listener_ && item.problem.empty())
        before = db::find_beneficiary(s, sender_id, item.reference_id);
      Json r = {{"reference_id", item.reference_id}, {"timestamp", ts}};
      if (!item.problem.empty()) {
        r["status"] = "rjct";
        r["status_reason_message"] = item.problem;
        ++rejected;
      } else if (item.deleted) {
        db::delete_beneficiary(s, sender_id, item.reference_id, now);
        r["status"] = "succ";
        ++deleted;
        if (before && !before->deleted)
          events.push_back({sender_id,
                            item.reference_id,
                            false,
                            true,
                            identifiers_of(before->record),
                            *before,
                            {}});
      } else {
        db::put_beneficiary(s, item.beneficiary, now);
        r["status"] = "succ";
        ++stored;
        if (listener_)
          events.push_back({sender_id,
                            item.reference_id,
                            !before || before->deleted,
                            false,
                            item.beneficiary.identifiers,
                            {sender_id, item.reference_id, item.beneficiary.record, false},
                            item.beneficiary.enrollments});
      }
      results.push_back(std::move(r));
    }
    if (listener_ && !events.empty()) listener_(s, u.transaction_id, events);
    // One record per request: the transaction and its counts (the references are in the rows).
    store::append_audit(s,
                        {sender_id,
                         "ibr.enrollment.update",
                         "transaction:" + u.transaction_id,
                         request_id,
                         {{"stored", stored}, {"deleted", deleted}, {"rejected", rejected}}},
                        now);
    db::prune_changes(s, now);
  });
  if (after_write_) after_write_();
  return {{"transaction_id", u.transaction_id},
          {"correlation_id", core::uuid_v4()},
          {"enrolled_response", std::move(results)}};
}

Json IbrService::sync_search(const Json& message) {
  return answer_search(parse_search_request(message, settings_.max_page_size));
}

Json IbrService::sync_enrolled(const Json& message) {
  return answer_search(parse_enrolled_request(message, settings_.max_page_size));
}

Json IbrService::search_in(soci::session& s, const Json& message) {
  return answer_search_in(s, parse_search_request(message, settings_.max_page_size));
}

Json IbrService::answer_search(const SearchRequest& req) {
  return db_.read([&](soci::session& s) { return answer_search_in(s, req); });
}

Json IbrService::answer_search_in(soci::session& s, const SearchRequest& req) {
  std::string ts = dci::format_message_ts(clock_.now());
  Json items = Json::array();
  db::IdentifierLookup lookup(s);  // a request carries up to hundreds of items
  for (const auto& item : req.items) {
    if (!item.reject_code.empty()) {
      items.push_back(search_response_item(item, nullptr, ts));
      continue;
    }
    if (item.query_type != "idtype-value") {
      if (!index_) {
        SearchItem refused = item;
        refused.reject_code = "rjct.search_criteria.invalid";
        refused.reject_message = "query_type " + item.query_type + " is not served here";
        items.push_back(search_response_item(refused, nullptr, ts));
      } else {
        SearchResult result = person_search_result(s, *index_, item);
        items.push_back(search_response_item(item, &result, ts));
      }
      continue;
    }
    SearchResult result;
    auto found = lookup.find(item.id.type, item.id.value, (item.page_number - 1) * item.page_size,
                             item.page_size, result.total);
    for (const auto& b : found)
      result.records.push_back(reg_record(b, lookup.enrollments(b.sender_id, b.reference_id)));
    items.push_back(search_response_item(item, &result, ts));
  }
  return {{"transaction_id", req.transaction_id},
          {"correlation_id", core::uuid_v4()},
          {"search_response", std::move(items)}};
}

}  // namespace registrar::ibr
