// Routes under test on a real server over loopback, without the registrar binary: an
// http::Server for a router on an ephemeral 127.0.0.1 port, served from its own thread from
// construction until destruction; and a bearer authenticator with fixed tokens, standing in for
// identity's.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "http/auth.h"
#include "http/router.h"
#include "http/server.h"

namespace registrar::testing {

class LoopbackServer {
 public:
  // Listens before returning; `router` must outlive this object.
  explicit LoopbackServer(const http::Router& router, int worker_threads = 2);
  ~LoopbackServer();  // shuts the server down and joins its thread
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>".
  std::string url(const std::string& path) const;

 private:
  core::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

// "Authorization: Bearer <token>" for the tokens it was given, each with its scopes (the
// principal's subject is the token). An unknown or missing token is a 401, a route scope the
// token lacks a 403, as identity's bearer authenticator answers.
class FixedTokenAuthenticator final : public http::Authenticator {
 public:
  explicit FixedTokenAuthenticator(std::map<std::string, std::vector<std::string>> scopes)
      : scopes_(std::move(scopes)) {}
  std::optional<http::Failure> authenticate(http::Request& request,
                                            const http::Route& route) override;

 private:
  const std::map<std::string, std::vector<std::string>> scopes_;
};

}  // namespace registrar::testing
