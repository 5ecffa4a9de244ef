#include "ibr/matching/index.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "ibr/matching/blocking.h"
#include "ibr/matching/similarity.h"

namespace registrar::ibr::matching {
namespace {

// Layout of a record in the text arena: the name parts joined by ' ' (name_length bytes), then
// each identifier as type '\x1f' value '\x1e'. One allocation-free string for a million records
// instead of a few std::strings each.
constexpr char kTypeEnd = '\x1f';
constexpr char kIdentifierEnd = '\x1e';
constexpr size_t kAllocationOverhead = 16;
// libstdc++'s node of unordered_multimap<uint64_t, uint32_t>: next pointer + key + value.
constexpr size_t kIdentifierNodeBytes = 32;

uint64_t identifier_hash(std::string_view type, std::string_view value) {
  return hash_bytes(value.data(), value.size(), hash_bytes(type.data(), type.size()));
}

// (type, value) pairs of a record's encoded identifiers. A plain loop over the result rather than
// a callback: Clang's thread-safety analysis checks a lambda on its own, without the caller's lock.
std::vector<std::pair<std::string_view, std::string_view>> decode_identifiers(
    std::string_view encoded) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  while (!encoded.empty()) {
    const size_t type_end = encoded.find(kTypeEnd);
    const size_t end = encoded.find(kIdentifierEnd, type_end);
    out.emplace_back(encoded.substr(0, type_end), encoded.substr(type_end + 1, end - type_end - 1));
    encoded.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace

MatchIndex::MatchIndex(IndexOptions options) : options_(options) {
  WriterLock lock(mu_);
  locations_.emplace_back();  // id 0: unknown
  rebuild_buckets_locked(std::bit_ceil(std::max<size_t>(options_.expected_records, 1024)));
}

PersonView MatchIndex::view_locked(const Slot& slot) const {
  PersonView v;
  std::string_view name(text_.data() + slot.text_offset, slot.name_length);
  while (!name.empty() && v.token_count < kMaxNameTokens) {
    const size_t space = name.find(' ');
    v.tokens[v.token_count++] = name.substr(0, space);
    name.remove_prefix(space == std::string_view::npos ? name.size() : space + 1);
  }
  v.birth = slot.birth;
  v.sex = slot.sex;
  v.location = locations_[slot.location];
  return v;
}

void MatchIndex::upsert(RecordId id, const Person& person) {
  std::string encoded;
  for (const std::string& token : person.name_tokens) {
    if (token.empty()) continue;
    if (!encoded.empty()) encoded.push_back(' ');
    encoded += token;
  }
  const size_t name_length = encoded.size();
  for (const Identifier& i : person.identifiers) {
    encoded.append(i.type).push_back(kTypeEnd);
    encoded.append(i.value).push_back(kIdentifierEnd);
  }
  if (encoded.size() > UINT16_MAX) throw std::invalid_argument("person record too long to index");

  WriterLock lock(mu_);
  if (id < slots_.size() && slots_[id].live) erase_locked(id);
  if (id >= slots_.size()) slots_.resize(static_cast<size_t>(id) + 1);
  if (text_garbage_ > text_.size() / 2 && text_.size() > (1u << 20)) compact_text_locked();
  if (text_.size() + encoded.size() > UINT32_MAX) throw std::length_error("match index text full");

  Slot& slot = slots_[id];
  slot.text_offset = static_cast<uint32_t>(text_.size());
  slot.text_length = static_cast<uint16_t>(encoded.size());
  slot.name_length = static_cast<uint16_t>(name_length);
  slot.birth = person.birth;
  slot.sex = person.sex;
  slot.location = intern_location_locked(person.location);
  slot.live = true;
  text_ += encoded;
  ++live_;
  for (const Identifier& i : person.identifiers)
    by_identifier_.emplace(identifier_hash(i.type, i.value), id);
  if (live_ > 2 * buckets_.size())
    rebuild_buckets_locked(buckets_.size() * 2);
  else
    add_to_buckets_locked(id, view_locked(slot));
}

bool MatchIndex::remove(RecordId id) {
  WriterLock lock(mu_);
  if (id >= slots_.size() || !slots_[id].live) return false;
  erase_locked(id);
  return true;
}

void MatchIndex::erase_locked(RecordId id) {
  Slot& slot = slots_[id];
  std::vector<uint64_t> keys;
  blocking_keys(view_locked(slot), keys);
  const size_t mask = buckets_.size() - 1;
  for (uint64_t key : keys) {
    std::vector<RecordId>& bucket = buckets_[key & mask];
    // Two keys of one record may share a bucket: remove one occurrence per key.
    if (auto it = std::find(bucket.begin(), bucket.end(), id); it != bucket.end()) {
      *it = bucket.back();
      bucket.pop_back();
    }
  }
  const std::string_view encoded(text_.data() + slot.text_offset, slot.text_length);
  for (const auto& [type, value] : decode_identifiers(encoded.substr(slot.name_length))) {
    auto [first, last] = by_identifier_.equal_range(identifier_hash(type, value));
    for (auto it = first; it != last; ++it)
      if (it->second == id) {
        by_identifier_.erase(it);
        break;
      }
  }
  text_garbage_ += slot.text_length;
  slot.live = false;
  --live_;
}

void MatchIndex::add_to_buckets_locked(RecordId id, const PersonView& view) {
  std::vector<uint64_t> keys;
  blocking_keys(view, keys);
  const size_t mask = buckets_.size() - 1;
  for (uint64_t key : keys) buckets_[key & mask].push_back(id);
}

void MatchIndex::rebuild_buckets_locked(size_t bucket_count) {
  buckets_.assign(bucket_count, {});
  for (RecordId id = 0; id < slots_.size(); ++id)
    if (slots_[id].live) add_to_buckets_locked(id, view_locked(slots_[id]));
}

void MatchIndex::compact_text_locked() {
  std::string compacted;
  compacted.reserve(text_.size() - text_garbage_);
  for (Slot& slot : slots_) {
    if (!slot.live) continue;
    const uint32_t offset = static_cast<uint32_t>(compacted.size());
    compacted.append(text_, slot.text_offset, slot.text_length);
    slot.text_offset = offset;
  }
  text_ = std::move(compacted);
  text_garbage_ = 0;
}

uint32_t MatchIndex::intern_location_locked(std::string_view code) {
  if (code.empty()) return 0;
  auto [it, inserted] =
      location_ids_.try_emplace(std::string(code), static_cast<uint32_t>(locations_.size()));
  if (inserted) locations_.emplace_back(code);
  return it->second;
}

bool MatchIndex::has_identifier_locked(const Slot& slot, std::string_view type,
                                       std::string_view value) const {
  const std::string_view encoded(text_.data() + slot.text_offset, slot.text_length);
  for (const auto& [t, v] : decode_identifiers(encoded.substr(slot.name_length)))
    if (t == type && v == value) return true;
  return false;
}

std::vector<RecordId> MatchIndex::find_by_identifier(std::string_view type,
                                                     std::string_view value) const {
  ReaderLock lock(mu_);
  std::vector<RecordId> ids;
  auto [first, last] = by_identifier_.equal_range(identifier_hash(type, value));
  // The map is keyed by a 64-bit hash: the stored identifier confirms each hit.
  for (auto it = first; it != last; ++it)
    if (has_identifier_locked(slots_[it->second], type, value)) ids.push_back(it->second);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::vector<SearchHit> MatchIndex::search(const Person& query, size_t limit,
                                          std::optional<RecordId> exclude, SearchStats* stats,
                                          std::optional<double> min_score) const {
  const double floor = min_score.value_or(options_.thresholds.possible);
  const PersonView q = view_of(query);
  std::vector<uint64_t> keys;
  blocking_query_keys(q, keys);
  std::vector<RecordId> candidates;
  std::vector<SearchHit> hits;

  ReaderLock lock(mu_);
  const size_t mask = buckets_.size() - 1;
  for (uint64_t key : keys) {
    const std::vector<RecordId>& bucket = buckets_[key & mask];
    candidates.insert(candidates.end(), bucket.begin(), bucket.end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  if (stats) stats->candidates = candidates.size();
  const ScoreWeights& w = options_.weights;
  const double others = w.name + w.sex + w.location;
  for (RecordId id : candidates) {
    if (exclude && *exclude == id) continue;
    // Most candidates share a name part and a year but not the date: reject them on the slot's
    // birth date alone, before touching the text arena (a cache miss per candidate).
    const double birth = birth_date_similarity(q.birth, slots_[id].birth);
    if (birth >= 0.0 && (others + w.birth_date * birth) / (others + w.birth_date) < floor) continue;
    const MatchScore s = score(q, view_locked(slots_[id]), options_.weights, floor);
    if (s.score >= floor && s.score > 0.0)
      hits.push_back({id, s.score, s.matched, classify(s.score, options_.thresholds)});
  }
  auto better = [](const SearchHit& a, const SearchHit& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  };
  if (hits.size() > limit) {
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(limit), hits.end(),
                      better);
    hits.resize(limit);
  } else {
    std::sort(hits.begin(), hits.end(), better);
  }
  return hits;
}

size_t MatchIndex::size() const {
  ReaderLock lock(mu_);
  return live_;
}

MemoryUsage MatchIndex::memory_usage() const {
  ReaderLock lock(mu_);
  MemoryUsage m;
  m.records = live_;
  m.slots = slots_.capacity() * sizeof(Slot);
  m.text = text_.capacity();
  m.blocks = buckets_.capacity() * sizeof(buckets_[0]);
  for (const auto& bucket : buckets_)
    if (bucket.capacity()) m.blocks += bucket.capacity() * sizeof(RecordId) + kAllocationOverhead;
  m.identifiers =
      by_identifier_.bucket_count() * sizeof(void*) + by_identifier_.size() * kIdentifierNodeBytes;
  for (const std::string& code : locations_)
    m.locations += 2 * (sizeof(std::string) + code.capacity()) + kIdentifierNodeBytes;
  return m;
}

}  // namespace registrar::ibr::matching
