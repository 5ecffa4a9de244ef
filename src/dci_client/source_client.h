// The SourceClient (seams.h) over Services::http_client: builds the DCI header for the source,
// signs the envelope with identity's key for the source's sender id, authenticates as the source
// says (bearer, basic, OAuth2 client credentials with a cached token, refreshed and the request
// retried once on a 401), applies the source's timeout, retries retryable failures with
// exponential backoff and jitter (dci_client.retries), and keeps at most the source's
// max_concurrency requests in flight to it (the rest wait in a queue; nothing blocks).
//
// Threads: post() from any thread; the source is read from DataSources' snapshot (a source the
// snapshot lacks is looked up once more after a reload on a Background thread), a kid not yet
// ensured is ensured on a Background thread, retries wait on Background timers. `done` runs on
// the HTTP client's thread, or on a Background thread when nothing was sent (unknown source).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/background.h"
#include "core/clock.h"
#include "core/thread_annotations.h"
#include "dci_client/config.h"
#include "dci_client/data_sources.h"
#include "dci_client/oauth2_token.h"
#include "dci_client/seams.h"
#include "http/async_client.h"
#include "services/signing.h"

namespace registrar::dci_client {

// "search" for both searches, "subscribe" (§1.1).
std::string_view endpoint_action(Endpoint endpoint);
const std::string& endpoint_path(const DataSource& source, Endpoint endpoint);
// The kid of our key for `sender_id`: "{sender_id}|{key_id}|ed25519" (dci::format_kid).
std::string client_kid(const std::string& sender_id, const ClientSettings& settings);

class HttpSourceClient final : public SourceClient,
                               public std::enable_shared_from_this<HttpSourceClient> {
 public:
  static std::shared_ptr<HttpSourceClient> create(DataSources& sources, services::Signing& signing,
                                                  http::HttpClient& client,
                                                  core::Background& background,
                                                  const core::Clock& clock,
                                                  ClientSettings settings);

  // Ensures a key for the sender id of every source in the snapshot (blocking: start()).
  void ensure_keys() EXCLUDES(mu_);
  // Ensures the key of one source's sender id (blocking: a worker, after the source was saved).
  void ensure_key(const DataSource& source) EXCLUDES(mu_);
  // Requests still queued are answered "not sent"; later posts likewise. Those in flight finish
  // (the HTTP client stops after the modules).
  void stop() EXCLUDES(mu_);

  void post(const std::string& source_code, Endpoint endpoint, nlohmann::json message,
            std::function<void(PeerAnswer)> done) override;

  int64_t token_fetches() const { return tokens_->fetches(); }

  struct Call;

 private:
  HttpSourceClient(DataSources& sources, services::Signing& signing, http::HttpClient& client,
                   core::Background& background, const core::Clock& clock, ClientSettings settings);
  // Finds the source (reloading the snapshot once on a miss), then admits the call.
  void resolve(std::shared_ptr<Call> call, bool may_reload);
  // Ensures the key (on a Background thread when new), then queues or starts the call.
  void admit(std::shared_ptr<Call> call) EXCLUDES(mu_);
  void start(std::shared_ptr<Call> call);
  void send(std::shared_ptr<Call> call, const std::string& token);
  void answered(std::shared_ptr<Call> call, PeerAnswer answer);
  // Frees the call's slot and starts the next queued call of that source.
  void release(const std::string& code) EXCLUDES(mu_);
  // Runs fn on a Background thread; false when the Background is stopping.
  bool later(std::function<void()> fn);

  struct Lane {
    int in_flight = 0;
    std::deque<std::shared_ptr<Call>> waiting;
  };

  DataSources& sources_;
  services::Signing& signing_;
  http::HttpClient& client_;
  core::Background& background_;
  const core::Clock& clock_;
  const ClientSettings settings_;
  std::shared_ptr<OAuth2Tokens> tokens_;
  core::Mutex mu_;
  std::map<std::string, Lane> lanes_ GUARDED_BY(mu_);
  std::set<std::string> kids_ GUARDED_BY(mu_);  // ensured
  bool stopped_ GUARDED_BY(mu_) = false;
};

}  // namespace registrar::dci_client
