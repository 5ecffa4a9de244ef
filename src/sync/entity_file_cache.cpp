#include "sync/entity_file_cache.h"

namespace registrar::sync {

std::shared_ptr<const EntityFile> EntityFileCache::get(const std::string& key,
                                                       const std::function<EntityFile()>& build) {
  std::promise<std::shared_ptr<const EntityFile>> promise;
  Future waiting;
  {
    core::MutexLock lock(mu_);
    if (auto it = slots_.find(key); it != slots_.end()) {
      uses_.splice(uses_.begin(), uses_, it->second.use);
      waiting = it->second.file;
    } else {
      uses_.push_front(key);
      slots_.emplace(key, Slot{promise.get_future().share(), 0, uses_.begin()});
      ++builds_;
    }
  }
  // Kept, or being built by another request: its file (or its exception).
  if (waiting.valid()) return waiting.get();

  std::shared_ptr<const EntityFile> file;
  try {
    file = std::make_shared<const EntityFile>(build());
  } catch (...) {
    promise.set_exception(std::current_exception());
    core::MutexLock lock(mu_);
    if (auto it = slots_.find(key); it != slots_.end() && it->second.bytes == 0) {
      uses_.erase(it->second.use);
      slots_.erase(it);
    }
    throw;
  }
  promise.set_value(file);
  keep(key, key.size() + file->plain.size() + file->signature.size());
  return file;
}

void EntityFileCache::keep(const std::string& key, size_t bytes) {
  core::MutexLock lock(mu_);
  auto it = slots_.find(key);
  if (it == slots_.end()) return;
  if (bytes > max_bytes_) {  // served, not kept
    uses_.erase(it->second.use);
    slots_.erase(it);
    return;
  }
  it->second.bytes = bytes;
  bytes_ += bytes;
  evict();
}

void EntityFileCache::evict() {
  for (auto use = uses_.end(); bytes_ > max_bytes_ && use != uses_.begin();) {
    --use;
    auto it = slots_.find(*use);
    if (it->second.bytes == 0) continue;  // being built: its builder keeps or drops it
    bytes_ -= it->second.bytes;
    slots_.erase(it);
    use = uses_.erase(use);
  }
}

size_t EntityFileCache::builds() const {
  core::MutexLock lock(mu_);
  return builds_;
}

size_t EntityFileCache::bytes() const {
  core::MutexLock lock(mu_);
  return bytes_;
}

size_t EntityFileCache::size() const {
  core::MutexLock lock(mu_);
  return slots_.size();
}

}  // namespace registrar::sync
