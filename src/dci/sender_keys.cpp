#include "dci/sender_keys.h"

#include <algorithm>

#include "core/error.h"
#include "core/log.h"
#include "http/async_client.h"

namespace registrar::dci {

namespace {

struct Fetched {
  KeyFetch outcome;
  std::shared_ptr<const crypto::Jwks> jwks;  // set when outcome.ok
};

// Whatever goes wrong is the sender's server's doing, said in one line for the operator.
Fetched get_jwks(http::HttpClient& client, const std::string& url, const JwksSettings& settings) {
  Fetched f;
  f.outcome.url = url;
  http::ClientRequest req;
  req.url = url;
  req.headers.set("Accept", "application/json");
  req.timeout = settings.timeout;
  req.connect_timeout = std::min(settings.timeout, std::chrono::milliseconds(5'000));
  req.read_timeout = settings.timeout;
  req.max_response_bytes = settings.max_bytes;
  try {
    http::Response res = client.send_and_wait(std::move(req));
    if (res.status != 200) {
      f.outcome.error = "HTTP " + std::to_string(res.status) + " from " + url;
      return f;
    }
    auto jwks = std::make_shared<crypto::Jwks>(crypto::Jwks::parse(res.body));
    if (jwks->keys().empty()) {
      f.outcome.error = "the JWKS at " + url + " holds no usable key";
      return f;
    }
    f.outcome.keys = jwks->keys();
    f.outcome.ok = true;
    f.jwks = std::move(jwks);
  } catch (const core::Error& e) {
    f.outcome.error = "fetching " + url + ": " + e.what();
  } catch (const std::exception& e) {
    f.outcome.error = "fetching " + url + ": " + e.what();
  }
  return f;
}

}  // namespace

std::string KeyFetch::summary() const {
  if (!ok) return "failed: " + error;
  std::string s = "ok:";
  for (size_t i = 0; i < keys.size(); ++i) {
    s += i ? ", " : " ";
    s += keys[i].kid.empty() ? "(no kid)" : keys[i].kid;
  }
  return s;
}

nlohmann::json key_fetch_to_json(const TrustedSender& sender, const KeyFetch& f) {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& k : f.keys) {
    nlohmann::json j = {{"kid", k.kid}, {"type", crypto::key_type_name(k.key.type())}};
    if (k.alg) j["alg"] = std::string(crypto::alg_name(*k.alg));
    keys.push_back(std::move(j));
  }
  nlohmann::json out = {{"sender_id", sender.sender_id},
                        {"jwks_url", f.url},
                        {"ok", f.ok},
                        {"fetched_at", core::format_rfc3339(f.at)},
                        {"keys", std::move(keys)}};
  if (!f.ok) out["error"] = f.error;
  return out;
}

SenderKeys::SenderKeys(http::HttpClient& client, store::Database& db, const core::Clock& clock,
                       JwksSettings settings, SenderTable table)
    : client_(client), db_(db), clock_(clock), settings_(settings), table_(std::move(table)) {}

std::shared_ptr<const crypto::Jwks> SenderKeys::cached(const TrustedSender& sender) const {
  core::MutexLock lock(mu_);
  auto it = entries_.find(sender.sender_id);
  if (it == entries_.end() || it->second.url != sender.jwks_url) return nullptr;
  return it->second.jwks;
}

KeyFetch SenderKeys::fetch(const TrustedSender& sender) {
  if (sender.jwks_url.empty())
    throw core::invalid_argument("sender " + sender.sender_id + " has no JWKS URL", "jwks_url");
  {
    core::MutexLock lock(mu_);
    Entry& e = entries_[sender.sender_id];
    while (e.in_flight) done_.wait(mu_);
    if (e.url != sender.jwks_url) e = Entry{sender.jwks_url};
    // An operator's fetch does not count against the rate limit, which is there to stop
    // callers naming made-up kids.
    e.in_flight = true;
  }
  return run_fetch(sender);
}

std::optional<KeyFetch> SenderKeys::refetch(const TrustedSender& sender) {
  if (sender.jwks_url.empty()) return std::nullopt;
  {
    core::MutexLock lock(mu_);
    Entry& e = entries_[sender.sender_id];
    if (e.url != sender.jwks_url && !e.in_flight) e = Entry{sender.jwks_url};
    if (e.in_flight) {
      // Someone is fetching this set right now: its outcome is ours too.
      while (e.in_flight) done_.wait(mu_);
      if (e.last) return *e.last;
      return std::nullopt;
    }
    auto now = clock_.now();
    if (e.last_attempt && now - *e.last_attempt < refetch_interval(e.failures)) return std::nullopt;
    e.in_flight = true;
    e.last_attempt = now;
  }
  return run_fetch(sender);
}

std::chrono::milliseconds SenderKeys::refetch_interval(int failures) const {
  if (failures == 0) return settings_.min_refetch;
  std::chrono::milliseconds interval = settings_.failed_refetch;
  for (int i = 1; i < failures && interval < settings_.min_refetch; ++i) interval *= 2;
  return std::min(interval, settings_.min_refetch);
}

KeyFetch SenderKeys::run_fetch(const TrustedSender& sender) {
  Fetched f = get_jwks(client_, sender.jwks_url, settings_);
  f.outcome.at = clock_.now();
  {
    core::MutexLock lock(mu_);
    Entry& e = entries_[sender.sender_id];
    // A failed fetch keeps the keys we had: the sender's server being down does not revoke them.
    if (f.jwks) e.jwks = f.jwks;
    e.failures = f.outcome.ok ? 0 : e.failures + 1;
    e.last = std::make_shared<const KeyFetch>(f.outcome);
    e.in_flight = false;
  }
  done_.notify_all();
  if (f.outcome.ok) {
    log::info(
        table_.log_prefix + "_jwks_fetched",
        {{"sender_id", sender.sender_id}, {"url", sender.jwks_url}, {"keys", f.outcome.summary()}});
  } else {
    log::warn(
        table_.log_prefix + "_jwks_fetch_failed",
        {{"sender_id", sender.sender_id}, {"url", sender.jwks_url}, {"error", f.outcome.error}});
  }
  try {
    db_.write([&](soci::session& s) {
      sender_sql::record_key_fetch(s, table_.table, sender.sender_id, f.outcome.at,
                                   f.outcome.summary());
    });
  } catch (const std::exception& e) {
    // The keys are in memory either way; the record is for the operator.
    log::warn(table_.log_prefix + "_jwks_fetch_not_recorded",
              {{"sender_id", sender.sender_id}, {"error", core::loggable_message(e)}});
  }
  return f.outcome;
}

}  // namespace registrar::dci
