#include "ibr/person_search.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "ibr/matching/score.h"
#include "ibr/store.h"

namespace registrar::ibr {

namespace {

using Json = nlohmann::json;

// The beneficiaries holding one identifier condition's value.
std::vector<RecordKey> holders(soci::session& s, const BeneficiaryIndex& index,
                               const Identifier& id, size_t limit) {
  std::vector<RecordKey> out;
  if (id.type.empty()) {
    // The index is keyed by (type, value); "any type" asks the database's value index.
    int64_t total = 0;
    for (const auto& b :
         db::find_by_identifier(s, "", id.value, 0, static_cast<int64_t>(limit), total))
      out.push_back({b.sender_id, b.reference_id});
    return out;
  }
  for (matching::RecordId rid : index.index().find_by_identifier(id.type, id.value))
    if (auto key = index.key_of(rid)) out.push_back(std::move(*key));
  return out;
}

Json match_member(const PersonHit& hit, const std::vector<Enrollment>& enrollments) {
  Json fields = Json::array();
  if (hit.identifier) fields.push_back("identifier");
  for (auto& f : matching::matched_field_names(hit.matched)) fields.push_back(std::move(f));
  Json found = Json::array();
  for (const auto& e : enrollments)
    found.push_back({{"programme_id", e.programme_id},
                     {"programme_name", e.programme_name},
                     {"status", e.status},
                     {"enrolment_date", e.enrolment_date},
                     {"end_date", e.end_date}});
  return {{"score", std::round(hit.score * 1000) / 1000},
          {"level", matching::match_level_name(hit.level)},
          {"matched_fields", std::move(fields)},
          {"sender_id", hit.key.sender_id},
          {"reference_id", hit.key.reference_id},
          {"enrollments", std::move(found)}};
}

}  // namespace

std::vector<PersonHit> find_person(soci::session& s, BeneficiaryIndex& index, const PersonQuery& q,
                                   size_t limit) {
  std::map<std::pair<std::string, std::string>, PersonHit> by_key;
  if (q.has_identifier()) {
    // Every identifier condition and every "$or" group must hold: intersect their holders.
    std::optional<std::vector<RecordKey>> common;
    auto keep = [&](std::vector<RecordKey> next) {
      if (!common) {
        common = std::move(next);
        return;
      }
      std::erase_if(*common, [&](const RecordKey& k) {
        return std::find(next.begin(), next.end(), k) == next.end();
      });
    };
    for (const auto& id : q.identifiers) keep(holders(s, index, id, limit));
    for (const auto& group : q.identifier_alternatives) {
      std::vector<RecordKey> any;
      for (const auto& id : group)
        for (auto& k : holders(s, index, id, limit))
          if (std::find(any.begin(), any.end(), k) == any.end()) any.push_back(std::move(k));
      keep(std::move(any));
    }
    for (auto& k : *common) {
      PersonHit h{k, 1.0, 0, true, matching::MatchLevel::kConfirmed};
      by_key.emplace(std::make_pair(k.sender_id, k.reference_id), std::move(h));
    }
  }
  if (!q.name.empty()) {
    PersonFields f;
    f.name = q.name;
    f.birth = q.birth;
    f.sex = q.sex;
    f.location = q.location;
    matching::Person person = index.person_of(f);
    for (const auto& hit : index.index().search(person, limit)) {
      auto key = index.key_of(hit.id);
      if (!key) continue;  // removed since the search
      auto [it, added] =
          by_key.try_emplace(std::make_pair(key->sender_id, key->reference_id),
                             PersonHit{*key, hit.score, hit.matched, false, hit.level});
      if (!added) it->second.matched |= hit.matched;  // an identifier hit stays confirmed at 1
    }
  }
  std::vector<PersonHit> out;
  out.reserve(by_key.size());
  for (auto& [k, h] : by_key) out.push_back(std::move(h));
  std::stable_sort(out.begin(), out.end(),
                   [](const PersonHit& a, const PersonHit& b) { return a.score > b.score; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

SearchResult person_search_result(soci::session& s, BeneficiaryIndex& index,
                                  const SearchItem& item) {
  size_t limit = std::max(kMaxPersonHits, static_cast<size_t>(item.page_number * item.page_size));
  std::vector<PersonHit> hits = find_person(s, index, item.person, limit);
  SearchResult result;
  result.total = static_cast<int64_t>(hits.size());
  size_t from = static_cast<size_t>((item.page_number - 1) * item.page_size);
  for (size_t i = from; i < hits.size() && i < from + static_cast<size_t>(item.page_size); ++i) {
    auto b = db::find_beneficiary(s, hits[i].key.sender_id, hits[i].key.reference_id);
    if (!b || b->deleted) continue;  // gone since the index last followed the feed
    auto enrollments = db::enrollments_of(s, b->sender_id, b->reference_id);
    Json record = reg_record(*b, enrollments);
    record["registrar_match"] = match_member(hits[i], enrollments);
    result.records.push_back(std::move(record));
  }
  return result;
}

}  // namespace registrar::ibr
