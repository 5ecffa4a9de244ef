// A bare TCP client for tests that must send what a well-behaved HTTP client never would:
// malformed requests, oversized headers, requests that stall half-way.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace registrar::testing {

class RawClient {
 public:
  explicit RawClient(uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // False when the peer has closed the connection.
  bool send(const std::string& bytes);
  // Reads until `n` bytes arrived, the peer closed, or the timeout passed.
  std::string read_some(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // Reads until the peer closes (or timeout). Returns everything read.
  std::string read_until_close(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Reads one complete HTTP response (header + Content-Length body).
  std::string read_response(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // True when the peer closed the connection within the timeout.
  bool closed_within(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string pending_;
};

// Status code of a raw HTTP response ("HTTP/1.1 404 ..." -> 404), 0 when unparseable.
int status_of(const std::string& raw_response);

}  // namespace registrar::testing
