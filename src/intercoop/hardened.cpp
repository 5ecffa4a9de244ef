#include "intercoop/hardened.h"

#include "core/random.h"
#include "crypto/signature.h"
#include "intercoop/yaml_emit.h"

namespace registrar::intercoop {
namespace {

[[noreturn]] void bad_message(std::string detail) {
  throw ProtocolError(ErrorClass::kBadMessage, {std::move(detail)});
}

const yaml::Value& required(const yaml::Value& values, const char* key) {
  auto it = values.find(key);
  if (it == values.end()) throw ProtocolError(ErrorClass::kMissingField, {key});
  return *it;
}

std::string required_text(const yaml::Value& values, const char* key) {
  const auto& v = required(values, key);
  if (!v.is_string() || v.get<std::string>().empty())
    bad_message(std::string(key) + " must be a non-empty string");
  return v.get<std::string>();
}

int64_t required_time(const yaml::Value& values, const char* key) {
  const auto& v = required(values, key);
  // An integer, not a float or a YAML timestamp: Unix seconds read the same everywhere.
  if (!v.is_number_integer()) bad_message(std::string(key) + " must be an integer (Unix seconds)");
  return v.get<int64_t>();
}

bool nonce_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

bool valid_nonce(std::string_view nonce) {
  if (nonce.size() < 16 || nonce.size() > 64) return false;
  for (char c : nonce)
    if (!nonce_char(c)) return false;
  return true;
}

std::string new_nonce() {
  return b64encode(core::random_bytes(18));  // 18 bytes: 24 characters, no padding
}

yaml::Value hardened_payload(const Envelope& e, const yaml::Value& fields) {
  yaml::Value p = yaml::Value::object();
  p["intercoopVersion"] = std::string(kHardenedVersion);
  p["originpeer"] = e.origin_peer;
  p["targetpeer"] = e.target_peer;
  p["service"] = e.service;
  p["issued"] = e.issued;
  p["expires"] = e.expires;
  p["nonce"] = e.nonce;
  p["fields"] = fields.is_object() ? fields : yaml::Value::object();
  return p;
}

std::string make_hardened_package(const Envelope& envelope, const yaml::Value& fields,
                                  const crypto::PrivateKey& key) {
  std::string payload = yaml::dump(hardened_payload(envelope, fields));
  yaml::Value package = yaml::Value::object();
  package["intercoopVersion"] = std::string(kHardenedVersion);
  package["payload"] = b64encode(payload);
  package["signature"] = b64encode(sign_hardened(payload, key));
  return yaml::dump(package);
}

HardenedPayload read_hardened_payload(const yaml::Value& values) {
  // The payload repeats the version so that the signed bytes say which rules they follow.
  const auto& version = required(values, "intercoopVersion");
  if (!version.is_string() || version.get<std::string>() != kHardenedVersion)
    bad_message("the payload's intercoopVersion is not the container's '2.0'");
  HardenedPayload p;
  p.envelope.origin_peer = required_text(values, "originpeer");
  p.envelope.target_peer = required_text(values, "targetpeer");
  p.envelope.service = required_text(values, "service");
  p.envelope.issued = required_time(values, "issued");
  p.envelope.expires = required_time(values, "expires");
  p.envelope.nonce = required_text(values, "nonce");
  if (!valid_nonce(p.envelope.nonce)) bad_message("nonce must be 16-64 of [A-Za-z0-9_-]");
  const auto& fields = required(values, "fields");
  if (!fields.is_object()) bad_message("fields must be a mapping");
  if (fields.contains("originpeer")) bad_message("fields must not hold originpeer");
  p.fields = fields;
  return p;
}

yaml::Value stored_values(const HardenedPayload& payload) {
  yaml::Value v = yaml::Value::object();
  v["originpeer"] = payload.envelope.origin_peer;
  for (const auto& [name, value] : payload.fields.items()) v[name] = value;
  return v;
}

namespace {

constexpr int kMinRsaBits = 2048;

// The algorithm a 2.0 key signs with; nullopt for a key 2.0 does not use.
std::optional<crypto::JwsAlg> hardened_alg(crypto::KeyType type, int bits) {
  if (type == crypto::KeyType::kEd25519) return crypto::JwsAlg::kEdDSA;
  if (type == crypto::KeyType::kRsa && bits >= kMinRsaBits) return crypto::JwsAlg::kPS256;
  return std::nullopt;
}

}  // namespace

std::string sign_hardened(std::string_view payload, const crypto::PrivateKey& key) {
  auto alg = hardened_alg(key.type(), key.bits());
  if (!alg)
    throw std::invalid_argument("intercoop 2.0 signs with an Ed25519 or RSA (2048+ bits) key");
  return crypto::sign_bytes(key, *alg, payload);
}

bool verify_hardened(std::string_view payload, std::string_view signature,
                     const crypto::PublicKey& key) noexcept {
  try {
    auto alg = hardened_alg(key.type(), key.bits());
    return alg && crypto::verify_bytes(key, *alg, payload, signature);
  } catch (...) {
    return false;
  }
}

std::optional<crypto::PublicKey> parse_hardened_key(std::string_view pem) {
  if (pem.find("-----BEGIN PUBLIC KEY-----") == std::string_view::npos) return std::nullopt;
  try {
    auto key = crypto::PublicKey::from_pem(pem);
    if (key.type() != crypto::KeyType::kEd25519) return std::nullopt;
    return key;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void check_binding(const Envelope& e, std::string_view our_peer_id, std::string_view service,
                   int64_t now_s) {
  if (our_peer_id.empty() || e.target_peer != our_peer_id || e.service != service)
    throw ProtocolError(ErrorClass::kWrongTarget, {e.target_peer, e.service});
  if (e.expires <= e.issued) bad_message("expires must be after issued");
  if (e.expires - e.issued > kMaxPackageLifetimeS)
    bad_message("valid for " + std::to_string(e.expires - e.issued) + " s, at most " +
                std::to_string(kMaxPackageLifetimeS) + " s accepted");
  if (now_s >= e.expires || e.issued > now_s + kMaxClockSkewS)
    throw ProtocolError(
        ErrorClass::kExpiredMessage,
        {std::to_string(e.issued), std::to_string(e.expires), std::to_string(now_s)});
}

Received receive_versioned(std::string_view text, const PeerKeysLookup& keys_of) {
  Received r;
  r.package = read_package(text, true);
  bool hardened = r.package.version == kHardenedVersion;
  if (hardened) r.hardened = read_hardened_payload(r.package.values);
  const PeerKeys* keys = keys_of(r.package.origin_peer);
  if (!keys) throw ProtocolError(ErrorClass::kBadPeer, {r.package.origin_peer});
  bool declared = false;
  std::string versions;
  for (const auto& v : keys->versions) {
    declared = declared || v == r.package.version;
    versions += (versions.empty() ? "" : ", ") + v;
  }
  // A peer that declared 2.0 only has said its 1.0 packages are forgeries or replays.
  if (!declared) throw ProtocolError(ErrorClass::kWrongVersion, {versions, r.package.version});
  const auto& key = hardened ? keys->hardened() : keys->rsa;
  if (!key) throw ProtocolError(ErrorClass::kBadPeer, {r.package.origin_peer});
  if (hardened) {
    std::optional<std::string> signature;
    if (r.package.signature.is_string())
      signature = b64decode(r.package.signature.get<std::string>());
    if (!signature || !verify_hardened(r.package.payload, *signature, *key))
      throw ProtocolError(ErrorClass::kBadSignature, {});
    r.stored = stored_values(*r.hardened);
  } else {
    check_signature(r.package, *key);
    r.stored = r.package.values;
  }
  return r;
}

std::optional<std::string> choose_version(const std::vector<std::string>& peer_versions) {
  for (std::string_view ours : kSupportedVersions)
    for (const auto& theirs : peer_versions)
      if (theirs == ours) return theirs;
  return std::nullopt;
}

}  // namespace registrar::intercoop
