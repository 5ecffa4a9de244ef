#include "dci_client/source_client.h"

#include <algorithm>
#include <cstdlib>

#include "core/base64.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "dci/envelope.h"
#include "dci/senders.h"
#include "dci/signature.h"
#include "dci_client/source_client_answers.h"

namespace registrar::dci_client {

namespace {

constexpr const char* kShuttingDown = "not sent: the server is shutting down";

double unit_random() {
  return double(core::random_u64() >> 11) / double(uint64_t(1) << 53);
}

// header.total_count: the number of requests the message carries (§2.2).
int64_t request_count(const nlohmann::json& message) {
  for (const char* key : {"search_request", "subscribe_request", "unsubscribe_request"})
    if (auto it = message.find(key); it != message.end() && it->is_array())
      return int64_t(it->size());
  return 1;
}

// A Retry-After in seconds (the HTTP-date form is not worth a parser here).
std::chrono::milliseconds retry_after(const http::Response& r) {
  auto v = r.headers.get("Retry-After");
  if (!v) return std::chrono::milliseconds(0);
  std::string text(*v);
  char* end = nullptr;
  long long s = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || s < 0) return std::chrono::milliseconds(0);
  return std::chrono::seconds(std::min<long long>(s, 86'400));
}

}  // namespace

// One post(): carried through key, queue, token, attempts and retries; answered exactly once
// (by its destructor if nothing else did, so that a call dropped at shutdown still completes).
struct HttpSourceClient::Call {
  std::string code;
  Endpoint endpoint = Endpoint::kSyncSearch;
  nlohmann::json message;
  std::function<void(PeerAnswer)> done;
  DataSource source;          // as resolved from the snapshot
  int64_t attempt = 1;        // 1 for the first
  bool reauthorised = false;  // a 401 made us fetch a new token once already
  std::string token;          // the OAuth2 token of the current attempt
  std::chrono::milliseconds retry_after{0};

  void finish(PeerAnswer answer) {
    if (!done) return;
    auto d = std::move(done);
    done = nullptr;
    d(std::move(answer));
  }
  ~Call() { finish(PeerAnswer{0, kShuttingDown}); }
};

std::string_view endpoint_action(Endpoint e) {
  return e == Endpoint::kSubscribe ? "subscribe" : "search";
}

const std::string& endpoint_path(const DataSource& d, Endpoint e) {
  switch (e) {
    case Endpoint::kSearch:
      return d.search_endpoint;
    case Endpoint::kSubscribe:
      return d.subscribe_endpoint;
    case Endpoint::kSyncSearch:
      break;
  }
  return d.sync_search_endpoint;
}

std::string client_kid(const std::string& sender_id, const ClientSettings& s) {
  return dci::format_kid(sender_id, s.key_id, dci::SignatureAlgorithm::kEd25519);
}

std::shared_ptr<HttpSourceClient> HttpSourceClient::create(
    DataSources& sources, services::Signing& signing, http::HttpClient& client,
    core::Background& background, const core::Clock& clock, ClientSettings settings) {
  return std::shared_ptr<HttpSourceClient>(
      new HttpSourceClient(sources, signing, client, background, clock, std::move(settings)));
}

HttpSourceClient::HttpSourceClient(DataSources& sources, services::Signing& signing,
                                   http::HttpClient& client, core::Background& background,
                                   const core::Clock& clock, ClientSettings settings)
    : sources_(sources),
      signing_(signing),
      client_(client),
      background_(background),
      clock_(clock),
      settings_(std::move(settings)),
      tokens_(std::make_shared<OAuth2Tokens>(client, clock)) {}

void HttpSourceClient::ensure_keys() {
  auto snapshot = sources_.snapshot();  // kept: a range-for over a temporary's target dangles
  for (const auto& [code, d] : *snapshot) ensure_key(d);
}

void HttpSourceClient::ensure_key(const DataSource& d) {
  if (d.our_sender_id.empty()) return;
  std::string kid = client_kid(d.our_sender_id, settings_);
  signing_.ensure_key(kid, crypto::JwsAlg::kEdDSA, "dci_client");
  core::MutexLock lock(mu_);
  kids_.insert(kid);
}

void HttpSourceClient::stop() {
  std::vector<std::shared_ptr<Call>> dropped;
  {
    core::MutexLock lock(mu_);
    stopped_ = true;
    for (auto& [code, lane] : lanes_)
      for (auto& c : lane.waiting) dropped.push_back(std::move(c));
    lanes_.clear();
  }
  for (auto& c : dropped) c->finish(PeerAnswer{0, kShuttingDown});
}

bool HttpSourceClient::later(std::function<void()> fn) {
  return background_.schedule(std::move(fn));
}

void HttpSourceClient::post(const std::string& source_code, Endpoint endpoint,
                            nlohmann::json message, std::function<void(PeerAnswer)> done) {
  auto call = std::make_shared<Call>();
  call->code = source_code;
  call->endpoint = endpoint;
  call->message = std::move(message);
  call->done = std::move(done);
  resolve(std::move(call), true);
}

void HttpSourceClient::resolve(std::shared_ptr<Call> call, bool may_reload) {
  auto snapshot = sources_.snapshot();
  auto it = snapshot->find(call->code);
  if (it != snapshot->end() && it->second.active) {
    call->source = it->second;
    admit(std::move(call));
    return;
  }
  // Added (or activated) by another instance or the CLI since the last reload: look once more.
  if (may_reload && later([self = shared_from_this(), call] {
        try {
          self->sources_.reload();
        } catch (const std::exception& e) {
          log::warn("dci_client_sources_reload_failed", {{"error", core::loggable_message(e)}});
        }
        self->resolve(call, false);
      }))
    return;
  std::string why = it == snapshot->end() ? "no data source " + call->code
                                          : "data source " + call->code + " is inactive";
  // Never answer on the caller's thread: it may hold locks of its own.
  if (!later([call, why] { call->finish(PeerAnswer{0, why}); })) call->finish(PeerAnswer{0, why});
}

void HttpSourceClient::admit(std::shared_ptr<Call> call) {
  const DataSource& d = call->source;
  if (d.our_sender_id.empty()) {
    std::string why =
        "data source " + d.code + " has no sender id (our_sender_id): a DCI header needs one";
    if (!later([call, why] { call->finish(PeerAnswer{0, why}); })) call->finish({0, why});
    return;
  }
  std::string kid = client_kid(d.our_sender_id, settings_);
  bool ready = false;
  {
    core::MutexLock lock(mu_);
    if (stopped_) {
      lock.unlock();
      call->finish(PeerAnswer{0, kShuttingDown});
      return;
    }
    ready = kids_.count(kid) > 0;
    if (ready) {
      Lane& lane = lanes_[call->code];
      if (lane.in_flight >= d.max_concurrency) {
        lane.waiting.push_back(std::move(call));
        return;
      }
      ++lane.in_flight;
    }
  }
  if (ready) {
    start(std::move(call));
    return;
  }
  // A sender id first seen here: its key is made (or loaded) by identity, which blocks.
  bool queued = later([self = shared_from_this(), call, kid] {
    try {
      self->signing_.ensure_key(kid, crypto::JwsAlg::kEdDSA, "dci_client");
    } catch (const std::exception& e) {
      call->finish(PeerAnswer{0, "cannot get our signing key " + kid + ": " + e.what()});
      return;
    }
    {
      core::MutexLock lock(self->mu_);
      self->kids_.insert(kid);
    }
    self->admit(call);
  });
  if (!queued) call->finish(PeerAnswer{0, kShuttingDown});
}

void HttpSourceClient::start(std::shared_ptr<Call> call) {
  if (call->source.auth != AuthType::kOauth2) {
    send(std::move(call), "");
    return;
  }
  tokens_->get(call->source,
               [self = shared_from_this(), call](std::string token, PeerAnswer failure) {
                 if (!failure.ok()) {
                   failure.http_status = 0;  // the registry itself was not asked
                   self->answered(call, std::move(failure));
                   return;
                 }
                 self->send(call, token);
               });
}

void HttpSourceClient::send(std::shared_ptr<Call> call, const std::string& token) {
  const DataSource& d = call->source;
  dci::MsgHeader h;
  h.message_id = core::uuid_v4();  // a retry is a new message: the registry may refuse a repeat
  h.message_ts = dci::format_message_ts(clock_.now());
  h.action = std::string(endpoint_action(call->endpoint));
  h.sender_id = d.our_sender_id;
  h.sender_uri = d.our_callback_uri;  // "" when none, as OpenSPP sends
  h.receiver_id = d.effective_receiver_id();
  h.total_count = request_count(call->message);
  h.meta = nlohmann::json::object();  // OpenSPP forces {}
  http::ClientRequest req;
  try {
    std::string kid = client_kid(d.our_sender_id, settings_);
    dci::Signer signer(
        [&signing = signing_, kid](std::string_view data) { return signing.sign(kid, data); },
        dci::SignatureAlgorithm::kEd25519, d.our_sender_id, settings_.key_id, clock_);
    req.body = signer.sign_envelope(h, call->message);
  } catch (const std::exception& e) {
    // send() may run on post()'s caller: answer from a Background thread.
    PeerAnswer failed{0, std::string("cannot sign the request: ") + e.what()};
    if (!later([self = shared_from_this(), call, failed] { self->answered(call, failed); }))
      answered(call, failed);
    return;
  }
  req.method = http::Method::kPost;
  req.url = d.base_url + endpoint_path(d, call->endpoint);
  req.headers.set("Content-Type", "application/json");
  req.headers.set("Accept", "application/json");
  switch (d.auth) {
    case AuthType::kBearer:
      req.headers.set("Authorization", "Bearer " + d.secrets.bearer_token);
      break;
    case AuthType::kBasic:
      req.headers.set("Authorization", "Basic " + core::base64_encode(d.basic_username + ":" +
                                                                      d.secrets.basic_password));
      break;
    case AuthType::kOauth2:
      req.headers.set("Authorization", "Bearer " + token);
      break;
    case AuthType::kNone:
      break;
  }
  req.timeout = d.timeout;
  req.read_timeout = d.timeout;
  req.connect_timeout = std::min<std::chrono::milliseconds>(d.timeout, std::chrono::seconds(10));
  req.verify_tls = d.verify_tls;
  call->token = token;
  std::string url = req.url;
  client_.send(std::move(req), [self = shared_from_this(), call, url](http::Outcome outcome) {
    PeerAnswer a;
    if (outcome.ok()) {
      // A sync answer is parsed by its reader, once for its signature and its items.
      a = http_answer(outcome.response(), url, call->endpoint != Endpoint::kSyncSearch);
      call->retry_after = retry_after(outcome.response());
    } else {
      a = transport_failure(outcome.error(), url, call->source.timeout);
    }
    self->answered(call, std::move(a));
  });
}

void HttpSourceClient::answered(std::shared_ptr<Call> call, PeerAnswer a) {
  const DataSource& d = call->source;
  if (a.http_status == 401 && d.auth == AuthType::kOauth2 && !call->reauthorised) {
    // The token may have been revoked or expired early: a new one, and this request once more.
    call->reauthorised = true;
    tokens_->invalidate(call->code, call->token);
    log::info("dci_client_token_refused", {{"source", d.code}});
    start(std::move(call));
    return;
  }
  if (!a.ok() && a.retryable && call->attempt <= settings_.retries) {
    auto delay =
        retry_delay(call->attempt, settings_.backoff_base, settings_.backoff_cap, unit_random());
    if (call->retry_after > delay) delay = std::min(call->retry_after, settings_.backoff_cap);
    log::warn("dci_client_request_retry", {{"source", d.code},
                                           {"attempt", call->attempt},
                                           {"retry_in_ms", delay.count()},
                                           {"error", a.error}});
    ++call->attempt;
    release(call->code);  // the wait holds no slot
    core::Job timer =
        background_.after(delay, [self = shared_from_this(), call] { self->admit(call); });
    if (timer) {
      timer.detach();
      return;
    }
  } else {
    release(call->code);
  }
  if (!a.ok())
    log::warn("dci_client_request_failed",
              {{"source", d.code}, {"attempt", call->attempt}, {"error", a.error}});
  call->finish(std::move(a));
}

void HttpSourceClient::release(const std::string& code) {
  std::shared_ptr<Call> next;
  {
    core::MutexLock lock(mu_);
    auto it = lanes_.find(code);
    if (it == lanes_.end()) return;  // stop() cleared it
    Lane& lane = it->second;
    --lane.in_flight;
    if (!stopped_ && !lane.waiting.empty() &&
        lane.in_flight < lane.waiting.front()->source.max_concurrency) {
      next = std::move(lane.waiting.front());
      lane.waiting.pop_front();
      ++lane.in_flight;
    }
    if (lane.in_flight <= 0 && lane.waiting.empty()) lanes_.erase(it);
  }
  if (next) start(std::move(next));
}

}  // namespace registrar::dci_client
