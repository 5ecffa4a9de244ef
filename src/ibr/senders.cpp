#include "ibr/senders.h"

#include "core/error.h"
#include "ibr/store.h"
#include "store/audit.h"

namespace registrar::ibr {

namespace {

// OpenSPP's rule (§6.3): letters and digits, '.', '-', '_'. ASCII only here: a sender id travels
// in kids and logs, and Unicode look-alikes would make two senders hard to tell apart.
bool valid_sender_id(const std::string& id) {
  if (id.empty() || id.size() > 255) return false;
  for (unsigned char c : id)
    if (!std::isalnum(c) && c != '.' && c != '-' && c != '_') return false;
  return true;
}

bool http_url(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

}  // namespace

dci::TrustedSender validate_sender(const SenderInput& in) {
  if (!valid_sender_id(in.sender_id))
    throw core::invalid_argument("a sender id is 1 to 255 letters, digits, '.', '-' or '_'",
                                 "sender_id");
  if (in.public_key.empty() && in.jwks_url.empty())
    throw core::invalid_argument("give a public key or a JWKS URL", "public_key");
  if (!in.jwks_url.empty() && !http_url(in.jwks_url))
    throw core::invalid_argument("the JWKS URL must start with http:// or https://", "jwks_url");
  if (!in.callback_url.empty() && !http_url(in.callback_url))
    throw core::invalid_argument("the callback URL must start with http:// or https://",
                                 "callback_url");
  dci::TrustedSender t;
  t.sender_id = in.sender_id;
  t.callback_url = in.callback_url;
  t.name = in.name.empty() ? in.sender_id : in.name;
  t.public_key = in.public_key;
  t.jwks_url = in.jwks_url;
  t.notes = in.notes;
  if (!in.algorithm.empty()) {
    t.algorithm = dci::parse_algorithm(in.algorithm);
    if (!t.algorithm) throw core::invalid_argument("algorithm is ed25519 or rs256", "algorithm");
  }
  if (!t.public_key.empty()) {
    // The same choice the authenticator makes, so a key it could not use is refused now.
    dci::KeyChoice c = dci::select_sender_key(&t, "", nullptr);
    if (c.status == dci::KeyChoiceStatus::kBadKey)
      throw core::invalid_argument(c.detail, "public_key");
  }
  return t;
}

Senders::Senders(store::Database& db, const core::Clock& clock)
    : db_(db), clock_(clock), snapshot_(std::make_shared<Map>()) {}

void Senders::reload() {
  auto rows = db_.read([](soci::session& s) { return db::all_senders(s); });
  auto next = std::make_shared<Map>();
  for (auto& r : rows) next->emplace(r.sender_id, std::move(r));
  core::MutexLock lock(mu_);
  snapshot_ = std::move(next);
}

std::shared_ptr<const Senders::Map> Senders::snapshot() const {
  core::MutexLock lock(mu_);
  return snapshot_;
}

dci::TrustedSender Senders::add(const SenderInput& input, const std::string& actor,
                                const std::string& request_id) {
  dci::TrustedSender t = validate_sender(input);
  db_.write([&](soci::session& s) {
    bool existed = db::find_sender(s, t.sender_id).has_value();
    db::upsert_sender(s, t, clock_.now());
    store::append_audit(s,
                        {actor, existed ? "ibr.sender.replace" : "ibr.sender.add",
                         "sender:" + t.sender_id, request_id, sender_to_json(t)},
                        clock_.now());
  });
  reload();
  return t;
}

void Senders::disable(const std::string& sender_id, const std::string& actor,
                      const std::string& request_id) {
  db_.write([&](soci::session& s) {
    if (!db::set_sender_active(s, sender_id, false, clock_.now()))
      throw core::not_found("no sender " + sender_id);
    store::append_audit(s, {actor, "ibr.sender.disable", "sender:" + sender_id, request_id, {}},
                        clock_.now());
  });
  reload();
}

std::vector<dci::TrustedSender> Senders::list() {
  return db_.read([](soci::session& s) { return db::all_senders(s); });
}

std::optional<dci::TrustedSender> Senders::find(const std::string& sender_id) {
  return db_.read([&](soci::session& s) { return db::find_sender(s, sender_id); });
}

nlohmann::json sender_to_json(const dci::TrustedSender& t) {
  nlohmann::json j = {{"sender_id", t.sender_id},
                      {"name", t.name},
                      {"public_key", t.public_key},
                      {"jwks_url", t.jwks_url},
                      {"algorithm", nullptr},
                      {"active", t.active},
                      {"notes", t.notes},
                      {"last_key_fetch", nullptr},
                      {"last_key_fetch_result", nullptr},
                      {"callback_url", t.callback_url}};
  if (t.algorithm) j["algorithm"] = std::string(dci::algorithm_name(*t.algorithm));
  if (t.last_key_fetch) j["last_key_fetch"] = core::format_rfc3339(*t.last_key_fetch);
  if (!t.last_key_fetch_result.empty()) j["last_key_fetch_result"] = t.last_key_fetch_result;
  return j;
}

}  // namespace registrar::ibr
