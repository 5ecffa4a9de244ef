// Cross-origin resource sharing (the Fetch standard's CORS protocol) for a group of routes.
//
// A browser page on another origin (a web wallet, a verifier's page) may call a route only when
// the response says so: `Access-Control-Allow-Origin` on every response, and a 204 answer to the
// preflight (`OPTIONS` with `Access-Control-Request-Method`) that the browser sends first for a
// request with an `Authorization` header or a JSON body. The router keeps one policy per path
// prefix (Router::set_cors); the server answers preflights there before routing and
// authentication (a preflight carries no credentials) and adds the headers to every response
// there, errors included. Pure functions: no Beast, unit-tested without a server.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace registrar::http {

struct CorsPolicy {
  // Origins whose pages may read the responses: "*" for any (answered "*", as Express's cors()
  // does by default), or exact origins ("https://wallet.example"), echoed back when the request
  // comes from one of them, with `Vary: Origin`.
  std::vector<std::string> origins;
  // Methods a preflight is told are allowed (Access-Control-Allow-Methods).
  std::vector<std::string> methods = {"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"};
  // Request headers a preflight is told are allowed; empty: the ones it asks for
  // (Access-Control-Request-Headers), with `Vary: Access-Control-Request-Headers`.
  std::vector<std::string> headers;
  std::vector<std::string> expose_headers;   // Access-Control-Expose-Headers
  bool credentials = false;                  // Access-Control-Allow-Credentials: true
  std::optional<long long> max_age_seconds;  // Access-Control-Max-Age
};

// OPTIONS with Access-Control-Request-Method: a browser asking whether it may send a request.
bool is_preflight(const Request& request);

// The 204 answer to a preflight under `policy`. Its origin is not checked against the list
// here: an origin the policy does not allow gets no Access-Control-Allow-Origin, and the browser
// then refuses the request it asked about.
Response preflight_response(const CorsPolicy& policy, const Request& request);

// Adds Access-Control-Allow-Origin (when the request's origin is allowed), Vary: Origin (when
// the answer depends on it), -Allow-Credentials and -Expose-Headers to an actual response.
void apply_cors(const CorsPolicy& policy, const Request& request, Response& response);

// Adds `token` to the response's Vary header (kept when already there).
void add_vary(Response& response, std::string_view token);

// A policy from its configuration form, a JSON object {origins, methods?, headers?,
// expose_headers?, credentials?, max_age_seconds?} (plus `prefix`, read by the caller). Returns
// the problem, naming the member, when it is not acceptable.
std::optional<std::string> parse_cors_policy(const Json& config, CorsPolicy* out);

}  // namespace registrar::http
