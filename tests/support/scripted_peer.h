// A scripted HTTP peer for tests of outgoing calls: a real server on 127.0.0.1 (any free port)
// that hands every POST (paths of one to four segments) to the test's handler on a worker, and
// counts the requests and how many were in the handler at once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/metrics.h"
#include "core/thread_annotations.h"
#include "http/router.h"
#include "http/server.h"

namespace registrar::testing {

class ScriptedPeer {
 public:
  using Handler = std::function<http::Response(const http::Request&)>;

  explicit ScriptedPeer(Handler handler, int worker_threads = 8);
  ~ScriptedPeer();
  ScriptedPeer(const ScriptedPeer&) = delete;
  ScriptedPeer& operator=(const ScriptedPeer&) = delete;

  // "http://127.0.0.1:PORT" + path.
  std::string url(const std::string& path = "") const;
  int requests() const;
  int max_in_flight() const;

 private:
  http::Response handle(http::Request& request);

  Handler handler_;
  http::Router router_;
  core::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
  mutable core::Mutex mu_;
  int requests_ GUARDED_BY(mu_) = 0;
  int in_flight_ GUARDED_BY(mu_) = 0;
  int max_in_flight_ GUARDED_BY(mu_) = 0;
};

}  // namespace registrar::testing
