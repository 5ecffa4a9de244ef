// Beast-free pieces of the server's per-request path: response serialisation, request ids, the
// access-log line. Kept apart from the server so they can be unit-tested and stay cheap.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"

namespace registrar::http::wire {

// Appends an HTTP/1.1 response to `out`: status line, the handler's headers (values containing
// CR or LF are dropped rather than allowing header injection), Server, Date, X-Request-Id,
// X-Server-Request-Id (when given), Content-Length (Transfer-Encoding: chunked for a stream),
// Connection, then the body (unless `head`, or streamed).
void serialize_response(std::string& out, const Response& response, std::string_view request_id,
                        bool head, bool keep_alive, std::string_view server_request_id = {});

// A streamed response (Response::stream) is serialised with Transfer-Encoding: chunked and no
// body; each piece then goes out as append_chunk, and kLastChunk ends it.
void append_chunk(std::string& out, std::string_view piece);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// "Sun, 22 Nov 2026 01:56:05 GMT", recomputed at most once a second per thread.
const std::string& http_date();

// Our request ids: a random per-process prefix and a counter. Every request gets one (the
// server's own id); it is also the request id when the client sent none or an unacceptable one.
std::string next_request_id();
// Accept a client's X-Request-Id only if it is short and of safe characters (it is logged).
bool acceptable_request_id(std::string_view id);

// Fills req.method, req.query and req.path (percent-decoded) from req.method_text and req.target,
// as the server does before routing. False when the target is not an absolute path with valid
// percent-encoding (the server answers 400).
bool split_target(Request& req);

// What parse_request made of its bytes.
enum class ParseResult { kComplete, kIncomplete, kMalformed, kHeaderTooLarge, kBadTarget };

// Parses one HTTP/1.1 request from `bytes` with the server's own parser and header limit (no body
// limit: the server applies the route's after the header), then split_target. For tests and
// the fuzzer (tests/fuzz/); the server feeds the same parser from its socket.
ParseResult parse_request(std::string_view bytes, Request& req, size_t max_header_bytes);

// `server_request_id`, when given, is logged as "server_request_id" beside "request_id".
void append_access_log(std::string& line, const Request& req, std::string_view route, int status,
                       double seconds, size_t bytes_out, std::string_view server_request_id = {});

}  // namespace registrar::http::wire
