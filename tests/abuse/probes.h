// The bad requests the route catalogue test sends, and how it judges the answers: pure, so that
// the catalogue (route_catalogue_test.cpp) is only the loop over the running server's routes.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "http/message.h"

namespace registrar::testing {

// One route as `registrar routes` prints it.
struct CatalogueRoute {
  http::Method method = http::Method::kGet;
  std::string method_name;
  std::string pattern;
  std::string auth;  // "" public, "bearer", or another authenticator's name
  std::vector<std::string> scopes;
  size_t max_body_bytes = 0;
  std::string errors;  // the route's error format: problem+json, mosip, dci-ack, dhp, ...
  bool takes_body() const { return max_body_bytes > 0; }
  bool has_params() const { return pattern.find('{') != std::string::npos; }
};
std::vector<CatalogueRoute> parse_catalogue(const nlohmann::json& routes);

// What a probe is about (the columns of the summary table in docs/reliability.md).
enum class ProbeKind { kBody, kSize, kAuth, kPath };
const char* kind_name(ProbeKind kind);

struct Probe {
  ProbeKind kind;
  std::string name;  // "malformed-json", "expired-token", ...
  std::string path;  // the pattern with its parameters filled
  std::string body;
  std::string content_type;  // "" for none
  // Which credentials to send (the test holds the tokens): "valid", "none", "garbage",
  // "expired", "forged", "untrusted", "no-scopes".
  std::string credential = "valid";
  size_t declared_length = 0;  // > body.size(): only the header and the first bytes are sent
};

// A plausible value for each path parameter (so that only the probe's own defect is wrong).
std::string fill_params(const std::string& pattern, const std::string& value);
// The probes for one route: bodies for routes that take one, an oversized and a deeply nested
// body, bad credentials for authenticated routes, nonsense path parameters.
std::vector<Probe> probes_for(const CatalogueRoute& route);

// A route's example body with one member made the wrong JSON type: every member at every depth
// (objects inside objects and arrays; an array's first item stands for the others) in turn, each
// replaced by values of other types (a string by a number, an object and null; an object by an
// array, a string and null; ...). `where` names the member as a handler would ("request.uin",
// "changes[0].row") with the type put there: "request.uin: object".
struct WrongType {
  std::string where;
  nlohmann::json body;
};
std::vector<WrongType> wrong_types(const nlohmann::json& example);

// Whether `status` and `body` are a refusal written in the route's error format; the reason when
// not. MOSIP's own validation errors come with HTTP 200 and a non-empty `errors` list: a refusal.
struct Verdict {
  bool refused = false;  // the request was turned down (nothing may have been stored)
  bool status_ok = false;
  bool format_ok = false;
  std::string why;
};
Verdict judge(const CatalogueRoute& route, const Probe& probe, int status,
              const std::string& content_type, const std::string& body);

}  // namespace registrar::testing
