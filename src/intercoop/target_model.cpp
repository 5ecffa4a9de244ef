#include "intercoop/target_model.h"

#include <regex>

#include "core/error.h"
#include "intercoop/hardened.h"
#include "intercoop/package.h"
#include "intercoop/source_model.h"

namespace registrar::intercoop {
namespace {

bool all_of(std::string_view text, size_t max, bool (*ok)(char)) {
  if (text.empty() || text.size() > max) return false;
  for (char c : text)
    if (!ok(c)) return false;
  return true;
}

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

core::Error bad(const std::string& key, const std::string& why) {
  return core::invalid_argument("descriptor " + key + ": " + why, key);
}

std::string required_string(const yaml::Value& d, const std::string& key) {
  auto it = d.find(key);
  if (it == d.end() || !it->is_string() || it->get<std::string>().empty())
    throw bad(key, "a non-empty string is required");
  return it->get<std::string>();
}

std::string optional_string(const yaml::Value& d, const std::string& key) {
  auto it = d.find(key);
  if (it == d.end() || it->is_null()) return "";
  if (!it->is_string()) throw bad(key, "must be a string");
  return it->get<std::string>();
}

// §4.1's translatable: a string, or a map of language to string.
yaml::Value translatable(const yaml::Value& d, const std::string& key) {
  auto it = d.find(key);
  if (it == d.end() || it->is_null()) return "";
  if (it->is_string()) return *it;
  if (!it->is_object()) throw bad(key, "must be a string or a map of language to text");
  for (const auto& [lang, text] : it->items())
    if (!text.is_string()) throw bad(key + "." + lang, "must be a string");
  return *it;
}

}  // namespace

bool valid_peer_id(std::string_view id) {
  return all_of(id, 64, word_char);
}

bool valid_service_name(std::string_view name) {
  return all_of(name, 64, name_char);
}

bool valid_token(std::string_view token) {
  static const std::regex re("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  return std::regex_match(token.begin(), token.end(), re);
}

Peer peer_from_descriptor(const yaml::Value& d) {
  if (!d.is_object()) throw core::invalid_argument("a peer descriptor is a YAML mapping");
  auto version = d.find("intercoopVersion");
  if (version == d.end() || !version->is_string() ||
      (*version != std::string(kProtocolVersion) && *version != std::string(kHardenedVersion)))
    throw bad("intercoopVersion", "must be the string '1.0' (or '2.0')");
  Peer p;
  p.id = required_string(d, "peerid");
  if (!valid_peer_id(p.id)) throw bad("peerid", "letters, digits and '_' only (at most 64)");
  p.name = required_string(d, "name");
  // 2.0's optional list of the versions the peer speaks; a 1.0 descriptor has none.
  auto versions = d.find("intercoopVersions");
  if (versions == d.end() || versions->is_null()) {
    p.versions = {version->get<std::string>()};
  } else {
    if (!versions->is_array()) throw bad("intercoopVersions", "must be a list of versions");
    for (const auto& v : *versions) {
      if (!v.is_string()) throw bad("intercoopVersions", "each version is a quoted string");
      p.versions.push_back(v.get<std::string>());
    }
  }
  p.public_key_pem = optional_string(d, "publickey");
  p.ed25519_key_pem = optional_string(d, "publickeyEd25519");
  try {
    check_peer_keys(p);
  } catch (const core::Error& e) {
    std::string field = e.field() == "versions"      ? "intercoopVersions"
                        : e.field() == "ed25519_key" ? "publickeyEd25519"
                                                     : "publickey";
    throw bad(field, e.what());
  }
  p.description = translatable(d, "description");
  p.url = translatable(d, "url");
  p.target_url = optional_string(d, "targetUrl");
  p.logo = optional_string(d, "logo");
  p.descriptor = d;
  remote_services_from_descriptor(d);  // a bad `services` section refuses the import here
  return p;
}

void check_peer_keys(const Peer& p) {
  if (p.versions.empty()) throw core::invalid_argument("at least one version", "versions");
  bool v1 = false, v2 = false;
  for (const auto& v : p.versions) {
    bool is1 = v == kProtocolVersion, is2 = v == kHardenedVersion;
    if ((!is1 && !is2) || (is1 && v1) || (is2 && v2))
      throw core::invalid_argument("versions: '1.0' and/or '2.0', each once", "versions");
    v1 = v1 || is1;
    v2 = v2 || is2;
  }
  if (v1 && !parse_peer_key(p.public_key_pem))
    throw core::invalid_argument("1.0 needs an RSA public key of 2048-4096 bits in PEM",
                                 "public_key");
  if (!p.ed25519_key_pem.empty() && !parse_hardened_key(p.ed25519_key_pem))
    throw core::invalid_argument("ed25519_key: an Ed25519 public key in PEM (SPKI)", "ed25519_key");
  // 2.0 signs with the Ed25519 key, or without one RSA-PSS with the RSA key (hardened.h).
  if (v2 && p.ed25519_key_pem.empty() && !parse_peer_key(p.public_key_pem))
    throw core::invalid_argument(
        "2.0 needs an Ed25519 public key in PEM (SPKI), or an RSA one of 2048-4096 bits for "
        "RSA-PSS",
        "ed25519_key");
}

yaml::Value descriptor_of(const Peer& p) {
  yaml::Value d = p.descriptor.is_object() ? p.descriptor : yaml::Value::object();
  if (!p.descriptor.is_object()) {
    d["intercoopVersion"] = std::string(kProtocolVersion);
    d["peerVersion"] = 1;
  }
  d["peerid"] = p.id;
  d["name"] = p.name;
  if (!p.logo.empty()) d["logo"] = p.logo;
  if (p.description != "") d["description"] = p.description;
  if (p.url != "") d["url"] = p.url;
  if (!p.target_url.empty()) d["targetUrl"] = p.target_url;
  // A 1.0-only peer's descriptor stays as 1.0 peers write it.
  if (!p.versions.empty() && p.versions != std::vector<std::string>{std::string(kProtocolVersion)})
    d["intercoopVersions"] = p.versions;
  else
    d.erase("intercoopVersions");
  if (!p.public_key_pem.empty())
    d["publickey"] = p.public_key_pem;
  else
    d.erase("publickey");
  if (!p.ed25519_key_pem.empty())
    d["publickeyEd25519"] = p.ed25519_key_pem;
  else
    d.erase("publickeyEd25519");
  return d;
}

std::optional<std::string> missing_field(const yaml::Value& payload, const Service& service) {
  for (const auto& f : service.fields)
    if (!payload.is_object() || !payload.contains(f)) return f;
  return std::nullopt;
}

bool peer_allowed(const Service& service, std::string_view peer) {
  if (service.peers.empty()) return true;
  for (const auto& p : service.peers)
    if (p == peer) return true;
  return false;
}

std::string continuation_url(std::string_view tmpl, std::string_view fallback_base,
                             std::string_view uuid) {
  if (tmpl.empty())
    return std::string(fallback_base) + "/intercoop/continuation/" + std::string(uuid);
  std::string out;
  constexpr std::string_view kMark = "{uuid}";
  size_t at = 0;
  for (size_t hit; (hit = tmpl.find(kMark, at)) != std::string_view::npos; at = hit + kMark.size())
    out.append(tmpl.substr(at, hit - at)).append(uuid);
  out.append(tmpl.substr(at));
  return out;
}

}  // namespace registrar::intercoop
