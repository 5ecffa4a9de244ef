#include "sync/machine_cache.h"

#include <algorithm>
#include <cctype>

#include "sync/machine_crypto.h"
#include "sync/store.h"

namespace registrar::sync {

MachineCache::MachineCache(SyncService& service, size_t capacity)
    : service_(service), capacity_(capacity) {}

std::shared_ptr<const CachedMachine> MachineCache::load(soci::session& s,
                                                        const std::string& machine_id) {
  auto context = service_.machine_in(s, machine_id);
  if (!context) return nullptr;
  auto m = std::make_shared<CachedMachine>();
  m->context = std::move(*context);
  m->machine_seq = m->context.row_seq;
  m->centre_seq = m->context.centre.empty() ? -1 : db::centre_seq(s, m->context.centre);
  m->records = db::machine_scope_records(s, machine_id);
  auto field = [&](const char* name) {
    auto it = m->context.machine.find(name);
    return it != m->context.machine.end() && it->is_string() ? it->get<std::string>()
                                                             : std::string();
  };
  m->sign_key_index = field("signKeyIndex");
  std::transform(m->sign_key_index.begin(), m->sign_key_index.end(), m->sign_key_index.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string key = field("signPublicKey");
  if (!key.empty()) {
    try {
      m->sign_key = machine_public_key(key);
    } catch (const std::exception&) {
      // Unusable: the authenticator says so.
    }
  }
  return m;
}

void MachineCache::put(const std::shared_ptr<const CachedMachine>& m) {
  core::MutexLock lock(mu_);
  // Only machines that may pull are kept: a refusal always comes from the database, so a machine
  // reactivated after one is served at once.
  if (m->context.deleted || !m->context.active) {
    by_id_.erase(m->context.id);
    return;
  }
  if (by_id_.size() >= capacity_ && !by_id_.count(m->context.id)) {
    by_id_.clear();
    id_by_key_.clear();
  }
  by_id_[m->context.id] = m;
  if (!m->sign_key_index.empty()) id_by_key_[m->sign_key_index] = m->context.id;
}

std::shared_ptr<const CachedMachine> MachineCache::read(const std::string& machine_id) {
  return service_.db().read([&](soci::session& s) { return load(s, machine_id); });
}

std::shared_ptr<const CachedMachine> MachineCache::reload(const std::string& machine_id) {
  auto m = read(machine_id);
  if (m) {
    put(m);
  } else {
    core::MutexLock lock(mu_);
    by_id_.erase(machine_id);
  }
  return m;
}

std::shared_ptr<const CachedMachine> MachineCache::by_id(const std::string& machine_id) {
  {
    core::MutexLock lock(mu_);
    auto it = by_id_.find(machine_id);
    if (it != by_id_.end()) return it->second;
  }
  return reload(machine_id);
}

std::shared_ptr<const CachedMachine> MachineCache::by_key_index(const std::string& key_index) {
  std::string lower = key_index;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  {
    core::MutexLock lock(mu_);
    auto k = id_by_key_.find(lower);
    if (k != id_by_key_.end()) {
      auto it = by_id_.find(k->second);
      // The key must still be that machine's (an entry replaced since names its own key).
      if (it != by_id_.end() && it->second->sign_key_index == lower) return it->second;
    }
  }
  auto m = service_.db().read([&](soci::session& s) -> std::shared_ptr<const CachedMachine> {
    auto hit = db::machine_for_key_index(s, lower);
    if (!hit) return nullptr;
    return load(s, hit->machine_id);
  });
  if (m) put(m);
  return m;
}

size_t MachineCache::size() const {
  core::MutexLock lock(mu_);
  return by_id_.size();
}

}  // namespace registrar::sync
