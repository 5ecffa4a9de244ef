#include "crypto/jwks.h"

#include "core/error.h"
#include "core/json_reader.h"

namespace registrar::crypto {

Jwks Jwks::parse(std::string_view json) {
  Json doc = core::read_json_or_discarded(json);
  if (doc.is_discarded()) throw core::invalid_argument("JWKS is not valid JSON", "jwks");
  return from_json(doc);
}

Jwks Jwks::from_json(const Json& doc) {
  if (!doc.is_object()) throw core::invalid_argument("JWKS must be a JSON object", "jwks");
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) {
    throw core::invalid_argument("JWKS has no \"keys\" array", "jwks.keys");
  }
  Jwks set;
  for (size_t i = 0; i < keys->size(); ++i) {
    const Json& jwk = (*keys)[i];
    std::string kid;
    auto skip = [&](std::string reason) { set.skipped_.push_back({i, kid, std::move(reason)}); };
    if (!jwk.is_object()) {
      skip("not a JSON object");
      continue;
    }
    if (auto it = jwk.find("kid"); it != jwk.end()) {
      if (!it->is_string()) {
        skip("kid is not a string");
        continue;
      }
      kid = it->get<std::string>();
    }
    if (auto use = jwk.find("use"); use != jwk.end() && *use != "sig") {
      skip("not a signature key (use is not \"sig\")");
      continue;
    }
    std::optional<JwsAlg> alg;
    if (auto it = jwk.find("alg"); it != jwk.end()) {
      alg = it->is_string() ? parse_alg(it->get_ref<const std::string&>()) : std::nullopt;
      if (!alg) {
        skip("unsupported alg " + it->dump());
        continue;
      }
    }
    if (set.find(kid) && !kid.empty()) {
      skip("duplicate kid");
      continue;
    }
    try {
      PublicKey key = PublicKey::from_jwk(jwk);
      if (alg && !alg_matches_key(*alg, key.type())) {
        skip(std::string("alg ") + std::string(alg_name(*alg)) + " does not fit a " +
             key_type_name(key.type()) + " key");
        continue;
      }
      set.keys_.push_back({std::move(kid), alg, std::move(key)});
    } catch (const core::Error& e) {
      skip(e.what());
    }
  }
  return set;
}

const JwksKey* Jwks::find(std::string_view kid) const {
  for (const auto& k : keys_) {
    if (k.kid == kid) return &k;
  }
  return nullptr;
}

std::optional<PublicKey> Jwks::resolve(std::string_view kid, JwsAlg alg) const {
  for (const auto& k : keys_) {
    if (k.kid != kid || !alg_matches_key(alg, k.key.type())) continue;
    if (k.alg && *k.alg != alg) continue;
    return k.key;
  }
  return std::nullopt;
}

KeyResolver Jwks::resolver() const {
  return [set = *this](std::string_view kid, JwsAlg alg) { return set.resolve(kid, alg); };
}

void Jwks::add(JwksKey key) {
  if (find(key.kid)) throw core::conflict("duplicate kid in JWKS: " + key.kid, "kid");
  keys_.push_back(std::move(key));
}

Json Jwks::to_json() const {
  Json keys = Json::array();
  for (const auto& k : keys_) {
    JwkOptions o;
    o.kid = k.kid;
    if (k.alg) o.alg = std::string(alg_name(*k.alg));
    o.use = "sig";
    keys.push_back(k.key.to_jwk(o));
  }
  return {{"keys", std::move(keys)}};
}

}  // namespace registrar::crypto
