#include "support/scripted_peer.h"

namespace registrar::testing {

ScriptedPeer::ScriptedPeer(Handler handler, int worker_threads) : handler_(std::move(handler)) {
  for (const char* pattern : {"/{a}", "/{a}/{b}", "/{a}/{b}/{c}", "/{a}/{b}/{c}/{d}"})
    router_.post(pattern, [this](http::Request& r) { return handle(r); });
  http::ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.io_threads = 1;
  o.worker_threads = worker_threads;
  o.access_log = false;
  o.drain_timeout = std::chrono::milliseconds(5000);
  server_ = std::make_unique<http::Server>(o, router_, metrics_);
  port_ = server_->listen();
  thread_ = std::thread([this] { server_->run(false); });
}

ScriptedPeer::~ScriptedPeer() {
  server_->shutdown();
  thread_.join();
}

std::string ScriptedPeer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

http::Response ScriptedPeer::handle(http::Request& r) {
  {
    core::MutexLock lock(mu_);
    ++requests_;
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
  }
  http::Response out;
  try {
    out = handler_(r);
  } catch (...) {
    core::MutexLock lock(mu_);
    --in_flight_;
    throw;
  }
  core::MutexLock lock(mu_);
  --in_flight_;
  return out;
}

int ScriptedPeer::requests() const {
  core::MutexLock lock(mu_);
  return requests_;
}

int ScriptedPeer::max_in_flight() const {
  core::MutexLock lock(mu_);
  return max_in_flight_;
}

}  // namespace registrar::testing
