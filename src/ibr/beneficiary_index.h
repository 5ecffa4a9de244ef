// The ibr module's duplicate-detection index: a matching::MatchIndex over the stored
// beneficiaries, with the map from their keys (sender_id, reference_id) to the index's dense
// RecordIds. Filled by load() (the whole table, streamed in pages) and kept current by the
// IndexFollower (index_follower.h) through put() / remove().
//
// Ids: a removed record's id goes on a free list and the next new record takes it, so the ids
// stay dense (the MatchIndex keeps a slot per id up to the largest) however many records come
// and go; a replaced record keeps its id.
//
// Thread-safety: every function may be called from any thread. The key maps are under mu_, the
// MatchIndex has its own lock (taken after mu_ when both are held), name normalisers come from a
// pool (ICU's transliterator is not thread-safe). A search hit's id is turned back into its key
// after the search: if the record was removed in between, key_of() says so; callers re-read the
// record from the database anyway.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/thread_annotations.h"
#include "ibr/matching/index.h"
#include "ibr/person_record.h"
#include "ibr/records.h"
#include "store/database.h"

namespace registrar::ibr {

struct RecordKey {
  std::string sender_id;
  std::string reference_id;
  bool operator==(const RecordKey&) const = default;
};

class BeneficiaryIndex {
 public:
  explicit BeneficiaryIndex(matching::IndexOptions options = {});
  ~BeneficiaryIndex();

  // Inserts or replaces the beneficiary (a deleted one is removed).
  void put(const StoredBeneficiary& b) EXCLUDES(mu_, pool_mu_);
  void remove(const RecordKey& key) EXCLUDES(mu_);

  struct LoadStats {
    size_t records = 0;
    size_t removed = 0;  // records held before that the table no longer has
  };
  // Reads every live beneficiary in pages of `page` (one read transaction each) and puts it;
  // then removes what the index held but the table did not. Used at start (empty index) and to
  // resynchronise after a gap in the change feed.
  LoadStats load(store::Database& db, size_t page = 2000) EXCLUDES(mu_, pool_mu_);

  std::optional<matching::RecordId> id_of(const RecordKey& key) const EXCLUDES(mu_);
  std::optional<RecordKey> key_of(matching::RecordId id) const EXCLUDES(mu_);

  // The record as the matcher sees it (names normalised).
  matching::Person person_of(const PersonFields& fields) EXCLUDES(pool_mu_);

  const matching::MatchIndex& index() const { return index_; }
  size_t size() const { return index_.size(); }

  // Bytes held: the matcher's (MatchIndex::memory_usage) plus the key map, estimated from
  // capacities with 16 bytes of allocator overhead per allocation, as the matcher counts.
  struct Memory {
    size_t records = 0;
    size_t matcher = 0;
    size_t keys = 0;
    [[nodiscard]] size_t total() const { return matcher + keys; }
  };
  Memory memory_usage() const EXCLUDES(mu_);

 private:
  std::unique_ptr<matching::NameNormalizer> take_normalizer() EXCLUDES(pool_mu_);
  void give_back(std::unique_ptr<matching::NameNormalizer> n) EXCLUDES(pool_mu_);
  void upsert_locked(const RecordKey& key, const matching::Person& p) REQUIRES(mu_);
  std::optional<matching::RecordId> find_locked(const std::string& packed, uint64_t hash) const
      REQUIRES(mu_);

  matching::MatchIndex index_;

  mutable core::Mutex mu_;
  // Each key once: packed "sender_id\x1freference_id" by id ("" = a free id), and a map from
  // its hash to the ids (confirmed against keys_), which halves the bytes a record's key costs.
  std::vector<std::string> keys_ GUARDED_BY(mu_);
  std::unordered_multimap<uint64_t, matching::RecordId> ids_ GUARDED_BY(mu_);
  std::vector<matching::RecordId> free_ GUARDED_BY(mu_);

  core::Mutex pool_mu_;
  matching::NameNormalizer prototype_ GUARDED_BY(pool_mu_);
  std::vector<std::unique_ptr<matching::NameNormalizer>> idle_ GUARDED_BY(pool_mu_);
};

}  // namespace registrar::ibr
