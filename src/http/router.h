// Routes: method + path pattern ("/v1/ids/{type}/{id}") -> handler, plus what the server needs to
// know before calling it: where it runs, which scopes it needs, how large a body it accepts.
// Modules add their routes at start; matching is read-only afterwards and needs no lock.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace registrar::http {

// Where a handler runs. kWorker: on the blocking pool (anything that touches the database or
// another blocking resource). kInline: on the I/O thread (pure computation that takes
// microseconds: validation, health).
enum class Exec { kWorker, kInline };

// Completes an asynchronous request. Copyable; the first call wins, later calls are ignored. If
// every copy is destroyed without a call, the client gets a 500 and the bug is logged, so a
// dropped request never hangs a connection.
class Responder {
 public:
  using Deliver = std::function<void(Response)>;
  explicit Responder(Deliver deliver);
  void operator()(Response response) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

using Handler = std::function<Response(Request&)>;
using AsyncHandler = std::function<void(Request&, Responder)>;

struct Route {
  Method method = Method::kGet;
  std::string pattern;
  Handler handler;             // exactly one of handler / async_handler is set
  AsyncHandler async_handler;  // runs inline; completes through the Responder from any thread
  Exec exec = Exec::kWorker;
  bool authenticated = false;       // needs a valid bearer token
  std::vector<std::string> scopes;  // all of these (implies authenticated)
  size_t max_body_bytes = 0;        // 0: the server's default
  // How authentication failures look on this route: "" for problem+json, or a protocol's own
  // style that the authenticator knows ("dhp": plain-text 401 as the DHP API answers; "mosip":
  // the MOSIP kernel's response envelope with KER-ATH-401 / KER-ATH-403).
  std::string auth_style;
  mutable uint32_t metrics_id = 0;  // assigned by the server

  Route& run_inline() {
    exec = Exec::kInline;
    return *this;
  }
  Route& require_scopes(std::vector<std::string> s) {
    scopes = std::move(s);
    authenticated = true;
    return *this;
  }
  Route& require_auth() {
    authenticated = true;
    return *this;
  }
  Route& auth_failure_style(std::string style) {
    auth_style = std::move(style);
    return *this;
  }
  Route& max_body(size_t bytes) {
    max_body_bytes = bytes;
    return *this;
  }
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Throws std::logic_error for a malformed pattern or a duplicate (method, pattern).
  Route& add(Method method, std::string pattern, Handler handler);
  Route& add_async(Method method, std::string pattern, AsyncHandler handler);
  Route& get(std::string pattern, Handler h) {
    return add(Method::kGet, std::move(pattern), std::move(h));
  }
  Route& post(std::string pattern, Handler h) {
    return add(Method::kPost, std::move(pattern), std::move(h));
  }
  Route& put(std::string pattern, Handler h) {
    return add(Method::kPut, std::move(pattern), std::move(h));
  }
  Route& del(std::string pattern, Handler h) {
    return add(Method::kDelete, std::move(pattern), std::move(h));
  }

  struct Match {
    const Route* route = nullptr;  // null: no route for this method (see allowed)
    std::vector<std::pair<std::string, std::string>> params;
    std::vector<Method> allowed;  // non-empty when the path exists under other methods
  };
  // `path` is percent-decoded. A single trailing slash is ignored ("/healthz/" == "/healthz").
  // HEAD falls back to GET.
  Match match(Method method, std::string_view path) const;

  // Every route, in the order added (for docs and the metrics registry).
  std::vector<const Route*> routes() const;

 private:
  struct Node;
  Route& insert(Route route);
  std::unique_ptr<Node> root_;
  std::vector<Route*> order_;
};

}  // namespace registrar::http
