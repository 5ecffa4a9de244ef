// wire::split_target and wire::parse_request: the server's request-head handling, callable
// without a socket (tests, tests/fuzz).
#include <limits>

#include "core/utf8.h"
#include "http/request_parser.h"
#include "http/wire.h"

namespace registrar::http::wire {

bool split_target(Request& req) {
  req.method = parse_method(req.method_text);
  const size_t q = req.target.find('?');
  const std::string_view raw_path = std::string_view(req.target).substr(0, q);
  req.query = q == std::string::npos ? std::string() : req.target.substr(q + 1);
  auto decoded = percent_decode(raw_path, false);
  if (raw_path.empty() || raw_path[0] != '/' || !decoded) return false;
  req.path = std::move(*decoded);  // also when refused below: its prefix picks the error format
  // Path parameters become identifiers, database keys and log fields: a NUL or bytes that are
  // not UTF-8 are never a valid one, and refusing them here keeps every route from having to.
  return req.path.find('\0') == std::string::npos && core::valid_utf8(req.path);
}

ParseResult parse_request(std::string_view bytes, Request& req, size_t max_header_bytes) {
  RequestParser parser(req);
  parser.header_limit(static_cast<std::uint32_t>(max_header_bytes));
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.eager(true);
  boost::system::error_code ec;
  while (!parser.is_done() && !bytes.empty()) {
    const size_t used = parser.put(boost::asio::const_buffer(bytes.data(), bytes.size()), ec);
    bytes.remove_prefix(used);
    if (ec == bhttp::error::need_more) return ParseResult::kIncomplete;
    if (ec == bhttp::error::header_limit) return ParseResult::kHeaderTooLarge;
    if (ec) return ParseResult::kMalformed;
    if (used == 0) break;
  }
  if (!parser.is_done()) return ParseResult::kIncomplete;
  return split_target(req) ? ParseResult::kComplete : ParseResult::kBadTarget;
}

}  // namespace registrar::http::wire
