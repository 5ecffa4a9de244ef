#include "identity/module_keys.h"

#include "core/error.h"
#include "core/log.h"
#include "crypto/signature.h"
#include "identity/keystore.h"
#include "identity/module_key_store.h"
#include "store/audit.h"

namespace registrar::identity {

namespace {
std::string seal_context(const std::string& kid) {
  return "module-key:" + kid;
}
}  // namespace

ModuleKeys::ModuleKeys(store::Database& db, const core::Clock& clock, const MasterKey& master,
                       KeyStore& tokens)
    : db_(db), clock_(clock), master_(master), tokens_(tokens), keys_(std::make_shared<Keys>()) {}

ModuleKeys::Key ModuleKeys::open_row(const ModuleKeyRow& row) const {
  auto alg = crypto::parse_alg(row.alg);
  if (!alg) throw core::Error(core::ErrorKind::kInternal, "module key " + row.kid + ": bad alg");
  Key k{row.owner, *alg, crypto::PublicKey::from_jwk(std::string_view(row.public_jwk)),
        std::nullopt, crypto::Json::parse(row.public_jwk)};
  if (auto pem = master_.open(row.private_sealed, seal_context(row.kid)))
    k.priv = crypto::PrivateKey::from_pem(*pem);
  else
    log::error("module_key_unreadable", {{"kid", row.kid}, {"reason", "sealed with another key"}});
  return k;
}

void ModuleKeys::load() {
  auto rows = db_.read([](soci::session& s) { return all_module_keys(s); });
  auto next = std::make_shared<Keys>();
  for (auto& r : rows) next->emplace(r.kid, open_row(r));
  std::lock_guard lock(mu_);
  keys_ = std::move(next);
}

std::shared_ptr<const ModuleKeys::Keys> ModuleKeys::keys() const {
  std::lock_guard lock(mu_);
  return keys_;
}

void ModuleKeys::ensure_key(const std::string& kid, crypto::JwsAlg alg, const std::string& owner) {
  if (kid.empty() || kid.size() > 128)
    throw core::invalid_argument("a module key id is 1 to 128 characters", "kid");
  for (const auto& k : tokens_.list())
    if (k.kid == kid) throw core::conflict("key id " + kid + " is a token-signing key's", "kid");
  ModuleKeyRow row;
  row.kid = kid;
  row.owner = owner;
  row.alg = std::string(crypto::alg_name(alg));
  row.created_us = core::to_unix_us(clock_.now());
  auto existing = keys();
  if (auto it = existing->find(kid); it == existing->end()) {
    crypto::PrivateKey key = crypto::PrivateKey::generate(crypto::alg_key_type(alg));
    row.public_jwk = key.public_key().to_jwk({kid, row.alg, "sig"}).dump();
    row.private_sealed = master_.seal(key.to_pem(), seal_context(kid));
    ModuleKeyRow stored = db_.write([&](soci::session& s) {
      ModuleKeyRow r = insert_module_key_if_absent(s, row);
      if (r.private_sealed == row.private_sealed)  // ours went in
        store::append_audit(s,
                            {owner,
                             "identity.module_key.create",
                             "key:" + kid,
                             "",
                             {{"alg", row.alg}, {"owner", owner}}},
                            clock_.now());
      return r;
    });
    row = stored;
    std::lock_guard lock(mu_);
    auto next = std::make_shared<Keys>(*keys_);
    next->insert_or_assign(kid, open_row(stored));
    keys_ = std::move(next);
  } else {
    row.owner = it->second.owner;
    row.alg = std::string(crypto::alg_name(it->second.alg));
  }
  if (row.owner != owner || row.alg != crypto::alg_name(alg))
    throw core::conflict(
        "key id " + kid + " belongs to " + row.owner + " with " + row.alg + "; choose another kid",
        "kid");
}

std::string ModuleKeys::sign(const std::string& kid, std::string_view data) const {
  auto snapshot = keys();
  auto it = snapshot->find(kid);
  if (it == snapshot->end()) throw core::not_found("no module key " + kid);
  if (!it->second.priv)
    throw core::Error(core::ErrorKind::kUnavailable,
                      "module key " + kid + " is sealed with another master key");
  return crypto::sign_bytes(*it->second.priv, it->second.alg, data);
}

crypto::PublicKey ModuleKeys::public_key(const std::string& kid) const {
  auto snapshot = keys();
  auto it = snapshot->find(kid);
  if (it == snapshot->end()) throw core::not_found("no module key " + kid);
  return it->second.pub;
}

crypto::JwsAlg ModuleKeys::algorithm(const std::string& kid) const {
  auto snapshot = keys();
  auto it = snapshot->find(kid);
  if (it == snapshot->end()) throw core::not_found("no module key " + kid);
  return it->second.alg;
}

std::vector<crypto::Json> ModuleKeys::public_jwks() const {
  auto snapshot = keys();
  std::vector<crypto::Json> out;
  for (const auto& [kid, k] : *snapshot) out.push_back(k.jwk);
  return out;
}

}  // namespace registrar::identity
