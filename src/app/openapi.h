// The API document served at /openapi.yaml, generated from the router so that it lists exactly
// the routes this process serves, at the paths it serves them (configured prefixes included),
// with the scopes and authenticators they really require. The hand-written web/openapi.yaml is
// the base: it supplies `info`, `components` and each operation's long description, request
// body and responses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/router.h"

namespace registrar::app {

// The document for every route not marked hidden. A route's operation in the base document is
// found at its RouteDoc::documented_as path, else at its pattern, under the same method.
// `problems` (may be null) receives one line per route without a summary in either place
// ("GET /x: no summary"), per base operation no route matches ("stale: POST /v1/gone"), and per
// reference to a security scheme or schema the base's components do not declare. Throws
// YAML::Exception (a std::runtime_error) when the base is not YAML.
std::string openapi_document(const http::Router& router, std::string_view base_yaml,
                             std::vector<std::string>* problems);

}  // namespace registrar::app
