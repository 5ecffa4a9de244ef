#include "ibr/beneficiary_index.h"

#include <functional>
#include <unordered_set>

#include "ibr/store.h"

namespace registrar::ibr {

size_t BeneficiaryIndex::KeyHash::operator()(const RecordKey& k) const {
  size_t h = std::hash<std::string>()(k.sender_id);
  return h ^
         (std::hash<std::string>()(k.reference_id) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

BeneficiaryIndex::BeneficiaryIndex(matching::IndexOptions options) : index_(options) {}
BeneficiaryIndex::~BeneficiaryIndex() = default;

std::unique_ptr<matching::NameNormalizer> BeneficiaryIndex::take_normalizer() {
  core::MutexLock lock(pool_mu_);
  if (idle_.empty()) return std::make_unique<matching::NameNormalizer>(prototype_.clone());
  auto n = std::move(idle_.back());
  idle_.pop_back();
  return n;
}

void BeneficiaryIndex::give_back(std::unique_ptr<matching::NameNormalizer> n) {
  core::MutexLock lock(pool_mu_);
  idle_.push_back(std::move(n));
}

matching::Person BeneficiaryIndex::person_of(const PersonFields& fields) {
  auto n = take_normalizer();
  matching::Person p = to_person(fields, *n);
  give_back(std::move(n));
  return p;
}

void BeneficiaryIndex::upsert_locked(const RecordKey& key, const matching::Person& p) {
  matching::RecordId id;
  if (auto it = ids_.find(key); it != ids_.end()) {
    id = it->second;
  } else if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
    keys_[id] = key;
    ids_.emplace(key, id);
  } else {
    id = static_cast<matching::RecordId>(keys_.size());
    keys_.push_back(key);
    ids_.emplace(key, id);
  }
  index_.upsert(id, p);
}

void BeneficiaryIndex::put(const StoredBeneficiary& b) {
  RecordKey key{b.sender_id, b.reference_id};
  if (b.deleted) return remove(key);
  matching::Person p = person_of(person_fields(b.record));  // outside mu_: ICU is slow
  core::MutexLock lock(mu_);
  upsert_locked(key, p);
}

void BeneficiaryIndex::remove(const RecordKey& key) {
  core::MutexLock lock(mu_);
  auto it = ids_.find(key);
  if (it == ids_.end()) return;
  matching::RecordId id = it->second;
  index_.remove(id);
  ids_.erase(it);
  keys_[id].reset();
  free_.push_back(id);
}

BeneficiaryIndex::LoadStats BeneficiaryIndex::load(store::Database& db, size_t page) {
  LoadStats stats;
  // Only a resynchronisation has records to drop; the build at start skips the bookkeeping.
  const bool track = size() > 0;
  std::unordered_set<RecordKey, KeyHash> seen;
  RecordKey after;
  for (;;) {
    std::vector<StoredBeneficiary> rows;
    db.read([&](soci::session& s) {
      rows = db::beneficiaries_after(s, after.sender_id, after.reference_id, page);
    });
    for (const auto& b : rows) {
      put(b);
      if (track) seen.insert({b.sender_id, b.reference_id});
    }
    stats.records += rows.size();
    if (rows.size() < page) break;
    after = {rows.back().sender_id, rows.back().reference_id};
  }
  std::vector<RecordKey> gone;
  if (track) {
    core::MutexLock lock(mu_);
    for (const auto& [key, id] : ids_)
      if (!seen.contains(key)) gone.push_back(key);
  }
  for (const auto& key : gone) remove(key);
  stats.removed = gone.size();
  return stats;
}

std::optional<matching::RecordId> BeneficiaryIndex::id_of(const RecordKey& key) const {
  core::MutexLock lock(mu_);
  auto it = ids_.find(key);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::optional<RecordKey> BeneficiaryIndex::key_of(matching::RecordId id) const {
  core::MutexLock lock(mu_);
  if (id >= keys_.size()) return std::nullopt;
  return keys_[id];
}

}  // namespace registrar::ibr
