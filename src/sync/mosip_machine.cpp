#include "sync/mosip_machine.h"

#include <algorithm>

#include "core/error.h"
#include "sync/machine_crypto.h"

namespace registrar::sync {
namespace {

constexpr int kPage = 1000;

std::string string_field(const Json& data, const char* name) {
  auto it = data.find(name);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<std::string> machine_id_by_name(SyncService& service, const std::string& name) {
  if (name.empty()) return std::nullopt;
  return service.db().read([&](soci::session& s) -> std::optional<std::string> {
    db::ListQuery q;
    q.entity = "machines";
    q.limit = kPage;
    std::optional<std::string> found;
    db::for_each_row(s, q, [&](const RowState& row) {
      if (!found && string_field(Json::parse(row.data), "name") == name) found = row.id;
    });
    return found;
  });
}

std::optional<MachineContext> live(std::optional<MachineContext> m) {
  if (!m || m->deleted) return std::nullopt;
  return m;
}

std::optional<MachineContext> machine_for(SyncService& service, const std::string& key,
                                          bool name_fallback) {
  if (key.empty()) return std::nullopt;
  if (auto m = live(service.machine_by_key_index(key))) return m;
  if (!name_fallback) return std::nullopt;
  auto id = machine_id_by_name(service, key);
  return id ? live(service.machine_by_id(*id)) : std::nullopt;
}

MachineKey encryption_key(const MachineContext& m) {
  std::string type = m.machine_type;
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return machine_key(string_field(m.machine, "publicKey"), type == "ANDROID");
}

// Encrypts `plain` to the machine's key; nullopt when its stored key cannot be used (not RSA).
std::optional<std::string> encrypt_for(const MachineContext& m, const std::string& plain) {
  try {
    return encrypt_for_machine_b64(encryption_key(m), plain);
  } catch (const core::Error& e) {
    if (e.kind() != core::ErrorKind::kInvalidArgument) throw;
    return std::nullopt;
  }
}

}  // namespace registrar::sync
