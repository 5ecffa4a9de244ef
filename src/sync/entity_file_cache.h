// Entity files built once and served many times (docs/sync.md "Entity files"): a file is the
// same for every machine that reads the same scopes as of the same change, so it is keyed by
// (file, scopes, sequence head) and its plaintext and signature are kept in memory, up to a
// bound in bytes, least recently used first out. A key that is being built is built once: the
// other requests for it wait for that build. Thread-safe; builds block (database): call from
// workers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/thread_annotations.h"

namespace registrar::sync {

struct EntityFile {
  std::string plain;      // the file before encryption
  std::string signature;  // its file-signature header ("" without signing)
};

class EntityFileCache {
 public:
  // Files larger than max_bytes are built and served but not kept.
  explicit EntityFileCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // The file of `key`, built by `build` unless kept or being built. A build that throws is not
  // kept: the exception reaches every request that waited for it.
  std::shared_ptr<const EntityFile> get(const std::string& key,
                                        const std::function<EntityFile()>& build) EXCLUDES(mu_);

  size_t builds() const EXCLUDES(mu_);
  size_t bytes() const EXCLUDES(mu_);
  size_t size() const EXCLUDES(mu_);

 private:
  using Future = std::shared_future<std::shared_ptr<const EntityFile>>;
  struct Slot {
    Future file;
    size_t bytes = 0;  // 0 while building
    std::list<std::string>::iterator use;
  };
  void keep(const std::string& key, size_t bytes) EXCLUDES(mu_);
  void evict() REQUIRES(mu_);

  const size_t max_bytes_;
  mutable core::Mutex mu_;
  std::unordered_map<std::string, Slot> slots_ GUARDED_BY(mu_);
  std::list<std::string> uses_ GUARDED_BY(mu_);  // most recently used first
  size_t bytes_ GUARDED_BY(mu_) = 0;
  size_t builds_ GUARDED_BY(mu_) = 0;
};

}  // namespace registrar::sync
