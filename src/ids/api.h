// HTTP routes of the ids module: the clean API under /v1/ids (problem+json errors) and the
// MOSIP-compatible routes (/v1/idgenerator, /v1/pridgenerator, /v1/ridgenerator,
// /v1/keymanager) with MOSIP's envelope and error codes.
#pragma once

#include "http/router.h"
#include "ids/service.h"

namespace registrar::ids {

void add_ids_routes(http::Router& router, IdsService& service);
void add_mosip_routes(http::Router& router, IdsService& service);
// Part of add_mosip_routes: /v1/keymanager/license/* (mosip_licence_api.cpp).
void add_mosip_licence_routes(http::Router& router, IdsService& service);

// Helpers shared by both files.
namespace api_detail {
// Adds the route's scope, or leaves it public when `scope` is empty.
http::Route& scoped(http::Route& route, const std::string& scope);
// Parses an RFC 3339 time to unix milliseconds.
std::optional<int64_t> parse_time_ms(std::string_view text);
std::string format_time_ms(int64_t ms);
}  // namespace api_detail

}  // namespace registrar::ids
