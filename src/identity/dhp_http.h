// What the DHP challenge API's HTTP layer (Express with dhp-http-lib's bootstrap) does around its
// handlers, as registrar reproduces it under identity.dhp_prefix: which request bodies are read,
// the x-correlation-id header and JSON's charset on every response, the Swagger UI's address
// (api-docs), and the path groups the DHP routes own when they are mounted at the root.
// Pure functions of requests and responses; challenge_api.cpp wires them into the router.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace registrar::identity {

// How the original's body parsers (urlencoded, json) treat a request body, by its Content-Type.
enum class DhpBody {
  kJson,     // application/json, +json; also no Content-Type at all (registrar reads it as JSON)
  kForm,     // application/x-www-form-urlencoded
  kIgnored,  // anything else (a browser fetch with a string body sends text/plain): no parser
             // takes it, so the handler sees an empty body
};
DhpBody dhp_body_kind(const http::Request& request);

// The request's x-correlation-id, else its x-global-k8fdic-transaction-id, else a new UUID v4.
// A value that is empty, longer than 256 characters or not printable ASCII is not echoed.
std::string correlation_id(const http::Request& request);

// On every response under the DHP prefix: x-correlation-id, and "application/json" written as
// Express writes it, "application/json; charset=utf-8".
void dhp_response_headers(const http::Request& request, http::Response& response);

// GET <prefix>/api-docs: Express's 301 to <prefix>/api-docs/ (text/html; charset=UTF-8), where
// the original serves its Swagger UI and registrar a page naming the routes and linking the
// OpenAPI document (/openapi.yaml). `prefix` is "" at the root.
http::Response dhp_api_docs(const http::Request& request, const std::string& prefix);

// The DHP routes' paths below the prefix.
const std::vector<std::string>& dhp_paths();

// The path prefixes whose errors, CORS and unmatched paths are DHP's: the prefix itself, or at
// the root (prefix ""), each route's own path, so that the rest of the server keeps its formats.
std::vector<std::string> dhp_groups(const std::string& prefix);

}  // namespace registrar::identity
