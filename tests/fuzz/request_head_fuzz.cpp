// The request head and target as the server reads them from a socket (http::wire::parse_request),
// then the accessors handlers call on what was parsed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/message.h"
#include "http/wire.h"

using namespace registrar::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Request req;
  if (wire::parse_request(bytes, req, 16 * 1024) != wire::ParseResult::kComplete) return 0;
  (void)req.headers.get("Content-Type");
  (void)req.headers.get("X-Request-Id");
  (void)wire::acceptable_request_id(req.headers.get("X-Request-Id").value_or(""));
  (void)req.query_param("page");
  (void)parse_form(req.body);
  std::string log_line;
  wire::append_access_log(log_line, req, "/fuzz", 200, 0.001, 0);
  return 0;
}
