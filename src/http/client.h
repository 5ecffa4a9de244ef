// Outgoing HTTP/1.1 requests (http and https): the request description shared with the
// asynchronous client (http/async_client.h), URL parsing, and `fetch`, the blocking one-shot
// call for JWKS fetches, the CLI and tests. `fetch` opens one connection per call and blocks the
// calling thread, so call it from the worker pool; code that sends many requests or must not
// block uses http::HttpClient.
#pragma once

#include <chrono>
#include <string>

#include "http/message.h"

namespace registrar::http {

struct ClientRequest {
  Method method = Method::kGet;
  std::string url;  // http://host:port/path?query or https://...
  Headers headers;  // sent as given; Host and User-Agent are added unless present
  std::string body;
  // Whole exchange: DNS, connect, TLS, the request, the response, redirects and the retry.
  std::chrono::milliseconds timeout{10'000};
  size_t max_response_bytes = 8 * 1024 * 1024;  // status line + header + body
  std::string ca_file;  // https: trust this CA bundle instead of the system's
  // DNS + TCP connect + TLS handshake of each new connection (also bounded by `timeout`).
  std::chrono::milliseconds connect_timeout{5'000};
  // Longest silence while sending the request or waiting for / reading the response: the whole
  // response header must arrive within it, then each piece of the body.
  std::chrono::milliseconds read_timeout{10'000};
  // https: check the peer's certificate chain and host name. Turn off only for test peers.
  bool verify_tls = true;
  // 301/302/303/307/308 answers to GET and HEAD are followed up to this many times (never from
  // https to http); 0 returns the redirect itself as the response.
  int max_redirects = 0;
};

struct Url {
  std::string scheme, host;
  uint16_t port = 0;
  std::string target;  // path + query, at least "/"
};
// Throws std::invalid_argument for anything but absolute http(s) URLs.
Url parse_url(const std::string& url);

// Throws core::Error(kUnavailable) when the peer cannot be reached, does not answer in time or
// answers more than max_response_bytes, and core::Error(kInvalidArgument) for a malformed URL.
// Never call it on an http::HttpClient's callback thread (it runs a short-lived client of its
// own, so it does not deadlock, but it blocks that client's other requests).
Response fetch(const ClientRequest& request);

}  // namespace registrar::http
