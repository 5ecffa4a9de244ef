#include "support/callback_receiver.h"

namespace registrar::testing {

CallbackReceiver::CallbackReceiver(int refuse_first, std::chrono::milliseconds delay)
    : delay_(delay), refuse_left_(refuse_first) {
  for (const char* pattern : {"/cb", "/cb/{a}", "/cb/{a}/{b}", "/cb/{a}/{b}/{c}"})
    router_.post(pattern, [this](http::Request& r) { return handle(r); });
  http::ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.io_threads = 1;
  o.worker_threads = 2;
  o.access_log = false;
  server_ = std::make_unique<http::Server>(o, router_, metrics_);
  port_ = server_->listen();
  thread_ = std::thread([this] { server_->run(false); });
}

CallbackReceiver::~CallbackReceiver() {
  server_->shutdown();
  thread_.join();
}

std::string CallbackReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/cb" + path;
}

http::Response CallbackReceiver::handle(http::Request& r) {
  {
    core::MutexLock lock(mu_);
    if (refuse_left_ > 0) {
      --refuse_left_;
      ++refused_;
      return http::Response::text(503, "not yet");
    }
    ++arrived_;
  }
  if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
  core::MutexLock lock(mu_);
  received_.push_back({r.path, r.body});
  return http::Response::json(
      200, {{"message", {{"ack_status", "rcvd"}, {"timestamp", "2026-01-01T00:00:00Z"}}}});
}

std::vector<CallbackReceiver::Received> CallbackReceiver::received() const {
  core::MutexLock lock(mu_);
  return received_;
}

int CallbackReceiver::refused() const {
  core::MutexLock lock(mu_);
  return refused_;
}

int CallbackReceiver::arrived() const {
  core::MutexLock lock(mu_);
  return arrived_;
}

}  // namespace registrar::testing
