// Authentication, chosen per route by name.
//
// Modules register authenticators on the router under a name ("bearer" from identity; a DCI
// envelope signature, an intercoop package, a machine signature, a shared secret from the modules
// that speak those protocols); a route names the one it uses (`Route::authenticate_with`). The
// server runs it after the request's body is read (so work before authentication is bounded by
// the route's body limit and the body timeout) and before the handler: a request that fails
// authentication never reaches the handler, and its failure is written by the route's
// ErrorFormat like every other error of that route.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "http/failure.h"
#include "http/message.h"

namespace registrar::http {

struct Route;

// The name of identity's bearer-token authenticator, which `require_scopes` implies.
inline constexpr const char* kBearerAuthenticator = "bearer";

// The expensive rest of an authentication that Authenticator::start could not decide at once.
class PendingAuthentication {
 public:
  virtual ~PendingAuthentication() = default;
  // The expensive step (a signature verification), run apart from the rest.
  virtual void run_heavy() = 0;
  // After run_heavy(): what Authenticator::authenticate would have returned.
  virtual std::optional<Failure> finish(Request& request, const Route& route) = 0;
};

// Establishes who made a request. Called from any thread, concurrently: implementations keep
// their shared state thread-safe. For blocking routes the server calls authenticate() on the
// worker that runs the handler; for inline and async ones start() on the I/O thread, so neither
// may block (no network, no database: keys come from memory refreshed in the background).
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // On success sets request.principal and returns nullopt; otherwise the 401/403 failure (with
  // its challenge header when the scheme has one). May throw core::Error (mapped as any error).
  virtual std::optional<Failure> authenticate(Request& request, const Route& route) = 0;
  // authenticate() for a caller that can run its expensive part later: the server's I/O thread
  // runs run_heavy() with defer_to_burst_end (http/burst.h), back to back with the other
  // requests' heavy steps. Returns null when decided at once (`decision` then holds what
  // authenticate() returns), otherwise the part still to do.
  virtual std::unique_ptr<PendingAuthentication> start(Request& request, const Route& route,
                                                       std::optional<Failure>& decision) {
    decision = authenticate(request, route);
    return nullptr;
  }
};

// A shared secret in a query parameter, compared in constant time (oed-authz's event endpoint:
// `?auth=<secret>`). The principal's subject is `subject`. An empty configured secret refuses
// every request, so a forgotten setting does not open the route.
class QuerySecretAuthenticator final : public Authenticator {
 public:
  QuerySecretAuthenticator(std::string parameter, std::string secret, std::string subject);
  std::optional<Failure> authenticate(Request& request, const Route& route) override;

 private:
  std::string parameter_;
  std::string secret_;
  std::shared_ptr<const Principal> principal_;
};

// The 401 for a missing or wrong credential: status, code and message; `field` names where the
// credential travels ("Authorization", a query parameter).
Failure unauthenticated(std::string code, std::string message, std::string field);
// The 403 for a valid credential without the right.
Failure forbidden(std::string code, std::string message, std::string field);

}  // namespace registrar::http
