#include "intercoop/target_admin.h"

#include "core/error.h"
#include "intercoop/hardened.h"
#include "intercoop/package.h"
#include "intercoop/source_store.h"
#include "intercoop/target_store.h"
#include "store/audit.h"

namespace registrar::intercoop {
namespace {

void audit(soci::session& s, const std::string& actor, const std::string& action,
           const std::string& subject, const std::string& request_id, nlohmann::json detail,
           core::SystemTime now) {
  store::append_audit(s, {actor, action, subject, request_id, std::move(detail)}, now);
}

}  // namespace

bool TargetAdmin::import_peer(const Peer& p, const std::string& actor,
                              const std::string& request_id) {
  return db_.write([&](soci::session& s) {
    core::SystemTime now = clock_.now();
    bool is_new = db::upsert_peer(s, p, now);
    nlohmann::json detail = {{"new", is_new}};
    // A descriptor with a `services` section is the peer's own statement of what its services
    // need: it replaces what our source side knew of them (docs/intercoop.md, source side).
    if (auto services = remote_services_from_descriptor(p.descriptor)) {
      db::replace_remote_services(s, p.id, *services, now);
      nlohmann::json names = nlohmann::json::array();
      for (const auto& sv : *services) names.push_back(sv.name);
      detail["services"] = names;
    }
    audit(s, actor, "intercoop.peer.import", p.id, request_id, detail, now);
    return is_new;
  });
}

Peer TargetAdmin::add_peer(Peer p, const std::string& actor, const std::string& request_id) {
  if (!valid_peer_id(p.id))
    throw core::invalid_argument("peer id: letters, digits and '_' only (at most 64)", "id");
  if (p.name.empty()) throw core::invalid_argument("a name is required", "name");
  if (p.versions.empty()) {
    // Unless given, the versions the keys given allow: RSA 1.0, Ed25519 2.0.
    if (!p.public_key_pem.empty()) p.versions.emplace_back(kProtocolVersion);
    if (!p.ed25519_key_pem.empty()) p.versions.emplace_back(kHardenedVersion);
    if (p.versions.empty())
      throw core::invalid_argument("a public key (RSA for 1.0, Ed25519 for 2.0) is required",
                                   "public_key");
  }
  check_peer_keys(p);
  if (p.description.is_null()) p.description = "";
  if (p.url.is_null()) p.url = "";
  p.descriptor = nullptr;
  p.active = true;
  db_.write([&](soci::session& s) {
    core::SystemTime now = clock_.now();
    db::insert_peer(s, p, now);
    audit(s, actor, "intercoop.peer.add", p.id, request_id, {{"name", p.name}}, now);
    p.created = p.updated = now;
  });
  return p;
}

Peer TargetAdmin::set_peer_active(const std::string& id, bool active, const std::string& actor,
                                  const std::string& request_id) {
  return db_.write([&](soci::session& s) {
    core::SystemTime now = clock_.now();
    if (!db::set_peer_active(s, id, active, now)) throw core::not_found("no peer " + id);
    audit(s, actor, active ? "intercoop.peer.enable" : "intercoop.peer.disable", id, request_id,
          nlohmann::json::object(), now);
    return *db::find_peer(s, id);
  });
}

std::vector<Peer> TargetAdmin::peers() {
  return db_.read([](soci::session& s) { return db::all_peers(s); });
}

std::vector<Peer> TargetAdmin::peers(const std::optional<std::string>& after, int limit) {
  return db_.read([&](soci::session& s) { return db::peers_page(s, after, limit); });
}

std::optional<Peer> TargetAdmin::peer(const std::string& id) {
  return db_.read([&](soci::session& s) { return db::find_peer(s, id); });
}

Service TargetAdmin::add_service(Service sv, const std::string& actor,
                                 const std::string& request_id) {
  if (!valid_service_name(sv.name))
    throw core::invalid_argument("service name: lowercase letters, digits and '_' (at most 64)",
                                 "name");
  for (const auto& f : sv.fields)
    if (f.empty()) throw core::invalid_argument("a field name is empty", "fields");
  if (!sv.description.is_object())
    throw core::invalid_argument("description is a map of language to text", "description");
  for (const auto& [lang, text] : sv.description.items())
    if (!text.is_string())
      throw core::invalid_argument("description." + lang + " must be text", "description");
  sv.active = true;
  db_.write([&](soci::session& s) {
    core::SystemTime now = clock_.now();
    for (const auto& p : sv.peers)
      if (!db::find_peer(s, p)) throw core::invalid_argument("no peer " + p, "peers");
    db::insert_service(s, sv, now);
    audit(s, actor, "intercoop.service.add", sv.name, request_id,
          {{"fields", sv.fields},
           {"peers", sv.peers},
           {"rules", nlohmann::json::parse(rules_to_json(sv.rules).dump())}},
          now);
  });
  return sv;
}

Service TargetAdmin::set_service_active(const std::string& name, bool active,
                                        const std::string& actor, const std::string& request_id) {
  return db_.write([&](soci::session& s) {
    core::SystemTime now = clock_.now();
    if (!db::set_service_active(s, name, active, now)) throw core::not_found("no service " + name);
    audit(s, actor, active ? "intercoop.service.enable" : "intercoop.service.disable", name,
          request_id, nlohmann::json::object(), now);
    return *db::find_service(s, name);
  });
}

std::vector<Service> TargetAdmin::services() {
  return db_.read([](soci::session& s) { return db::all_services(s); });
}

std::vector<Service> TargetAdmin::services(const std::optional<std::string>& after, int limit) {
  return db_.read([&](soci::session& s) { return db::services_page(s, after, limit); });
}

std::optional<Service> TargetAdmin::service(const std::string& name) {
  return db_.read([&](soci::session& s) { return db::find_service(s, name); });
}

}  // namespace registrar::intercoop
