// The HTTP/1.1 server: Boost.Beast with C++20 coroutines on a configurable number of I/O threads,
// and a separate pool for handlers that block (database work). Beast itself stays in
// src/http: server.cpp (listener, connections, shutdown), server_request.cpp (one request),
// burst.cpp (deferred work), behind the private server_impl.h and request_parser.h.
//
// Per request: read the header (size and time limits) -> match the route (404 / 405) -> check the
// declared body size against the route's limit (413) -> read the body (time limit) -> authenticate
// with the route's authenticator (401 / 403) -> run the handler on the route's executor -> write
// the response -> access log and metrics. Every failure on the way is written by the route's
// ErrorFormat (http/failure.h; problem+json unless the route or its path prefix says otherwise).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/metrics.h"
#include "http/rate_limiter.h"
#include "http/router.h"

namespace registrar::http {

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
  // Lowered at listen() to what the process's descriptor limit allows (see
  // connection_capacity); the soft limit is raised to the hard one first where allowed.
  size_t max_connections = 10'000;
  // Open connections from one client address (IP); beyond it new ones are closed at once. 0: no
  // cap. Behind a reverse proxy every connection has the proxy's address: raise it or set 0.
  size_t max_connections_per_address = 1'000;
  // Requests a second (and burst) per client address and per authenticated client (the token's
  // client id, else its subject); beyond them 429 with Retry-After. Off by default.
  RateLimit rate_limit_per_address;
  RateLimit rate_limit_per_client;
  // Requests being handled at once (from the end of their body to their response written);
  // beyond it 503 with Retry-After. 0: no cap.
  size_t max_in_flight = 0;
  std::string tls_cert_file;  // both set: TLS on the listener
  std::string tls_key_file;
  bool access_log = true;
};

// The connections a process with `descriptor_limit` open files can hold when it wants
// `wanted`: descriptors are kept back for the database pool, log and key files and outgoing
// HTTP (kReservedDescriptors), and at least a few connections are always allowed.
inline constexpr size_t kReservedDescriptors = 256;
size_t connection_capacity(size_t wanted, uint64_t descriptor_limit);

class Server {
 public:
  // Resolves the router's authenticators and error formats (Router::resolve): throws
  // std::logic_error naming a route whose authenticator nobody registered.
  Server(ServerOptions options, const Router& router, core::Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

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
