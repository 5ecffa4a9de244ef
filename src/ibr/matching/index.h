// The in-memory duplicate-detection index of the IBR: every enrolled person in a compact form,
// an exact identifier map and blocking buckets for fuzzy search. Built at start from the
// database and kept current from the change feed by the ibr module (upsert / remove by id).
//
// Thread-safety: all public functions may be called from any thread. Readers (search,
// find_by_identifier, size, memory_usage) run concurrently under a shared lock; writers (upsert,
// remove) take it exclusively. No function calls back into caller code while holding the lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ibr/matching/person.h"
#include "ibr/matching/score.h"
#include "ibr/matching/shared_mutex.h"

namespace registrar::ibr::matching {

// Dense ids chosen by the caller (the module maps its enrollment / person keys to them); the
// index keeps a slot per id up to the largest one, so keep them dense.
using RecordId = uint32_t;

struct IndexOptions {
  size_t expected_records = 1 << 16;  // sizes the blocking table; it doubles past 2x this
  ScoreWeights weights;
  Thresholds thresholds;
};

struct SearchHit {
  RecordId id = 0;
  double score = 0.0;
  uint8_t matched = 0;  // MatchedField bits
  MatchLevel level = MatchLevel::kNone;
};

struct SearchStats {
  size_t candidates = 0;  // distinct live records scored
};

// Bytes held, counted from the containers' capacities plus an estimate of the allocator's
// per-allocation overhead (16 bytes, glibc's on 64-bit).
struct MemoryUsage {
  size_t records = 0;
  size_t slots = 0, text = 0, blocks = 0, identifiers = 0, locations = 0;
  [[nodiscard]] size_t total() const { return slots + text + blocks + identifiers + locations; }
  [[nodiscard]] double bytes_per_record() const {
    return records ? static_cast<double>(total()) / static_cast<double>(records) : 0.0;
  }
};

class MatchIndex {
 public:
  explicit MatchIndex(IndexOptions options = {});

  // Inserts or replaces the record with this id. `person.name_tokens` must come from
  // NameNormalizer::tokens(); the index never normalises.
  void upsert(RecordId id, const Person& person) EXCLUDES(mu_);
  // False when there was no such record.
  bool remove(RecordId id) EXCLUDES(mu_);

  // Exact path: records holding this identifier (type and value compared byte for byte), sorted.
  [[nodiscard]] std::vector<RecordId> find_by_identifier(std::string_view type,
                                                         std::string_view value) const
      EXCLUDES(mu_);

  // Fuzzy path: records scoring at least `min_score` (default: the "possible" threshold) against
  // `query`, best first, at most `limit`; `exclude` leaves one id out (the query's own record in
  // a dedup run). A lower `min_score` serves threshold studies: such hits have level kNone.
  [[nodiscard]] std::vector<SearchHit> search(const Person& query, size_t limit = 50,
                                              std::optional<RecordId> exclude = std::nullopt,
                                              SearchStats* stats = nullptr,
                                              std::optional<double> min_score = std::nullopt) const
      EXCLUDES(mu_);

  [[nodiscard]] size_t size() const EXCLUDES(mu_);
  [[nodiscard]] MemoryUsage memory_usage() const EXCLUDES(mu_);
  [[nodiscard]] const IndexOptions& options() const { return options_; }

 private:
  // 20 bytes per record; the name parts and identifiers live in text_ (see index.cpp).
  struct Slot {
    uint32_t text_offset = 0;
    uint16_t text_length = 0;
    uint16_t name_length = 0;
    BirthDate birth;
    uint32_t location = 0;  // index into locations_; 0 = unknown
    Sex sex = Sex::kUnknown;
    bool live = false;
  };

  PersonView view_locked(const Slot& slot) const REQUIRES_SHARED(mu_);
  void erase_locked(RecordId id) REQUIRES(mu_);
  void add_to_buckets_locked(RecordId id, const PersonView& view) REQUIRES(mu_);
  void rebuild_buckets_locked(size_t bucket_count) REQUIRES(mu_);
  void compact_text_locked() REQUIRES(mu_);
  uint32_t intern_location_locked(std::string_view code) REQUIRES(mu_);
  bool has_identifier_locked(const Slot& slot, std::string_view type, std::string_view value) const
      REQUIRES_SHARED(mu_);

  const IndexOptions options_;
  mutable SharedMutex mu_;
  std::vector<Slot> slots_ GUARDED_BY(mu_);
  std::string text_ GUARDED_BY(mu_);
  size_t text_garbage_ GUARDED_BY(mu_) = 0;  // bytes of replaced or removed records in text_
  std::vector<std::vector<RecordId>> buckets_ GUARDED_BY(mu_);
  std::unordered_multimap<uint64_t, RecordId> by_identifier_ GUARDED_BY(mu_);
  std::vector<std::string> locations_ GUARDED_BY(mu_);
  std::unordered_map<std::string, uint32_t> location_ids_ GUARDED_BY(mu_);
  size_t live_ GUARDED_BY(mu_) = 0;
};

}  // namespace registrar::ibr::matching
