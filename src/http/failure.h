// How a request fails, apart from how the failure is written.
//
// Everything that can go wrong with a request — a malformed header (400), no route (404 / 405),
// a body over the limit (413), a header over the limit (431), a failed authentication (401 / 403),
// a core::Error thrown by a handler or a service (any kind), a bug (500) — becomes one `Failure`.
// The route's `ErrorFormat` (or the one registered for its path prefix) turns it into the bytes
// the client expects: RFC 9457 problem+json by default, a MOSIP envelope, DHP's plain text, a DCI
// NACK, intercoop YAML. So a protocol owns every one of its errors, whichever layer raised it, and
// the mapping from core::Error to a status exists once (`failure_of`).
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "http/message.h"

namespace registrar::http {

struct Route;

struct Failure {
  int status = 500;
  // Machine-readable reason: the core::ErrorKind name ("invalid-argument"...) for errors from
  // handlers and services, an OAuth2 error for authentication ("invalid_token",
  // "insufficient_scope", "" for a missing credential), "not-found" / "method-not-allowed" /
  // "payload-too-large" / "header-too-large" / "malformed-request" before a route runs.
  std::string code;
  std::string message;  // safe to show the client; never a secret, never an internal detail
  std::string field;    // the input the failure is about, when there is one
  std::vector<core::FieldError> fields;  // several inputs at once
  Headers headers;  // sent whatever the format: WWW-Authenticate, Allow, Retry-After
};

// The one mapping from core::Error to a Failure: status from the kind, `errors[]` fields, and
// Retry-After on 503 and 429 (an unavailable dependency or a full queue is worth retrying).
Failure failure_of(const core::Error& error);

// The Failure for the exception being handled (call inside a catch block, or with the
// exception_ptr of one): a core::Error maps through failure_of; anything else is a bug, logged
// with the request id and route, and becomes a 500 whose message says only "internal error".
Failure current_failure(const std::string& request_id, const Route* route);
Failure failure_of(std::exception_ptr error, const std::string& request_id, const Route* route);

// Writes failures the way one protocol expects. Implementations are immutable after
// construction and called from any thread.
class ErrorFormat {
 public:
  virtual ~ErrorFormat() = default;
  // `route` is null for failures before a route matched (404, 405, 431, malformed requests).
  // The failure's headers are added to the response by the caller, after render.
  virtual Response render(const Failure& failure, const Request& request,
                          const Route* route) const = 0;
  // What `registrar routes` lists for the routes written in this format.
  virtual std::string name() const { return "problem+json"; }
};

// RFC 9457 application/problem+json with `status`, `title`, `detail`, `field`, `request_id` and
// `errors[]` for several fields: the default of every route.
std::shared_ptr<const ErrorFormat> problem_format();

// render() plus the failure's headers: what the server sends.
Response render_failure(const ErrorFormat& format, const Failure& failure, const Request& request,
                        const Route* route);

}  // namespace registrar::http
