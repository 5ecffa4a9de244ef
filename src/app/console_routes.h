// The operators' web console: the files under web/console/, embedded in the binary, served at
// /console/ with a strict Content-Security-Policy. The console is a client of the public API like
// any other: these routes serve files only, and every action the pages take goes through the API
// with the person's own bearer token.
#pragma once

#include <string>
#include <string_view>

#include "http/router.h"

namespace registrar::app {

// The Content-Type of a console file, by its extension ("" for one the console does not use,
// which is then not served).
std::string_view console_content_type(std::string_view name);

// GET /console/ (index.html), /console/{name} and /console/{name}/{file}, and the security
// headers on every response under /console. The routes are left out of the API document.
void add_console_routes(http::Router& router);

}  // namespace registrar::app
