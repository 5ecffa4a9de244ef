#include "support/loopback_server.h"

namespace registrar::testing {

LoopbackServer::LoopbackServer(const http::Router& router, int worker_threads) {
  http::ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.access_log = false;
  o.worker_threads = worker_threads;
  server_ = std::make_unique<http::Server>(o, router, metrics_);
  port_ = server_->listen();
  thread_ = std::thread([this] { server_->run(false); });
}

LoopbackServer::~LoopbackServer() {
  server_->shutdown();
  thread_.join();
}

std::string LoopbackServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::optional<http::Failure> FixedTokenAuthenticator::authenticate(http::Request& request,
                                                                   const http::Route& route) {
  constexpr std::string_view kPrefix = "Bearer ";
  auto h = request.headers.get("Authorization");
  auto it = h && h->substr(0, kPrefix.size()) == kPrefix
                ? scopes_.find(std::string(h->substr(kPrefix.size())))
                : scopes_.end();
  if (it == scopes_.end())
    return http::unauthenticated("invalid_token", "no valid token", "Authorization");
  http::Principal p;
  p.subject = it->first;
  p.scopes = it->second;
  for (const auto& s : route.scopes)
    if (!p.has_scope(s))
      return http::forbidden("insufficient_scope", "the token lacks scope " + s, "Authorization");
  request.principal = std::make_shared<const http::Principal>(p);
  return std::nullopt;
}

}  // namespace registrar::testing
