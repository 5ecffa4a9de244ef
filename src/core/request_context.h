// The server's own id of the request the current thread works for, so that the audit log can
// record it beside the client's X-Request-Id without every service passing it along. The HTTP
// server sets it around each handler call (and authentication) on the thread that runs it; work
// a handler hands to another thread reads it before it leaves and passes it explicitly.
#pragma once

#include <string>

namespace registrar::core {

// "" outside a request (CLI, background jobs, a thread the request's work was handed to).
const std::string& current_server_request_id();

// Sets the current thread's server request id for its lifetime; restores the previous one.
// `id` must outlive the scope.
class ServerRequestScope {
 public:
  explicit ServerRequestScope(const std::string& id);
  ~ServerRequestScope();
  ServerRequestScope(const ServerRequestScope&) = delete;
  ServerRequestScope& operator=(const ServerRequestScope&) = delete;

 private:
  const std::string* previous_;
};

}  // namespace registrar::core
