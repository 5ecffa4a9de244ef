// A DCI callback receiver for tests: a real HTTP server on 127.0.0.1 (any free port) that takes
// POSTs on any path under /cb, records each body with its path, and answers 200 with OpenSPP's
// "rcvd" ack — or 503 for the first `refuse_first` requests, to make a sender retry; each accepted
// request takes `delay` (a slow peer keeps deliveries in flight).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "core/thread_annotations.h"
#include "http/router.h"
#include "http/server.h"

namespace registrar::testing {

class CallbackReceiver {
 public:
  struct Received {
    std::string path;
    std::string body;
  };

  explicit CallbackReceiver(int refuse_first = 0,
                            std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  ~CallbackReceiver();
  CallbackReceiver(const CallbackReceiver&) = delete;
  CallbackReceiver& operator=(const CallbackReceiver&) = delete;

  // "http://127.0.0.1:PORT/cb" + path.
  std::string url(const std::string& path = "") const;
  // Accepted requests (the refused ones are only counted).
  std::vector<Received> received() const;
  int refused() const;
  // Accepted requests that arrived, including those still waiting out `delay` (so
  // arrived() - received().size() are in flight: their sender has not had its answer yet).
  int arrived() const;
  // Waits (at most `limit`, polling) until `done(received())` holds; returns whether it did.
  template <typename F>
  bool wait_until(F done, std::chrono::milliseconds limit = std::chrono::seconds(30)) const {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done(received())) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

 private:
  http::Response handle(http::Request& request);

  http::Router router_;
  core::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
  mutable core::Mutex mu_;
  const std::chrono::milliseconds delay_;
  int refuse_left_ GUARDED_BY(mu_);
  int refused_ GUARDED_BY(mu_) = 0;
  int arrived_ GUARDED_BY(mu_) = 0;
  std::vector<Received> received_ GUARDED_BY(mu_);
};

}  // namespace registrar::testing
