#include "ibr/registry_api.h"

#include <cmath>

#include "core/clock.h"
#include "core/error.h"
#include "ibr/matching/score.h"
#include "ibr/registry_view.h"
#include "ibr/store.h"

namespace registrar::ibr {
namespace {

using http::Request;
using http::Response;
using Json = nlohmann::json;

constexpr int64_t kDefaultPage = 50;
constexpr int64_t kMaxPage = 500;
constexpr int64_t kMaxCandidates = 200;

// The beneficiary named by the path, live, or 404.
StoredBeneficiary beneficiary_at(soci::session& s, const Request& r) {
  std::string sender(r.param("sender_id")), reference(r.param("reference_id"));
  auto b = db::find_beneficiary(s, sender, reference);
  if (!b || b->deleted)
    throw core::not_found("no enrollment of sender " + sender + " under reference " + reference);
  return *b;
}

Response list(const Request& r, store::Database& db) {
  EnrollmentFilter f;
  f.sender_id = r.query_param("sender").value_or("");
  f.identifier = r.query_param("identifier").value_or("");
  f.programme = r.query_param("programme").value_or("");
  f.limit = r.integer_query_param("limit", 1, kMaxPage, kDefaultPage);
  if (auto after = r.query_param("after"); after && !after->empty()) {
    auto key = read_page_cursor(*after);
    if (!key) throw core::invalid_argument("after must be the next of an earlier page", "after");
    f.after_sender = key->first;
    f.after_reference = key->second;
  }
  Json items = Json::array();
  std::string last_sender, last_reference;
  db.read([&](soci::session& s) {
    std::vector<int64_t> updated;
    auto page = db::list_beneficiaries(s, f, &updated);
    for (size_t i = 0; i < page.size(); ++i) {
      Json one = beneficiary_summary(
          page[i], db::enrollments_of(s, page[i].sender_id, page[i].reference_id));
      one["updated"] = core::format_rfc3339(core::from_unix_us(updated[i]));
      items.push_back(std::move(one));
    }
    if (!page.empty()) {
      last_sender = page.back().sender_id;
      last_reference = page.back().reference_id;
    }
  });
  Json out = {{"items", items}};
  // A full page may have a next one; `next` is the `after` that asks for it.
  out["next"] = int64_t(items.size()) == f.limit ? Json(page_cursor(last_sender, last_reference))
                                                 : Json(nullptr);
  return Response::json(200, out);
}

Response duplicates(const Request& r, store::Database& db, BeneficiaryIndex& index) {
  int64_t limit = r.integer_query_param("limit", 1, kMaxCandidates, 50);
  Json out;
  db.read([&](soci::session& s) {
    StoredBeneficiary b = beneficiary_at(s, r);
    out["beneficiary"] = beneficiary_summary(b, db::enrollments_of(s, b.sender_id, b.reference_id));
    Json candidates = Json::array();
    for (const auto& hit : duplicates_of(index, b, size_t(limit))) {
      // Re-read: the index may hold a record deleted since it last followed the feed.
      auto other = db::find_beneficiary(s, hit.key.sender_id, hit.key.reference_id);
      if (!other || other->deleted) continue;
      Json c =
          beneficiary_summary(*other, db::enrollments_of(s, other->sender_id, other->reference_id));
      Json fields = Json::array();
      if (hit.identifier) fields.push_back("identifier");
      for (auto& name : matching::matched_field_names(hit.matched)) fields.push_back(name);
      c["score"] = std::round(hit.score * 1000) / 1000;
      c["level"] = matching::match_level_name(hit.level);
      c["matched_fields"] = std::move(fields);
      candidates.push_back(std::move(c));
    }
    out["candidates"] = std::move(candidates);
  });
  return Response::json(200, out);
}

}  // namespace

void add_registry_view_routes(http::Router& router, store::Database& db, BeneficiaryIndex& index,
                              const std::string& scope) {
  router.get("/v1/ibr/enrollments", [&db](Request& r) { return list(r, db); })
      .require_scopes({scope})
      .describe(
          "Stored enrollments in key order (?sender, ?identifier: a value of any type, "
          "?programme: id or name, ?limit, ?after: the previous page's next)");
  router
      .get("/v1/ibr/enrollments/{sender_id}/{reference_id}",
           [&db](Request& r) {
             Json out;
             db.read([&](soci::session& s) {
               StoredBeneficiary b = beneficiary_at(s, r);
               out = beneficiary_summary(b, db::enrollments_of(s, b.sender_id, b.reference_id));
               out["record"] = b.record;
             });
             return Response::json(200, out);
           })
      .require_scopes({scope})
      .describe("One stored enrollment: its summary and the record as its sender reported it");
  router
      .get("/v1/ibr/enrollments/{sender_id}/{reference_id}/duplicates",
           [&db, &index](Request& r) { return duplicates(r, db, index); })
      .require_scopes({scope})
      .describe(
          "The beneficiaries that may be the same person: shared identifiers and fuzzy "
          "matches with their scores and matched fields (?limit)");
}

}  // namespace registrar::ibr
