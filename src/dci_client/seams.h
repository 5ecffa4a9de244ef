// The three parts of the module and what each asks of the others, so that they can be built and
// tested apart:
//
//   data sources + SourceClient   the IBRs we talk to, and the one way to POST a signed DCI
//                                 message to one of them (auth, OAuth2 token cache, timeouts,
//                                 retries, concurrency limit per source)
//   senders + callback routes     whose callbacks we accept (§6.3, JWKS keys) and the
//                                 /dci_api/v1/ibr/on-search and on-subscribe routes (§7.8, §8.4)
//   checks                        the duplication checks (§8.1): lifecycle, query building,
//                                 answer reading, batch runs; it uses SourceClient to send and is
//                                 the CallbackSink the callback routes hand results to
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace registrar::dci_client {

// The endpoints of a data source (§8.6: search_endpoint, subscribe_endpoint, ...).
enum class Endpoint {
  kSyncSearch,  // default /registry/sync/search
  kSearch,      // default /registry/search (async: answer by callback)
  kSubscribe,   // default /registry/subscribe
};

// What one POST to a data source came to.
struct PeerAnswer {
  int http_status = 0;  // 0: no HTTP answer (DNS, connect, TLS, timeout, client stopped)
  // Why it failed, in words an operator can act on ("timeout after 30 s", "HTTP 500 from
  // https://ibr.example/registry/sync/search"); "" on a 2xx with a JSON body.
  std::string error;
  // The peer's JSON answer (an envelope or an ACK); null when none, and for a 2xx answer to a
  // sync search, which its reader parses from `raw` (http_answer).
  nlohmann::json body;
  bool retryable = false;  // a later attempt may succeed (5xx, 429, connection, timeout)
  std::string raw;         // a 2xx answer's text, as received (signatures are over the text)
  bool ok() const { return error.empty(); }
};

// Who may answer for a data source, and whether an envelope is signed by them (dci-ibr.md §7):
// the checks ask it about sync answers and callbacks. Implemented over the trusted senders
// (answer_trust.h). Blocking (a JWKS fetch): call it on the Background or a worker.
class AnswerTrust {
 public:
  virtual ~AnswerTrust() = default;
  // The sender_id the source's registry signs as: its receiver_id; "" when the source names
  // none (then any trusted sender is taken) or is unknown.
  virtual std::string signer_of(const std::string& source_code) = 0;
  // "" when `envelope` (its text) is signed by a trusted sender's key, as a callback is checked
  // (the §7.8 table); else why not, in words. `signer` receives its header.sender_id. With
  // `whole`, an accepted envelope is also given back there as JSON ({header, message}, read
  // from the same parse: the caller need not parse the text again).
  virtual std::string refusal(std::string_view envelope, std::string& signer,
                              nlohmann::json* whole = nullptr) = 0;
};

// Sends DCI messages to data sources. Implemented by the data-source part (source_client.*).
// Threads: post() may be called from any thread and never blocks; `done` runs once, on the HTTP
// client's thread (quick, non-blocking: hop to Background for database work).
class SourceClient {
 public:
  virtual ~SourceClient() = default;
  // POSTs {signature, header, message} to the active data source `source_code`: the header is
  // built here (action from the endpoint, sender_id = the source's our_sender_id, receiver_id,
  // sender_uri = the source's callback URI, message_id, message_ts), the envelope signed with the
  // module's key, auth as the source says (bearer, basic, OAuth2 client credentials cached until
  // expiry, refreshed and retried once on 401), the source's timeout, retries with backoff for
  // retryable failures, at most the source's concurrency limit in flight.
  virtual void post(const std::string& source_code, Endpoint endpoint, nlohmann::json message,
                    std::function<void(PeerAnswer)> done) = 0;
  // What checks the answers this client brings back; null when it does not know the trusted
  // senders (the module passes its own to the checks). Lives as long as the client.
  virtual AnswerTrust* answer_trust() { return nullptr; }
};

// What the checks made of a callback: the ack's words.
struct CallbackOutcome {
  bool known = false;    // a check waited for this correlation id
  bool changed = false;  // a check was completed (or failed) by it
  std::string note;      // why nothing changed, for the ack and the log ("" when changed)
};

// Receives verified on-search callbacks. Implemented by the checks part. Blocking (database):
// the callback routes call it on a worker.
class CallbackSink {
 public:
  virtual ~CallbackSink() = default;
  // `message` is the verified envelope's message (SearchResponse: transaction_id, correlation_id,
  // search_response[]); `sender_id` the verified header.sender_id.
  virtual CallbackOutcome on_search(const std::string& sender_id,
                                    const nlohmann::json& message) = 0;
};

}  // namespace registrar::dci_client
