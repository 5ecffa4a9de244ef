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

#include "core/error.h"

#include "http/auth.h"
#include "http/cors.h"
#include "http/failure.h"
#include "http/message.h"

namespace registrar::http {

// Where a handler runs. kWorker: on the blocking pool (anything that touches the database or
// another blocking resource). kInline: on the I/O thread (pure computation that takes
// microseconds: validation, health).
enum class Exec { kWorker, kInline };

// What /openapi.yaml says about a route besides its method, path, scopes and authenticator.
struct RouteDoc {
  std::string summary;
  std::string tag;              // "" until the router's current tag fills it
  std::string request_schema;   // component name under #/components/schemas, "" for none
  std::string response_schema;  // likewise for the success response
  bool hidden = false;          // left out of the document (test-only or internal routes)
  // Where the hand-written base document describes this route when that is not its pattern (a
  // route under a configurable prefix is documented once, under the default prefix); "" for the
  // pattern. Only used to find the description: the document lists the route at its pattern.
  std::string documented_as;
};

// Completes an asynchronous request. Copyable; the first call wins, later calls are ignored. If
// every copy is destroyed without a call, the client gets a 500 and the bug is logged, so a
// dropped request never hangs a connection.
class Responder {
 public:
  using Deliver = std::function<void(Response)>;
  // Writes a failure in the route's error format (the server supplies it).
  using RenderFailure = std::function<Response(std::exception_ptr)>;
  explicit Responder(Deliver deliver, RenderFailure render = {});
  void operator()(Response response) const;
  // Answers with the error in the route's format: a core::Error maps as a thrown one would
  // (status, errors[], Retry-After); anything else is a logged 500.
  void fail(std::exception_ptr error) const;
  void fail(const core::Error& error) const { fail(std::make_exception_ptr(error)); }

 private:
  struct State;
  std::shared_ptr<State> state_;
};

using Handler = std::function<Response(Request&)>;
using AsyncHandler = std::function<void(Request&, Responder)>;
// Adjusts every response under a path prefix, whichever layer produced it (handler, error
// format, preflight): headers a protocol puts on all its answers. Runs on the I/O thread just
// before the response is written, so it must be cheap; called from any thread, concurrently.
using ResponseHook = std::function<void(const Request&, Response&)>;

struct Route {
  Method method = Method::kGet;
  std::string pattern;
  Handler handler;             // exactly one of handler / async_handler is set
  AsyncHandler async_handler;  // runs inline; completes through the Responder from any thread
  Exec exec = Exec::kWorker;
  // The authenticator this route uses, by the name it was registered under on the router
  // (http/auth.h); "" for a public route.
  std::string auth;
  std::vector<std::string> scopes;  // all of these (bearer: token scopes)
  size_t max_body_bytes = 0;        // 0: the server's default
  // A GET route that changes state (issues an ID, consumes a sequence number). HEAD must never
  // have a side effect, so the router answers HEAD only on GET routes without this (405 here).
  bool side_effects = false;
  // How this route writes every one of its errors (authentication, limits, handler errors);
  // null: the format registered for its path prefix, else RFC 9457 problem+json.
  std::shared_ptr<const ErrorFormat> error_format;
  RouteDoc doc;  // for /openapi.yaml

  // Set by Router::resolve() (the server calls it before serving); read-only afterwards.
  mutable Authenticator* authenticator = nullptr;
  mutable const ErrorFormat* errors = nullptr;
  mutable uint32_t metrics_id = 0;                    // assigned by the server
  mutable const CorsPolicy* cors = nullptr;           // its path prefix's (Router::set_cors)
  mutable const ResponseHook* on_response = nullptr;  // likewise (Router::on_response)

  bool authenticated() const { return !auth.empty(); }

  Route& run_inline() {
    exec = Exec::kInline;
    return *this;
  }
  // Bearer token with all of these scopes (unless another authenticator was named).
  Route& require_scopes(std::vector<std::string> s) {
    scopes = std::move(s);
    if (auth.empty()) auth = kBearerAuthenticator;
    return *this;
  }
  // A valid bearer token (unless another authenticator was named).
  Route& require_auth() {
    if (auth.empty()) auth = kBearerAuthenticator;
    return *this;
  }
  Route& authenticate_with(std::string name) {
    auth = std::move(name);
    return *this;
  }
  Route& errors_as(std::shared_ptr<const ErrorFormat> format) {
    error_format = std::move(format);
    return *this;
  }
  // This GET route writes: HEAD is refused (405) instead of running it (see side_effects).
  Route& has_side_effects() {
    side_effects = true;
    return *this;
  }
  Route& max_body(size_t bytes) {
    max_body_bytes = bytes;
    return *this;
  }
  // One line for the API document; `tag` groups routes (the module's name by default).
  Route& describe(std::string summary, std::string tag = {}) {
    doc.summary = std::move(summary);
    if (!tag.empty()) doc.tag = std::move(tag);
    return *this;
  }
  // The base document describes this route under `path` (see RouteDoc::documented_as).
  Route& document_as(std::string path) {
    doc.documented_as = std::move(path);
    return *this;
  }
  // The request body's and the success response's schema, as OpenAPI component names.
  Route& schemas(std::string request, std::string response) {
    doc.request_schema = std::move(request);
    doc.response_schema = std::move(response);
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
    // With `allowed`: the error format of the routes at this path, so that a 405 is written as
    // they write their errors (set once resolve() ran; null before).
    const ErrorFormat* errors = nullptr;
  };
  // `path` is percent-decoded. A single trailing slash is ignored ("/healthz/" == "/healthz").
  // HEAD falls back to GET, unless that GET route has side effects (then: 405, without HEAD in
  // `allowed`).
  Match match(Method method, std::string_view path) const;

  // Every route, in the order added (for docs and the metrics registry).
  std::vector<const Route*> routes() const;

  // Registers an authenticator that routes name (Route::authenticate_with). Throws
  // std::logic_error for a name taken twice.
  void add_authenticator(std::string name, std::shared_ptr<Authenticator> authenticator);
  bool has_authenticator(std::string_view name) const {
    return authenticators_.find(name) != authenticators_.end();
  }
  // The error format of every route under `path_prefix` (whole segments: "/dhp" covers "/dhp"
  // and "/dhp/x", not "/dhpx") that sets none, and of unmatched requests there. The longest
  // prefix wins; "/" (or none) is problem+json.
  void set_error_format(std::string path_prefix, std::shared_ptr<const ErrorFormat> format);
  // CORS for every route under `path_prefix` (whole segments; the longest prefix wins) and for
  // unmatched requests there: the server answers preflights before routing and authentication
  // and adds the Access-Control-* headers to every response, errors included (http/cors.h).
  // Setting a prefix again replaces its policy; a null policy turns CORS off under it.
  void set_cors(std::string path_prefix, std::shared_ptr<const CorsPolicy> policy);
  const CorsPolicy* cors_for(std::string_view path) const;
  // A hook run on every response under `path_prefix` (longest prefix wins), unmatched requests
  // and preflights included.
  void on_response(std::string path_prefix, ResponseHook hook);
  const ResponseHook* response_hook_for(std::string_view path) const;
  // Only `owned` may serve paths under `path_prefix`: resolve() throws naming the intruder and
  // `owner` (who reserved it: "the DHP routes (identity.dhp_prefix = ...)") when another route
  // lies there. For a
  // protocol that claims a prefix's errors, CORS and 404s, so that a configurable prefix cannot
  // silently take over another module's routes.
  void reserve_prefix(std::string path_prefix, std::vector<const Route*> owned, std::string owner);
  // Routes added from now on without a tag get this one (a module sets its name).
  void set_tag(std::string tag) { tag_ = std::move(tag); }
  // Binds each route to its authenticator, error format, CORS policy and response hook. Throws
  // std::logic_error naming the route when it names an authenticator nobody registered or lies
  // under a prefix reserved for other routes. The server calls it; later calls
  // are cheap no-ops unless routes were added.
  void resolve() const;
  // The format for a request no route matched.
  const ErrorFormat& error_format_for(std::string_view path) const;

 private:
  struct Node;
  Route& insert(Route route);
  std::unique_ptr<Node> root_;
  std::vector<Route*> order_;
  std::map<std::string, std::shared_ptr<Authenticator>, std::less<>> authenticators_;
  std::vector<std::pair<std::string, std::shared_ptr<const ErrorFormat>>> formats_;
  std::vector<std::pair<std::string, std::shared_ptr<const CorsPolicy>>> cors_;
  std::vector<std::pair<std::string, std::shared_ptr<const ResponseHook>>> hooks_;
  struct Reservation {
    std::string prefix;
    std::vector<const Route*> owned;
    std::string owner;
  };
  std::vector<Reservation> reserved_;
  std::string tag_;
};

}  // namespace registrar::http
