// The asynchronous outgoing HTTP/1.1 client (http and https) for modules that call peers: DCI
// searches and callbacks, intercoop posts, JWKS refreshes. Free of Boost types: the client runs
// its own io_context on its own thread inside async_client.cpp.
//
// Threads. `send` may be called from any thread and never blocks. Every completion callback runs
// on the client's thread, one at a time: a callback must be quick and must not block (hop to a
// worker pool for database work or anything slow); it may call `send` again. The one exception:
// a `send` after stop() completes at once on the calling thread.
//
// Per request: connect, read (inactivity) and total timeouts (ClientRequest); async DNS;
// connections reused per (scheme, host, port, TLS settings) from a bounded idle pool with an idle
// expiry; a request on a reused connection that fails before any response byte arrives (not by a
// timeout) is retried once on a new connection when its method is idempotent (GET, HEAD, PUT,
// DELETE, OPTIONS) or nothing of it was sent; TLS verified by default (system CAs or `ca_file`,
// SNI, host name); a response size limit; redirects only when asked.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "core/error.h"
#include "http/client.h"

namespace registrar::core {
class Metrics;
}

namespace registrar::http {

// What a request came to: a response (any status, 4xx and 5xx included) or an error.
//   kInvalidArgument  the URL is malformed or not http(s) (field "url"), or the method is kOther
//   kUnavailable      DNS, connect, TLS (verification included; also a ca_file that cannot be
//                     loaded), a timeout (the message names which), the peer closing or
//                     sending something that is not HTTP, a response over max_response_bytes,
//                     too many redirects, or "client stopped". An oversized response is
//                     kUnavailable, not kPayloadTooLarge, because a caller that passes the kind
//                     on would answer 413, which says that *its* client sent too much.
//   kInternal         a bug (an unexpected exception inside the client)
class Outcome {
 public:
  Outcome(Response response) : value_(std::move(response)) {}  // NOLINT: implicit on purpose
  Outcome(core::Error error) : value_(std::move(error)) {}     // NOLINT
  bool ok() const { return value_.index() == 0; }
  // Precondition ok().
  Response& response() { return std::get<0>(value_); }
  const Response& response() const { return std::get<0>(value_); }
  // Precondition !ok().
  const core::Error& error() const { return std::get<1>(value_); }
  // The response, or throws the error.
  Response take();

 private:
  std::variant<Response, core::Error> value_;
};

class HttpClient {
 public:
  struct Options {
    // Idle keep-alive connections kept per (scheme, host, port, TLS settings); 0 turns reuse off
    // (each request gets its own connection and sends Connection: close).
    size_t max_idle_per_host = 8;
    size_t max_idle_total = 64;  // across all peers
    // An idle connection is closed after this long: below the 5 s keep-alive of common servers,
    // so that a POST (which is not retried) rarely meets a connection the peer has just closed.
    std::chrono::milliseconds idle_timeout{4'000};
    std::string user_agent = "registrar";
    // When set (it must outlive the client): registrar_http_client_requests_total and
    // registrar_http_client_failures_total (requests that ended in an error, not in a response).
    core::Metrics* metrics = nullptr;
  };

  explicit HttpClient(Options options);
  HttpClient() : HttpClient(Options{}) {}
  // stop(), then waits for the client's thread. Destroying the client from one of its own
  // callbacks is allowed: the thread then finishes on its own.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts the request and returns at once. `done` is called exactly once, on the client's
  // thread (see above); it may be empty.
  void send(ClientRequest request, std::function<void(Outcome)> done);
  // Blocks until the request completes; returns the response or throws its core::Error. For the
  // CLI, tests and worker threads. Called on the client's own thread it would wait forever, so
  // it throws core::Error(kInternal) there instead.
  Response send_and_wait(ClientRequest request);
  // Any thread, idempotent. Cancels the requests in flight (each callback gets kUnavailable
  // "client stopped"), closes idle connections and, unless called from a callback, waits until
  // every callback has returned. Later sends complete at once with the same error.
  void stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;  // shared with the client's thread
};

}  // namespace registrar::http
