#include "ibr/registry_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/base64.h"
#include "ibr/matching/person.h"
#include "ibr/person_record.h"
#include "ibr/store.h"

namespace registrar::ibr {
namespace {

using Json = nlohmann::json;

}  // namespace

std::string page_cursor(const std::string& sender_id, const std::string& reference_id) {
  return core::base64url_encode(sender_id + '\n' + reference_id);
}

std::optional<std::pair<std::string, std::string>> read_page_cursor(const std::string& cursor) {
  auto raw = core::base64url_decode(cursor);
  if (!raw) return std::nullopt;
  auto nl = raw->find('\n');
  if (nl == std::string::npos) return std::nullopt;
  return std::make_pair(raw->substr(0, nl), raw->substr(nl + 1));
}

namespace db {

std::vector<StoredBeneficiary> list_beneficiaries(soci::session& s, const EnrollmentFilter& f,
                                                  std::vector<int64_t>* updated_us) {
  // Each filter is "empty or equal", so that one statement serves every combination.
  const bool from_start = f.after_sender.empty() && f.after_reference.empty();
  const std::string after_flag = from_start ? "" : "1";
  long long limit = std::clamp<int64_t>(f.limit, 1, 1000);
  soci::rowset<soci::row> rows =
      (s.prepare
           << "SELECT b.sender_id, b.reference_id, b.record, b.deleted, b.updated_us "
              "FROM ibr_beneficiaries b WHERE b.deleted = 0 "
              "AND (:s1 = '' OR b.sender_id = :s2) "
              "AND (:i1 = '' OR EXISTS (SELECT 1 FROM ibr_identifiers i WHERE i.sender_id = "
              "b.sender_id AND i.reference_id = b.reference_id AND i.id_value = :i2)) "
              "AND (:p1 = '' OR EXISTS (SELECT 1 FROM ibr_enrollments e WHERE e.sender_id = "
              "b.sender_id AND e.reference_id = b.reference_id AND (e.programme_id = :p2 OR "
              "e.programme_name = :p3))) "
              "AND (:a = '' OR b.sender_id > :as1 OR (b.sender_id = :as2 AND b.reference_id > "
              ":ar)) ORDER BY b.sender_id, b.reference_id LIMIT :l",
       soci::use(f.sender_id), soci::use(f.sender_id), soci::use(f.identifier),
       soci::use(f.identifier), soci::use(f.programme), soci::use(f.programme),
       soci::use(f.programme), soci::use(after_flag), soci::use(f.after_sender),
       soci::use(f.after_sender), soci::use(f.after_reference), soci::use(limit));
  std::vector<StoredBeneficiary> out;
  for (const auto& r : rows) {
    StoredBeneficiary b;
    b.sender_id = r.get<std::string>(0);
    b.reference_id = r.get<std::string>(1);
    b.record = Json::parse(r.get<std::string>(2));
    b.deleted = store::row_int(r, 3) != 0;
    if (updated_us) updated_us->push_back(store::row_int(r, 4));
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace db

Json beneficiary_summary(const StoredBeneficiary& b, const std::vector<Enrollment>& enrollments) {
  PersonFields p = person_fields(b.record);
  Json ids = Json::array();
  for (const auto& i : p.identifiers) ids.push_back({{"type", i.type}, {"value", i.value}});
  Json progs = Json::array();
  for (const auto& e : enrollments)
    progs.push_back({{"programme_id", e.programme_id},
                     {"programme_name", e.programme_name},
                     {"status", e.status},
                     {"enrolment_date", e.enrolment_date},
                     {"end_date", e.end_date}});
  return {{"sender_id", b.sender_id},
          {"reference_id", b.reference_id},
          {"name", p.name},
          {"birth_date", matching::birth_date_text(p.birth)},
          {"sex", matching::sex_code(p.sex)},
          {"location", p.location},
          {"identifiers", std::move(ids)},
          {"enrollments", std::move(progs)}};
}

std::vector<PersonHit> duplicates_of(BeneficiaryIndex& index, const StoredBeneficiary& b,
                                     size_t limit) {
  const RecordKey self{b.sender_id, b.reference_id};
  auto self_id = index.id_of(self);
  if (!self_id) return {};
  PersonFields fields = person_fields(b.record);
  std::map<std::pair<std::string, std::string>, PersonHit> by_key;
  for (const auto& ident : fields.identifiers)
    for (matching::RecordId other : index.index().find_by_identifier(ident.type, ident.value)) {
      if (other == *self_id) continue;
      auto key = index.key_of(other);
      if (!key) continue;  // removed since
      by_key.try_emplace(std::make_pair(key->sender_id, key->reference_id),
                         PersonHit{*key, 1.0, 0, true, matching::MatchLevel::kConfirmed});
    }
  if (!fields.name.empty()) {
    matching::Person person = index.person_of(fields);
    for (const auto& hit : index.index().search(person, limit, *self_id)) {
      auto key = index.key_of(hit.id);
      if (!key) continue;
      auto [it, added] =
          by_key.try_emplace(std::make_pair(key->sender_id, key->reference_id),
                             PersonHit{*key, hit.score, hit.matched, false, hit.level});
      if (!added) it->second.matched |= hit.matched;  // an identifier hit stays confirmed at 1
    }
  }
  std::vector<PersonHit> out;
  for (auto& [k, h] : by_key) out.push_back(std::move(h));
  std::stable_sort(out.begin(), out.end(),
                   [](const PersonHit& a, const PersonHit& b) { return a.score > b.score; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace registrar::ibr
