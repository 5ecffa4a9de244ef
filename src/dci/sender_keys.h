// The keys of trusted senders (trusted_senders.h) that publish them at a JWKS URL (dci-ibr.md §6.3,
// done better than OpenSPP: every key of the set is kept, the kidId picks one, and a key id the
// cache lacks makes us fetch again). Fetched through Services::http_client with the request's
// timeouts and a size limit; kept in memory per instance; each fetch's time and outcome recorded on
// the sender.
//
// Threads. cached() never blocks. fetch() and refetch() block the calling thread until the
// peer answers or the timeout passes: call them from a worker (the DCI routes run their
// authenticator on the worker pool), never from an I/O thread or the client's own thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/thread_annotations.h"
#include "crypto/jwks.h"
#include "dci/senders.h"
#include "dci/trusted_senders.h"
#include "store/database.h"

#include <nlohmann/json.hpp>

namespace registrar::http {
class HttpClient;
}

namespace registrar::dci {

struct JwksSettings {
  // A request naming a key id the cache lacks refetches at most once per this interval per
  // sender, so that a caller sending made-up kids cannot make us hammer the sender's server.
  std::chrono::milliseconds min_refetch{30'000};
  // After a failed fetch (the sender's server slow, down or answering garbage) the next refetch
  // may come sooner: this interval, doubled per further failure, up to min_refetch. A transient
  // fault then costs a sender seconds of refusals, not min_refetch; a made-up kid gains nothing
  // from it (the fetch must fail for the shorter interval to apply).
  std::chrono::milliseconds failed_refetch{1'000};
  std::chrono::milliseconds timeout{10'000};  // the whole fetch (OpenSPP: 10 s)
  size_t max_bytes = 256 * 1024;              // a JWKS is a few kilobytes
};

// What one fetch came to.
struct KeyFetch {
  bool ok = false;
  std::string url;
  core::SystemTime at{};
  std::vector<crypto::JwksKey> keys;  // the usable keys the set held
  std::string error;                  // when !ok
  // What the sender record keeps: "ok: kid1, kid2" or "failed: why".
  std::string summary() const;
};

// {sender_id, jwks_url, ok, fetched_at, keys: [{kid, kty, alg}], error}: the admin API's answer.
nlohmann::json key_fetch_to_json(const TrustedSender& sender, const KeyFetch& fetch);

class SenderKeys {
 public:
  // `table`: where each fetch is recorded (last_key_fetch) and the log events' prefix.
  SenderKeys(http::HttpClient& client, store::Database& db, const core::Clock& clock,
             JwksSettings settings, SenderTable table);
  virtual ~SenderKeys() = default;

  // The sender's last fetched set, or null when never fetched (or fetched from another URL).
  std::shared_ptr<const crypto::Jwks> cached(const TrustedSender& sender) const;
  // Fetches now, whatever the rate limit, and without counting against it (the operator's
  // fetch-key). Throws core::Error(kInvalidArgument) when the sender has no JWKS URL. Blocking.
  KeyFetch fetch(const TrustedSender& sender);
  // Fetches unless a fetch of this sender began less than min_refetch ago (nullopt then; after
  // failed fetches the interval is shorter, see JwksSettings::failed_refetch). A caller arriving
  // while a fetch is in flight waits for that one instead. Blocking.
  std::optional<KeyFetch> refetch(const TrustedSender& sender);

 private:
  struct Entry {
    std::string url;
    std::shared_ptr<const crypto::Jwks> jwks;
    std::optional<core::SystemTime> last_attempt;
    int failures = 0;  // consecutive failed fetches
    bool in_flight = false;
    std::shared_ptr<const KeyFetch> last;  // the outcome of the latest fetch
  };
  // Runs one fetch as the in-flight one of `sender`, publishes and records it.
  KeyFetch run_fetch(const TrustedSender& sender);
  // How long after an attempt the next refetch may run, given the consecutive failures so far.
  std::chrono::milliseconds refetch_interval(int failures) const;

  http::HttpClient& client_;
  store::Database& db_;
  const core::Clock& clock_;
  JwksSettings settings_;
  const SenderTable table_;
  mutable core::Mutex mu_;
  core::CondVar done_;
  std::map<std::string, Entry, std::less<>> entries_ GUARDED_BY(mu_);
};

}  // namespace registrar::dci
