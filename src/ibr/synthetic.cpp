#include "ibr/synthetic.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_map>

#include "core/text.h"
#include "ibr/beneficiary_index.h"
#include "ibr/enrollment.h"
#include "ibr/matching/person.h"
#include "ibr/store.h"

namespace registrar::ibr {

namespace {

using Json = nlohmann::json;

// First part, middle parts, last part: the spec's name object. Splitting on spaces and joining
// back gives the matcher the same parts as the full name.
Json name_object(const std::string& full) {
  std::vector<std::string> parts = core::split_words(full);
  Json name = Json::object();
  if (parts.empty()) return name;
  name["first_name"] = parts.front();
  if (parts.size() > 1) name["surname"] = parts.back();
  std::string middle;
  for (size_t k = 1; k + 1 < parts.size(); ++k) middle += (middle.empty() ? "" : " ") + parts[k];
  if (!middle.empty()) name["second_name"] = middle;
  return name;
}

}  // namespace

Beneficiary synthetic_beneficiary(const matching::SyntheticRecord& r, uint64_t seed,
                                  const std::string& sender_id, const std::string& reference_id) {
  Json ids = Json::array();
  for (const auto& id : r.identifiers)
    ids.push_back({{"identifier_type", id.type}, {"identifier_value", id.value}});
  Json person = {{"identifier", ids},
                 {"name", name_object(r.full_name)},
                 {"sex", matching::sex_code(r.sex)},
                 {"birth_date", matching::birth_date_text(r.birth)},
                 {"sub_region_code", r.location}};
  Json record = {
      {"reference_id", reference_id},
      {"@type", "Beneficiary"},
      {"member",
       {{"member_identifier", ids},
        {"demographic_info", {{"person", person}}},
        {"programme_identifier",
         {{"programme", {{"programme_identifier", r.programme}, {"programme_name", r.programme}}},
          {"enrolment_status", "Active"}}}}},
      {"ground_truth_person", std::to_string(seed) + ":" + std::to_string(r.person)}};
  Beneficiary b;
  b.sender_id = sender_id;
  b.reference_id = reference_id;
  b.identifiers = identifiers_of(record);
  b.enrollments = enrollments_of(record);
  b.record = std::move(record);
  return b;
}

SeedStats seed_population(store::Database& db, const core::Clock& clock, const SeedOptions& o,
                          const std::function<void(size_t, size_t)>& progress) {
  matching::PopulationGenerator gen(o.seed, o.duplicate_rate);
  SeedStats stats;
  std::vector<Beneficiary> batch;
  while (stats.records < o.count) {
    batch.clear();
    size_t n = std::min(o.batch, o.count - stats.records);
    for (size_t i = 0; i < n; ++i) {
      matching::SyntheticRecord r = gen.next();
      if (r.errors != 0) ++stats.duplicates;
      batch.push_back(synthetic_beneficiary(
          r, o.seed, o.sender_id,
          "seed-" + std::to_string(o.seed) + "-" + std::to_string(stats.records + i)));
    }
    db.write([&](soci::session& s) {
      core::SystemTime now = clock.now();
      for (const auto& b : batch) db::put_beneficiary(s, b, now);
      db::prune_changes(s, now);
    });
    stats.records += n;
    if (progress) progress(stats.records, o.count);
  }
  return stats;
}

DedupReport dedup_registry(store::Database& db, const matching::IndexOptions& options,
                           std::optional<double> threshold) {
  BeneficiaryIndex index(options);
  index.load(db);
  const double possible = threshold.value_or(options.thresholds.possible);
  DedupReport report;
  std::set<std::pair<uint32_t, uint32_t>> confirmed, possible_pairs;
  std::vector<uint32_t> person_of;                   // by RecordId
  std::unordered_map<std::string, uint32_t> people;  // ground_truth_person -> dense number
  bool all_known = true;
  auto add = [](std::set<std::pair<uint32_t, uint32_t>>& to, uint32_t a, uint32_t b) {
    to.emplace(std::min(a, b), std::max(a, b));
  };
  std::string after_sender, after_ref;
  for (;;) {
    std::vector<StoredBeneficiary> rows;
    db.read([&](soci::session& s) {
      rows = db::beneficiaries_after(s, after_sender, after_ref, 2000);
    });
    for (const auto& b : rows) {
      auto id = index.id_of({b.sender_id, b.reference_id});
      if (!id) continue;  // written after the index was built
      ++report.records;
      if (person_of.size() <= *id) person_of.resize(*id + 1);
      if (auto gt = b.record.find("ground_truth_person"); gt != b.record.end() && gt->is_string())
        person_of[*id] =
            people.try_emplace(gt->get<std::string>(), static_cast<uint32_t>(people.size()))
                .first->second;
      else
        all_known = false;
      PersonFields fields = person_fields(b.record);
      for (const auto& ident : fields.identifiers)
        for (auto other : index.index().find_by_identifier(ident.type, ident.value))
          if (other != *id) add(confirmed, *id, other);
      matching::Person p = index.person_of(fields);
      for (const auto& hit : index.index().search(p, 50, *id, nullptr, possible))
        add(hit.score >= options.thresholds.confirmed ? confirmed : possible_pairs, *id, hit.id);
    }
    if (rows.size() < 2000) break;
    after_sender = rows.back().sender_id;
    after_ref = rows.back().reference_id;
  }
  for (const auto& p : confirmed) possible_pairs.erase(p);
  report.index_bytes = index.memory_usage().total();
  report.confirmed_pairs = confirmed.size();
  report.possible_pairs = possible_pairs.size();
  if (all_known && report.records > 0) {
    std::vector<matching::RecordPair> predicted(confirmed.begin(), confirmed.end());
    predicted.insert(predicted.end(), possible_pairs.begin(), possible_pairs.end());
    report.evaluation = matching::evaluate_pairs(std::move(predicted), person_of);
    report.true_pairs = report.evaluation->true_positives + report.evaluation->false_negatives;
  }
  return report;
}

}  // namespace registrar::ibr
