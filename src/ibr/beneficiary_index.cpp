#include "ibr/beneficiary_index.h"

#include <functional>
#include <string_view>
#include <unordered_set>

#include "ibr/store.h"

namespace registrar::ibr {

namespace {

// Sender ids are ASCII letters, digits and ".-_" (dci/senders.h), so the unit separator cannot
// occur in them and the packing is unambiguous.
constexpr char kSeparator = '\x1f';

std::string pack(const RecordKey& k) {
  std::string out;
  out.reserve(k.sender_id.size() + 1 + k.reference_id.size());
  out += k.sender_id;
  out += kSeparator;
  out += k.reference_id;
  return out;
}

RecordKey unpack(const std::string& packed) {
  size_t cut = packed.find(kSeparator);
  return {packed.substr(0, cut), packed.substr(cut + 1)};
}

uint64_t key_hash(const std::string& packed) {
  return std::hash<std::string_view>()(packed);
}

}  // namespace

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

std::optional<matching::RecordId> BeneficiaryIndex::find_locked(const std::string& packed,
                                                                uint64_t hash) const {
  auto [from, to] = ids_.equal_range(hash);
  for (auto it = from; it != to; ++it)
    if (keys_[it->second] == packed) return it->second;
  return std::nullopt;
}

void BeneficiaryIndex::upsert_locked(const RecordKey& key, const matching::Person& p) {
  std::string packed = pack(key);
  uint64_t hash = key_hash(packed);
  std::optional<matching::RecordId> id = find_locked(packed, hash);
  if (!id) {
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
      keys_[*id] = std::move(packed);
    } else {
      id = static_cast<matching::RecordId>(keys_.size());
      keys_.push_back(std::move(packed));
    }
    ids_.emplace(hash, *id);
  }
  index_.upsert(*id, p);
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
  std::string packed = pack(key);
  uint64_t hash = key_hash(packed);
  auto [from, to] = ids_.equal_range(hash);
  for (auto it = from; it != to; ++it) {
    matching::RecordId id = it->second;
    if (keys_[id] != packed) continue;
    index_.remove(id);
    ids_.erase(it);
    keys_[id].clear();
    keys_[id].shrink_to_fit();
    free_.push_back(id);
    return;
  }
}

BeneficiaryIndex::LoadStats BeneficiaryIndex::load(store::Database& db, size_t page) {
  LoadStats stats;
  // Only a resynchronisation has records to drop; the build at start skips the bookkeeping.
  const bool track = size() > 0;
  std::unordered_set<std::string> seen;  // packed keys
  RecordKey after;
  for (;;) {
    std::vector<StoredBeneficiary> rows;
    db.read([&](soci::session& s) {
      rows = db::beneficiaries_after(s, after.sender_id, after.reference_id, page);
    });
    for (const auto& b : rows) {
      put(b);
      if (track) seen.insert(pack({b.sender_id, b.reference_id}));
    }
    stats.records += rows.size();
    if (rows.size() < page) break;
    after = {rows.back().sender_id, rows.back().reference_id};
  }
  std::vector<RecordKey> gone;
  if (track) {
    core::MutexLock lock(mu_);
    for (const auto& packed : keys_)
      if (!packed.empty() && !seen.contains(packed)) gone.push_back(unpack(packed));
  }
  for (const auto& key : gone) remove(key);
  stats.removed = gone.size();
  return stats;
}

std::optional<matching::RecordId> BeneficiaryIndex::id_of(const RecordKey& key) const {
  core::MutexLock lock(mu_);
  std::string packed = pack(key);
  return find_locked(packed, key_hash(packed));
}

std::optional<RecordKey> BeneficiaryIndex::key_of(matching::RecordId id) const {
  core::MutexLock lock(mu_);
  if (id >= keys_.size() || keys_[id].empty()) return std::nullopt;
  return unpack(keys_[id]);
}

BeneficiaryIndex::Memory BeneficiaryIndex::memory_usage() const {
  constexpr size_t kMallocOverhead = 16;
  Memory m;
  matching::MemoryUsage matcher = index_.memory_usage();
  m.records = matcher.records;
  m.matcher = matcher.total();
  core::MutexLock lock(mu_);
  m.keys = keys_.capacity() * sizeof(std::string) + free_.capacity() * sizeof(matching::RecordId);
  for (const auto& k : keys_)
    if (k.capacity() > 15) m.keys += k.capacity() + 1 + kMallocOverhead;  // beyond SSO
  // Multimap: a node (next, hash, value) per entry plus a bucket pointer.
  m.keys += ids_.size() * (sizeof(void*) + sizeof(size_t) + sizeof(std::pair<uint64_t, uint32_t>) +
                           kMallocOverhead) +
            ids_.bucket_count() * sizeof(void*);
  return m;
}

}  // namespace registrar::ibr
