// A small blocking HTTP/1.1 client (http and https) for outgoing calls: JWKS fetches, callbacks
// to peers, and the integration tests. One connection per call; callers that need throughput
// batch at a higher level. Runs on the calling thread, so call it from the worker pool.
#pragma once

#include <chrono>
#include <string>

#include "http/message.h"

namespace registrar::http {

struct ClientRequest {
  Method method = Method::kGet;
  std::string url;  // http://host:port/path?query or https://...
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};  // whole exchange
  size_t max_response_bytes = 8 * 1024 * 1024;
  std::string ca_file;  // https: trust this CA bundle instead of the system's
};

struct Url {
  std::string scheme, host;
  uint16_t port = 0;
  std::string target;  // path + query, at least "/"
};
// Throws std::invalid_argument for anything but absolute http(s) URLs.
Url parse_url(const std::string& url);

// Throws core::Error(kUnavailable) when the peer cannot be reached or does not answer in time,
// and core::Error(kInvalidArgument) for a malformed URL.
Response fetch(const ClientRequest& request);

}  // namespace registrar::http
