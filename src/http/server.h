// The HTTP/1.1 server: Boost.Beast with C++20 coroutines on a configurable number of I/O threads,
// and a separate pool for handlers that block (database work). Beast itself stays in
// src/http: server.cpp (listener, connections, shutdown), server_request.cpp (one request),
// burst.cpp (deferred work), behind the private server_impl.h and request_parser.h.
//
// Per request: read the header (size and time limits) -> match the route (404 / 405) -> check the
// declared body size against the route's limit (413) -> read the body (time limit) -> authenticate
// when the route asks for it (401 / 403) -> run the handler on the route's executor -> write the
// response -> access log and metrics. Any exception from a handler becomes a problem+json body.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/metrics.h"
#include "http/router.h"

namespace registrar::http {

// The expensive rest of an authentication that Authenticator::start could not decide at once.
class PendingAuthentication {
 public:
  virtual ~PendingAuthentication() = default;
  // The expensive step (a signature verification), run apart from the rest.
  virtual void run_heavy() = 0;
  // After run_heavy(): what Authenticator::authenticate would have returned.
  virtual std::optional<Response> finish(Request& request, const Route& route) = 0;
};

// Establishes who made a request. Implemented by the identity module; the server calls it for
// routes that require authentication: for blocking routes authenticate() on the worker that runs
// the handler, for inline and async ones start() on the I/O thread.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // On success sets request.principal and returns nullopt; otherwise returns the 401/403 response.
  virtual std::optional<Response> authenticate(Request& request, const Route& route) = 0;
  // authenticate() for a caller that can run its expensive part later: the server's I/O thread
  // runs run_heavy() with defer_to_burst_end (http/burst.h), back to back with the other
  // requests' heavy steps. Returns null when decided at once (`decision` then holds what
  // authenticate() returns), otherwise the part still to do.
  virtual std::unique_ptr<PendingAuthentication> start(Request& request, const Route& route,
                                                       std::optional<Response>& decision) {
    decision = authenticate(request, route);
    return nullptr;
  }
};

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; [v6]:port; port 0 picks a free one
  int io_threads = 1;
  int worker_threads = 4;
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // from first byte to end of header
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds drain_timeout{20'000};  // graceful shutdown limit
  size_t max_connections = 10'000;
  std::string tls_cert_file;  // both set: TLS on the listener
  std::string tls_key_file;
  bool access_log = true;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, core::Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void set_authenticator(std::shared_ptr<Authenticator> authenticator);

  // Binds the listener; throws std::runtime_error (naming the address) on failure.
  // Returns the bound port.
  uint16_t listen();
  // Serves until shutdown() or SIGTERM/SIGINT, then drains: in-flight requests finish, idle
  // connections close, new connections are refused. Returns when everything has stopped.
  void run(bool handle_signals = true);
  // Thread-safe; begins the graceful shutdown.
  void shutdown();

  // Runs `fn` on the blocking pool (for modules that need background work at start).
  void post_to_workers(std::function<void()> fn);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" / "[v6]:port"; throws std::invalid_argument on a malformed address.
std::pair<std::string, uint16_t> parse_listen_address(const std::string& listen);

}  // namespace registrar::http
