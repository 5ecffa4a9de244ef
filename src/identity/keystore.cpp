#include "identity/keystore.h"

#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "identity/store.h"
#include "store/audit.h"

namespace registrar::identity {

const char* key_state_name(KeyState s) {
  switch (s) {
    case KeyState::kPending:
      return "pending";
    case KeyState::kActive:
      return "active";
    case KeyState::kRetiring:
      return "retiring";
    case KeyState::kRetired:
      return "retired";
  }
  return "retired";
}

std::string kid_from_thumbprint(std::string_view thumbprint) {
  // A SHA-256 thumbprint is 43 characters: past any run of '-' there are 16 left but for odds of
  // about 2^-162.
  size_t from = thumbprint.find_first_not_of('-');
  if (from == std::string_view::npos) from = 0;
  return std::string(thumbprint.substr(from, 16));
}

namespace {
crypto::KeyType key_type_for(crypto::JwsAlg alg) {
  return crypto::alg_key_type(alg);
}

std::optional<int64_t> seconds_of(const std::optional<core::SystemTime>& t) {
  if (!t) return std::nullopt;
  return core::to_unix_seconds(*t);
}

// The key schedule works in whole seconds (it is compared with JWT times); the table keeps µs.
KeyInfo info_of(const KeyRow& k, crypto::JwsAlg alg) {
  return KeyInfo{k.kid,
                 alg,
                 KeyState::kPending,
                 core::to_unix_seconds(k.created),
                 core::to_unix_seconds(k.activate),
                 seconds_of(k.retire),
                 seconds_of(k.verify_until)};
}
}  // namespace

KeyStore::KeyStore(store::Database& db, const core::Clock& clock, MasterKey master,
                   KeySettings settings)
    : db_(db), clock_(clock), master_(std::move(master)), settings_(settings) {}

KeyState KeyStore::state_at(const KeyInfo& k, int64_t now) const {
  if (k.verify_until && now >= *k.verify_until) return KeyState::kRetired;
  if (k.retire_at && now >= *k.retire_at) return KeyState::kRetiring;
  if (now < k.activate_at) return KeyState::kPending;
  return KeyState::kActive;
}

KeyInfo KeyStore::insert_new_key(soci::session& s, crypto::JwsAlg alg, int64_t activate_at,
                                 const std::string& actor, const char* action) {
  int64_t now = clock_.now_seconds();
  crypto::PrivateKey key = crypto::PrivateKey::generate(key_type_for(alg));
  KeyRow row;
  row.kid = kid_from_thumbprint(key.public_key().thumbprint());
  row.alg = std::string(crypto::alg_name(alg));
  row.public_jwk = key.public_key().to_jwk({row.kid, row.alg, "sig"}).dump();
  row.private_sealed = master_.seal(key.to_pem(), row.kid);
  row.created = core::from_unix_seconds(now);
  row.activate = core::from_unix_seconds(activate_at);
  insert_key(s, row);
  store::append_audit(
      s, {actor, action, "key:" + row.kid, "", {{"alg", row.alg}, {"activate_at", activate_at}}},
      clock_.now());
  return KeyInfo{row.kid,
                 alg,
                 state_at({row.kid, alg, KeyState::kPending, now, activate_at, {}, {}}, now),
                 now,
                 activate_at,
                 {},
                 {}};
}

void KeyStore::ensure_signing_key() {
  int64_t now = clock_.now_seconds();
  bool created = db_.write([&](soci::session& s) {
    for (auto& k : all_keys(s)) {
      KeyState st = state_at(info_of(k, crypto::JwsAlg::kEdDSA), now);
      if (st == KeyState::kActive || st == KeyState::kPending) return false;
    }
    insert_new_key(s, settings_.alg, now, "system", "identity.key.create");
    return true;
  });
  if (created) log::info("signing_key_created", {{"alg", crypto::alg_name(settings_.alg)}});
  reload();
}

KeyInfo KeyStore::create_key(std::optional<crypto::JwsAlg> alg, bool activate_now,
                             const std::string& actor) {
  int64_t now = clock_.now_seconds();
  KeyInfo info = db_.write([&](soci::session& s) {
    return insert_new_key(s, alg.value_or(settings_.alg),
                          activate_now ? now : now + settings_.publish_delay_seconds, actor,
                          "identity.key.create");
  });
  reload();
  return info;
}

KeyInfo KeyStore::rotate(std::optional<crypto::JwsAlg> alg, const std::string& actor) {
  int64_t now = clock_.now_seconds();
  KeyInfo info = db_.write([&](soci::session& s) {
    int64_t activate_at = now + settings_.publish_delay_seconds;
    int64_t verify_until = activate_at + settings_.token_ttl_seconds + settings_.clock_skew_seconds;
    for (auto& k : all_keys(s)) {
      KeyInfo existing = info_of(k, crypto::JwsAlg::kEdDSA);
      KeyState st = state_at(existing, now);
      // Every key that signs now or would sign later hands over to the new one.
      if ((st == KeyState::kActive || st == KeyState::kPending) &&
          (!existing.retire_at || *existing.retire_at > activate_at)) {
        schedule_retirement(s, k.kid,
                            core::from_unix_seconds(std::max(activate_at, existing.activate_at)),
                            core::from_unix_seconds(verify_until));
        store::append_audit(s,
                            {actor,
                             "identity.key.retire",
                             "key:" + k.kid,
                             "",
                             {{"retire_at", activate_at}, {"verify_until", verify_until}}},
                            clock_.now());
      }
    }
    return insert_new_key(s, alg.value_or(settings_.alg), activate_at, actor,
                          "identity.key.rotate");
  });
  reload();
  return info;
}

KeyStore::Retirement KeyStore::retire_now(const std::string& kid, const std::string& actor) {
  int64_t now = clock_.now_seconds();
  Retirement out = db_.write([&](soci::session& s) {
    Retirement r;
    bool found = false, other_signs = false;
    for (auto& k : all_keys(s)) {
      auto alg = crypto::parse_alg(k.alg);
      KeyInfo info = info_of(k, alg.value_or(crypto::JwsAlg::kEdDSA));
      info.state = state_at(info, now);
      if (k.kid == kid) {
        found = true;
        r.retired = info;
      } else if (info.state == KeyState::kActive) {
        other_signs = true;
      }
    }
    if (!found) throw core::not_found("no signing key " + kid);
    if (r.retired.state == KeyState::kRetired)
      throw core::conflict("key " + kid + " is already retired", "kid");
    schedule_retirement(s, kid, core::from_unix_seconds(now), core::from_unix_seconds(now));
    store::append_audit(
        s, {actor, "identity.key.retire", "key:" + kid, "", {{"now", true}, {"retire_at", now}}},
        clock_.now());
    r.retired.retire_at = r.retired.verify_until = now;
    r.retired.state = KeyState::kRetired;
    if (!other_signs)
      r.replacement = insert_new_key(s, settings_.alg, now, actor, "identity.key.create");
    return r;
  });
  log::warn("signing_key_retired_now",
            {{"kid", kid}, {"replacement", out.replacement ? out.replacement->kid : ""}});
  reload();
  return out;
}

std::vector<KeyInfo> KeyStore::list() {
  int64_t now = clock_.now_seconds();
  auto rows = db_.read([](soci::session& s) { return all_keys(s); });
  std::vector<KeyInfo> out;
  for (auto& k : rows) {
    auto alg = crypto::parse_alg(k.alg);
    KeyInfo info = info_of(k, alg.value_or(crypto::JwsAlg::kEdDSA));
    info.state = state_at(info, now);
    out.push_back(info);
  }
  return out;
}

void KeyStore::reload() {
  snapshot(true);
}

void KeyStore::reload_logged() {
  try {
    reload();
  } catch (const std::exception& e) {
    log::warn("signing_keys_reload_failed", {{"error", core::loggable_message(e)}});
  }
}

void KeyStore::refresh_in_background(core::Background& background) {
  {
    core::MutexLock lock(mu_);
    background_ = &background;
  }
  refresher_ = background.every(
      settings_.reload_interval, [this] { reload_logged(); }, settings_.reload_interval);
}

void KeyStore::stop_refresh() {
  refresher_.cancel();
  core::MutexLock lock(mu_);
  background_ = nullptr;
}

std::shared_ptr<const KeyStore::Snapshot> KeyStore::snapshot(bool force) {
  auto now = std::chrono::steady_clock::now();
  {
    core::MutexLock lock(mu_);
    if (!force && snapshot_ && (background_ || now - snapshot_->loaded < settings_.reload_interval))
      return snapshot_;
  }
  auto rows = db_.read([](soci::session& s) { return all_keys(s); });
  auto snap = std::make_shared<Snapshot>();
  snap->loaded = now;
  for (auto& k : rows) {
    auto alg = crypto::parse_alg(k.alg);
    if (!alg) {
      log::warn("signing_key_skipped", {{"kid", k.kid}, {"reason", "unknown alg " + k.alg}});
      continue;
    }
    Entry e{info_of(k, *alg), crypto::PublicKey::from_jwk(std::string_view(k.public_jwk)),
            std::nullopt};
    if (auto pem = master_.open(k.private_sealed, k.kid)) {
      e.priv = crypto::PrivateKey::from_pem(*pem);
    } else {
      log::error("signing_key_unreadable",
                 {{"kid", k.kid}, {"reason", "sealed with another master key"}});
    }
    snap->entries.push_back(std::move(e));
  }
  core::MutexLock lock(mu_);
  snapshot_ = snap;
  return snapshot_;
}

KeyStore::Signer KeyStore::signer() {
  auto snap = snapshot();
  int64_t now = clock_.now_seconds();
  const Entry* best = nullptr;
  for (auto& e : snap->entries) {
    if (state_at(e.info, now) != KeyState::kActive || !e.priv) continue;
    if (!best || e.info.activate_at >= best->info.activate_at) best = &e;
  }
  if (!best)
    throw core::Error(core::ErrorKind::kUnavailable,
                      "no active signing key (see `registrar keys list`)");
  return Signer{best->info.kid, best->info.alg, *best->priv};
}

std::optional<crypto::PublicKey> KeyStore::verification_key(std::string_view kid,
                                                            crypto::JwsAlg alg) {
  int64_t now = clock_.now_seconds();
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto snap = snapshot();
    for (auto& e : snap->entries) {
      if (e.info.kid != kid) continue;
      if (e.info.alg != alg || state_at(e.info, now) == KeyState::kRetired) return std::nullopt;
      return e.pub;
    }
    // Unknown kid: another instance may have just created it. Reload, at most once a second:
    // in the background when there is one (this token fails; the next one finds the key).
    core::MutexLock lock(mu_);
    auto t = std::chrono::steady_clock::now();
    if (t - last_forced_ < std::chrono::seconds(1)) return std::nullopt;
    last_forced_ = t;
    if (background_) {
      background_->schedule([this] { reload_logged(); });
      return std::nullopt;
    }
    snapshot_.reset();
  }
  return std::nullopt;
}

crypto::Json KeyStore::jwks() {
  auto snap = snapshot();
  int64_t now = clock_.now_seconds();
  crypto::Json keys = crypto::Json::array();
  for (auto& e : snap->entries) {
    if (state_at(e.info, now) == KeyState::kRetired) continue;
    keys.push_back(e.pub.to_jwk({e.info.kid, std::string(crypto::alg_name(e.info.alg)), "sig"}));
  }
  return {{"keys", keys}};
}

}  // namespace registrar::identity
